"""ml2dl's engine against PyTorch, side by side in one process with the same thread count.

Four workloads (the engine must feel instant in the module and train real CNNs on a CPU):
  1. the playground network 2 → 8 → 8 → 1 (tanh), batch 10: one SGD step (forward, backward, update);
  2. the lesson CNN on 28×28 images, batch 64, Adam: one epoch over 4,708 images (forward + backward + step);
  3. one image through the step-9 CNN (``lessons.pipeline.build_model``), as the module's page asks;
  4. inference of the lesson CNN on 624 images.

The lab's strong CNN is measured by strong_cnn.py, its peak memory by peak_memory.py; what
bounds each epoch ratio (every kernel against PyTorch's at the same shapes) by engine_bounds.py.
Prints the median of alternating runs and the ratio ml2dl / PyTorch (below 1 means ml2dl is faster).
Run:  python benchmarks/engine_vs_torch.py [--repeats 7] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from ml2dl import nn, optim

# Wall time by default. --cpu-time: this process's CPU time, steadier on a loaded machine, and
# fair only with one thread (with more, it sums the threads, and spinning threads count).
clock = time.perf_counter


def lesson_cnn(rng=0):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 1),
    ).reset_parameters(rng)


def step9_cnn(seed=0):
    from ml2dl.lessons.pipeline import build_model

    return build_model(seed)


def playground_net(rng=0):
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1)).reset_parameters(rng)


def data(n_images=4708, n_test=624, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((n_images, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 2, (n_images, 1)).astype(np.float32)
    points = rng.uniform(-1, 1, (10, 2)).astype(np.float32)
    point_labels = (points[:, :1] * points[:, 1:] > 0).astype(np.float32)
    test = rng.random((n_test, 1, 28, 28), dtype=np.float32)
    return images, labels, points, point_labels, test


# -- ml2dl -------------------------------------------------------------------------------------

def ours_playground(points, labels, steps=2000):
    model = playground_net()
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.SGD(model.parameters(), lr=0.1)
    start = clock()
    for _ in range(steps):
        loss_fn(model(points), labels)
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()
    return (clock() - start) / steps * 1e6


def ours_epoch(images, labels, batch=64):
    model = lesson_cnn()
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    start = clock()
    for i in range(0, len(images), batch):
        loss_fn(model(images[i:i + batch]), labels[i:i + batch])
        model.backward(loss_fn.backward(), input_grad=False)
        opt.step()
        opt.zero_grad()
    return clock() - start


def ours_one_image(test, images=300):
    model = step9_cnn().eval()
    start = clock()
    for i in range(images):
        model(test[i:i + 1])
    return (clock() - start) / images * 1e6


def ours_inference(test, batch=256):
    model = lesson_cnn().eval()
    start = clock()
    for i in range(0, len(test), batch):
        model(test[i:i + batch])
    return clock() - start


# -- PyTorch, the same work ---------------------------------------------------------------------

def torch_playground(torch, points, labels, steps=2000):
    model = playground_net().to_torch()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.from_numpy(points), torch.from_numpy(labels)
    start = clock()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return (clock() - start) / steps * 1e6


def torch_epoch(torch, images, labels, batch=64):
    model = lesson_cnn().to_torch()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    start = clock()
    for i in range(0, len(images), batch):
        opt.zero_grad()
        loss_fn(model(x[i:i + batch]), y[i:i + batch]).backward()
        opt.step()
    return clock() - start


def torch_one_image(torch, test, images=300):
    model = step9_cnn().to_torch().eval()
    x = torch.from_numpy(test)
    start = clock()
    with torch.no_grad():
        for i in range(images):
            model(x[i:i + 1])
    return (clock() - start) / images * 1e6


def torch_inference(torch, test, batch=256):
    model = lesson_cnn().to_torch().eval()
    x = torch.from_numpy(test)
    start = clock()
    with torch.no_grad():
        for i in range(0, len(test), batch):
            model(x[i:i + batch])
    return clock() - start


def paired_runs(ours, theirs, repeats):
    """Alternate the two runs (ours first, then theirs first) so that a change in machine load
    hits both alike. Each run returns a time. Returns the median of each and the median of the
    per-pair ratios ours / theirs, which is steadier than a ratio of medians on a machine whose
    speed drifts."""
    ours(), theirs()  # warm up: first-call imports, BLAS and thread start-up
    a, b = [], []
    for i in range(repeats):
        if i % 2:
            b.append(theirs())
            a.append(ours())
        else:
            a.append(ours())
            b.append(theirs())
    ratios = [x / y for x, y in zip(a, b)]
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def same_threads(torch, threads):
    """PyTorch and NumPy's BLAS get ``threads``; returns the context in which ml2dl uses as many."""
    torch.set_num_threads(threads)
    try:  # NumPy's BLAS, used outside ml2dl's threads, gets the same number as PyTorch
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=threads)
    except ImportError:
        print("threadpoolctl not installed: NumPy's BLAS uses its default thread count")
    return nn.num_threads(threads)


def use_cpu_time(args):
    """--cpu-time: time with this process's CPU time (see ``clock``)."""
    global clock
    if args.cpu_time:
        if args.threads != 1:
            raise SystemExit("--cpu-time measures one thread only: add --threads 1")
        clock = time.process_time


def load():
    """The 1-minute load average and the cores, printed with every figure (the machine is shared)."""
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def print_rows(rows):
    print(f"{'workload':<50} {'ml2dl':>10} {'PyTorch':>10} {'time ratio':>11}")
    for name, a, b, ratio in rows:
        print(f"{name:<50} {a:>10.3f} {b:>10.3f} {ratio:>10.2f}x", flush=True)
    print("time ratio = ml2dl time / PyTorch time (below 1: ml2dl faster), the median of the runs' pairwise ratios")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--cpu-time", action="store_true", help="CPU time instead of wall time (one thread only)")
    args = parser.parse_args(argv)
    use_cpu_time(args)
    try:
        import torch
    except ImportError:
        raise SystemExit("this benchmark compares with PyTorch: pip install torch==2.13.0")
    images, labels, points, point_labels, test = data()
    print(f"threads: {args.threads} (torch {torch.__version__}, numpy {np.__version__}); "
          f"median of {args.repeats} alternating runs; {'CPU' if args.cpu_time else 'wall'} time; {load()}", flush=True)
    with same_threads(torch, args.threads):
        rows = [("playground 2-8-8-1, batch 10: µs per SGD step",
                 *paired_runs(lambda: ours_playground(points, point_labels),
                              lambda: torch_playground(torch, points, point_labels), args.repeats)),
                ("lesson CNN epoch, 4,708 imgs, batch 64, Adam: s",
                 *paired_runs(lambda: ours_epoch(images, labels),
                              lambda: torch_epoch(torch, images, labels), args.repeats)),
                ("step-9 CNN, one image: µs per image",
                 *paired_runs(lambda: ours_one_image(test), lambda: torch_one_image(torch, test), args.repeats)),
                ("lesson CNN inference, 624 imgs: s",
                 *paired_runs(lambda: ours_inference(test), lambda: torch_inference(torch, test), args.repeats))]
    print_rows(rows)
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
