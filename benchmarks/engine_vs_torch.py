"""ml2dl's engine against PyTorch, side by side in one process with the same thread count.

Three workloads (issue: the engine must feel instant in the module and train real CNNs on a CPU):
  1. the playground network 2 → 8 → 8 → 1 (tanh), 200 points, full batch: training steps per second;
  2. the lesson CNN on 28×28 images, batch 64, Adam: one epoch over 4,708 images (forward + backward + step);
  3. inference of that CNN on 624 images.

Prints the median of several runs and the ratio ml2dl / PyTorch (below 1 means ml2dl is faster).
Run:  python benchmarks/engine_vs_torch.py [--repeats 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from ml2dl import nn, optim


def lesson_cnn(rng=0):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 1),
    ).reset_parameters(rng)


def playground_net(rng=0):
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1)).reset_parameters(rng)


def data(n_images=4708, n_test=624, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((n_images, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 2, (n_images, 1)).astype(np.float32)
    points = rng.uniform(-1, 1, (200, 2)).astype(np.float32)
    point_labels = (points[:, :1] * points[:, 1:] > 0).astype(np.float32)
    test = rng.random((n_test, 1, 28, 28), dtype=np.float32)
    return images, labels, points, point_labels, test


# -- ml2dl -------------------------------------------------------------------------------------

def ours_playground(points, labels, steps=500):
    model = playground_net()
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.SGD(model.parameters(), lr=0.1)
    start = time.perf_counter()
    for _ in range(steps):
        loss_fn(model(points), labels)
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()
    return steps / (time.perf_counter() - start)


def ours_epoch(images, labels, batch=64):
    model = lesson_cnn()
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for i in range(0, len(images), batch):
        loss_fn(model(images[i:i + batch]), labels[i:i + batch])
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()
    return time.perf_counter() - start


def ours_inference(test, batch=256):
    model = lesson_cnn().eval()
    start = time.perf_counter()
    for i in range(0, len(test), batch):
        model(test[i:i + batch])
    return time.perf_counter() - start


# -- PyTorch, the same work ---------------------------------------------------------------------

def torch_playground(torch, points, labels, steps=500):
    model = playground_net().to_torch()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.from_numpy(points), torch.from_numpy(labels)
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return steps / (time.perf_counter() - start)


def torch_epoch(torch, images, labels, batch=64):
    model = lesson_cnn().to_torch()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    start = time.perf_counter()
    for i in range(0, len(images), batch):
        opt.zero_grad()
        loss_fn(model(x[i:i + batch]), y[i:i + batch]).backward()
        opt.step()
    return time.perf_counter() - start


def torch_inference(torch, test, batch=256):
    model = lesson_cnn().to_torch().eval()
    x = torch.from_numpy(test)
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(test), batch):
            model(x[i:i + batch])
    return time.perf_counter() - start


def paired_runs(ours, theirs, repeats, *, rate=False):
    """Alternate the two runs so that a change in machine load hits both alike.

    Returns the median of each and the median of the per-pair time ratios (ours / theirs;
    for a rate, such as steps/s, theirs / ours), which is steadier than a ratio of medians
    on a machine whose speed drifts.
    """
    a, b, ratios = [], [], []
    for _ in range(repeats):
        a.append(ours())
        b.append(theirs())
        ratios.append(b[-1] / a[-1] if rate else a[-1] / b[-1])
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        raise SystemExit("this benchmark compares with PyTorch: pip install torch==2.13.0")
    torch.set_num_threads(args.threads)
    nn.set_num_threads(args.threads)  # ml2dl's own threads; it holds BLAS to one thread each
    try:  # NumPy's BLAS, used outside ml2dl's threads, gets the same number as PyTorch
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=args.threads)
    except ImportError:
        print("threadpoolctl not installed: NumPy's BLAS uses its default thread count")
    images, labels, points, point_labels, test = data()
    print(f"threads: {args.threads} (torch {torch.__version__}, numpy {np.__version__}); "
          f"median of {args.repeats} runs")
    rows = [("playground 2-8-8-1, 200 pts: steps/s",
             *paired_runs(lambda: ours_playground(points, point_labels),
                          lambda: torch_playground(torch, points, point_labels), args.repeats, rate=True)),
            ("lesson CNN epoch, 4,708 imgs, batch 64: s",
             *paired_runs(lambda: ours_epoch(images, labels),
                          lambda: torch_epoch(torch, images, labels), args.repeats)),
            ("lesson CNN inference, 624 imgs: s",
             *paired_runs(lambda: ours_inference(test), lambda: torch_inference(torch, test), args.repeats))]
    print(f"{'workload':<44} {'ml2dl':>10} {'PyTorch':>10} {'time ratio':>11}")
    for name, a, b, ratio in rows:
        print(f"{name:<44} {a:>10.3f} {b:>10.3f} {ratio:>10.2f}x")
    print("time ratio = ml2dl time / PyTorch time (below 1: ml2dl faster), the median of the runs' pairwise ratios")


if __name__ == "__main__":
    main()
