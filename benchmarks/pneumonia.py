"""The lab's bar: the default recipe on real chest X-rays, and PyTorch doing the same, side by side.

Trains the default architecture and recipe (``ml2dl.train.Recipe()``, the "strong"
CNN) from scratch on PneumoniaMNIST's training split, selects on its validation split, and
prints the wall time and validation metrics. Then trains the *same* network in PyTorch —
the same initial weights (``model.to_torch()``), the same batches in the same order, the
same augmentation, loss weighting, AdamW and one-cycle schedule, the same thread count —
and prints the time ratio. Only the engine differs.

Run:  python benchmarks/pneumonia.py [--data ../shared/data/pneumoniamnist_trainval.npz]
      [--threads N] [--epochs N] [--width W] [--no-torch]

The official test split is held out; the validation numbers here select the model and
say little about the test split (74 % pneumonia in train and val, 62.5 % in test). The
line "accuracy at the test split's prevalence" re-weights validation sensitivity and
specificity to 62.5 % pneumonia: what accuracy at 0.5 would be if only the prevalence changed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pneumoniamnist_trainval.npz"
TEST_PREVALENCE = 0.625  # 390 pneumonia of 624 in PneumoniaMNIST's test split


def summary(y, p) -> dict:
    from ml2dl import metrics as M

    at_half = M.binary_metrics(y, p, threshold=0.5)
    mm = M.medmnist_metrics(y, p)
    return {"auc": mm["auc"], "acc": mm["acc"], "sensitivity": at_half["sensitivity"],
            "specificity": at_half["specificity"],
            "acc_at_test_prevalence": TEST_PREVALENCE * at_half["sensitivity"]
            + (1 - TEST_PREVALENCE) * at_half["specificity"]}


def show(name, seconds, s, epochs):
    print(f"{name:8s} {seconds:7.1f} s ({seconds / epochs:5.1f} s/epoch)  val AUC {s['auc']:.4f}  "
          f"ACC@0.5 {s['acc']:.4f}  sensitivity {s['sensitivity']:.3f}  specificity {s['specificity']:.3f}  "
          f"ACC at test prevalence {s['acc_at_test_prevalence']:.4f}", flush=True)


def train_ml2dl(model, train, val, recipe, threads):
    from ml2dl.train import fit, predict_proba

    def progress(e):
        if e.stage == "epoch":
            r = e.row
            print(f"  ml2dl epoch {r['epoch']:2d}: {r['epoch_seconds']:5.1f} s  train loss {r['train_loss']:.4f}  "
                  f"val AUC {r['val_auc']:.4f}  val acc {r['val_accuracy']:.4f}", flush=True)

    t0 = time.perf_counter()
    result = fit(model, train, val, callbacks=[progress], threads=threads, **recipe)
    seconds = time.perf_counter() - t0
    return seconds, predict_proba(model, val.images), result


def train_torch(model, train, val, recipe, threads, pos_weight):
    """The loop of ml2dl.train.fit, written with PyTorch: same batches, augmentation, optimiser, schedule."""
    import torch

    from ml2dl.data import Augment
    from ml2dl.metrics import roc_auc_score

    torch.set_num_threads(threads)
    tmodel = model.to_torch().float()
    x = torch.from_numpy(train.images)
    y = torch.from_numpy(train.labels.astype(np.float32))
    xv = torch.from_numpy(val.images)
    n, bs, epochs, seed = len(x), recipe["batch_size"], recipe["epochs"], recipe["seed"]
    batches = math.ceil(n / bs)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float32))
    opt = torch.optim.AdamW(tmodel.parameters(), lr=recipe["lr"], weight_decay=recipe["weight_decay"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe["lr"], total_steps=epochs * batches)
    aug = Augment()
    torch.manual_seed(seed)
    norms = [m for m in tmodel.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    top, best_state = -1.0, None
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t_epoch = time.perf_counter()
        order = np.random.default_rng([seed, epoch, 0]).permutation(n)
        aug_rng = np.random.default_rng([seed, epoch, 1])
        tmodel.train()
        total = 0.0
        for b in range(batches):
            idx = order[b * bs:(b + 1) * bs]
            xb = torch.from_numpy(aug(train.images[idx], aug_rng))
            loss = loss_fn(tmodel(xb)[:, 0], y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if (epoch - 1) * batches + b + 1 < epochs * batches:  # as fit: no step after the very last batch
                sched.step()
            total += loss.item() * len(idx)
        if recipe.get("precise_bn"):  # as fit: BN statistics averaged over clean training batches
            idx = np.random.default_rng([seed, epoch, 3]).permutation(n)[:recipe["precise_bn"] * bs]
            for m in norms:
                m.reset_running_stats()
                m.momentum = None  # PyTorch's cumulative average
            with torch.no_grad():
                for start in range(0, len(idx), bs):
                    tmodel(torch.from_numpy(train.images[idx[start:start + bs]]))
            for m in norms:
                m.momentum = 0.1
        tmodel.eval()
        with torch.no_grad():
            pv = torch.sigmoid(tmodel(xv)[:, 0]).double().numpy()
        auc = roc_auc_score(val.labels, pv)
        print(f"  torch epoch {epoch:2d}: {time.perf_counter() - t_epoch:5.1f} s  train loss {total / n:.4f}  "
              f"val AUC {auc:.4f}  val acc {np.mean((pv > 0.5) == (val.labels == 1)):.4f}", flush=True)
        if auc >= top - recipe.get("tolerance", 0.0):  # as fit: ties within the tolerance go to the later epoch
            best_state = {k: v.clone() for k, v in tmodel.state_dict().items()}
        top = max(top, auc)
    seconds = time.perf_counter() - t0
    tmodel.load_state_dict(best_state)
    tmodel.eval()
    with torch.no_grad():
        pv = torch.sigmoid(tmodel(xv)[:, 0]).double().numpy()
    return seconds, pv


def main(argv=None) -> int:
    from ml2dl.data import load_dataset
    from ml2dl.train import DEFAULT_ARCHITECTURE, Recipe, balanced_pos_weight, build_model

    default = Recipe().to_dict()

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both engines")
    parser.add_argument("--epochs", type=int, help=f"default {default['epochs']}")
    parser.add_argument("--width", type=int, help="default: the strong model's")
    parser.add_argument("--seed", type=int, default=default["seed"])
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch run")
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"no data at {args.data}: pass --data path/to/pneumoniamnist.npz", file=sys.stderr)
        return 2

    splits = load_dataset(args.data)
    train, val = splits.train, splits.val
    recipe = {k: v for k, v in default.items() if k != "max_seconds"}
    recipe["seed"] = args.seed
    if args.epochs:
        recipe["epochs"] = args.epochs
    options = {"width": args.width} if args.width else {}
    c, h, _ = train.images.shape[1:]
    model = build_model(DEFAULT_ARCHITECTURE, in_channels=int(c), image_size=int(h), seed=args.seed, **options)
    initial = model.state_dict()
    print(f"PneumoniaMNIST: train {len(train)} ({int(train.labels.sum())} pneumonia), val {len(val)} "
          f"({int(val.labels.sum())} pneumonia); model {DEFAULT_ARCHITECTURE} {options or '(default width)'}, "
          f"{model.num_parameters():,} parameters; recipe {recipe}; threads {args.threads}", flush=True)

    seconds, p, result = train_ml2dl(model, train, val, recipe, args.threads)
    ours = summary(val.labels, p)
    print(f"ml2dl kept epoch {result.best_epoch} (best validation AUC)")
    show("ml2dl", seconds, ours, recipe["epochs"])
    print(f"5-minute bar: {'met' if seconds <= 300 else 'MISSED'} ({seconds:.0f} s)")
    if args.no_torch:
        return 0
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch is not installed: no side-by-side run")
        return 0
    model.load_state_dict(initial)
    t_seconds, tp = train_torch(model, train, val, recipe, args.threads, balanced_pos_weight(train.labels))
    show("ml2dl", seconds, ours, recipe["epochs"])
    show("PyTorch", t_seconds, summary(val.labels, tp), recipe["epochs"])
    print(f"time ratio ml2dl / PyTorch: {seconds / t_seconds:.2f} (same network, batches, recipe and "
          f"{args.threads} thread{'s' if args.threads > 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
