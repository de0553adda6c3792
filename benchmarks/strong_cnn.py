"""The lab's default strong CNN against PyTorch, side by side in one process, same thread count.

Two workloads on PneumoniaMNIST's 4,708 training images (random images if the file is absent):
  1. the engine alone: one epoch of forward, backward (no input gradient for the images, as
     ``fit`` runs it) and AdamW step, batch 64, the strong CNN of width 16, balanced BCE;
  2. one epoch exactly as ``ml2dl train`` runs it: ``fit`` with the default recipe (augmentation,
     one-cycle AdamW, precise batch-norm statistics, validation on 524 images, best.npz and
     last.npz in a run folder), against the same recipe written in PyTorch
     (``benchmarks/pneumonia.py``'s ``train_torch``: same batches, augmentation and schedule).

Run:  python benchmarks/strong_cnn.py [--repeats 5] [--threads 2] [--data path.npz]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine_vs_torch as evt  # noqa: E402
from engine_vs_torch import load, paired_runs, print_rows, same_threads, use_cpu_time  # noqa: E402
from pneumonia import DEFAULT_DATA, train_torch  # noqa: E402

from ml2dl import nn, optim  # noqa: E402


def splits(path):
    """(train, val) ImageDatasets: the real chest X-rays, or random images of the same sizes."""
    from ml2dl.data import ImageDataset, load_dataset

    if Path(path).is_file():
        s = load_dataset(path)
        return s.train, s.val
    print(f"no data at {path}: random images of the same sizes")
    rng = np.random.default_rng(0)

    def fake(n):
        return ImageDataset(rng.random((n, 1, 28, 28), dtype=np.float32), (rng.random(n) < 0.74).astype(np.int64),
                            ("normal", "pneumonia"))

    return fake(4708), fake(524)


def strong(seed=0):
    from ml2dl.train import build_model

    return build_model("strong", in_channels=1, image_size=28, width=16, seed=seed)


def recipe():
    from ml2dl.train import Recipe

    return Recipe()


def ours_engine(train, batch=64):
    from ml2dl.train import balanced_pos_weight

    r = recipe()
    model = strong().train()
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=balanced_pos_weight(train.labels))
    opt = optim.AdamW(model.parameters(), lr=r.lr, weight_decay=r.weight_decay)
    x, y = train.images, train.labels.astype(np.float32).reshape(-1, 1)
    start = evt.clock()
    for i in range(0, len(x), batch):
        loss_fn(model(x[i:i + batch]), y[i:i + batch])
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()
    return evt.clock() - start


def torch_engine(torch, train, batch=64):
    from ml2dl.train import balanced_pos_weight

    r = recipe()
    model = strong().to_torch().train()
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(balanced_pos_weight(train.labels)))
    opt = torch.optim.AdamW(model.parameters(), lr=r.lr, weight_decay=r.weight_decay)
    x = torch.from_numpy(train.images)
    y = torch.from_numpy(train.labels.astype(np.float32).reshape(-1, 1))
    start = evt.clock()
    for i in range(0, len(x), batch):
        opt.zero_grad()
        loss_fn(model(x[i:i + batch]), y[i:i + batch]).backward()
        opt.step()
    return evt.clock() - start


def ours_train_epoch(train, val, threads):
    from ml2dl.train import fit

    with tempfile.TemporaryDirectory() as folder:
        start = evt.clock()
        fit(strong(), train, val, recipe=recipe().replace(epochs=1), run_dir=Path(folder) / "run", threads=threads)
        return evt.clock() - start


def torch_train_epoch(train, val, threads):
    from ml2dl.train import balanced_pos_weight

    settings = {**recipe().replace(epochs=1).to_dict()}
    start = evt.clock()
    with contextlib.redirect_stdout(io.StringIO()):  # its per-epoch line
        train_torch(strong(), train, val, settings, threads, balanced_pos_weight(train.labels))
    return evt.clock() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--only", choices=("engine", "train"), help="run one workload only")
    parser.add_argument("--cpu-time", action="store_true", help="CPU time instead of wall time (one thread only)")
    args = parser.parse_args(argv)
    use_cpu_time(args)
    import torch

    train, val = splits(args.data)
    print(f"threads: {args.threads} (torch {torch.__version__}, numpy {np.__version__}); "
          f"median of {args.repeats} alternating runs; {'CPU' if args.cpu_time else 'wall'} time; {load()}",
          flush=True)
    rows = []
    with same_threads(torch, args.threads):
        if args.only in (None, "engine"):
            rows.append(("strong CNN w16 epoch, engine alone, AdamW: s",
                         *paired_runs(lambda: ours_engine(train), lambda: torch_engine(torch, train), args.repeats)))
        if args.only in (None, "train"):
            rows.append(("strong CNN epoch as `ml2dl train` runs it: s",
                         *paired_runs(lambda: ours_train_epoch(train, val, args.threads),
                                      lambda: torch_train_epoch(train, val, args.threads), args.repeats)))
    print_rows(rows)
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
