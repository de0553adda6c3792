"""Peak memory of one strong-CNN training epoch: ml2dl against PyTorch, each in its own process.

Each side runs in a fresh Python process (so neither sees the other's allocations): it loads
the 4,708 training images, builds the lab's strong CNN (width 16), then records its resident
memory, runs one epoch (forward, backward, AdamW step, batch 64, as ``strong_cnn.py``'s
engine-alone workload) and reads the process's peak resident memory. The figure compared is
the growth: peak during the epoch − resident memory just before it (so the libraries' code
and the data set, loaded before, do not count).

Run:  python benchmarks/peak_memory.py [--threads 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(engine: str, threads: int, data: str) -> dict:
    sys.path.insert(0, str(HERE))
    import strong_cnn
    from engine_vs_torch import same_threads

    import torch

    train, _ = strong_cnn.splits(data)
    with same_threads(torch, threads):
        if engine == "torch":
            strong_cnn.strong().to_torch()  # torch's first-use allocations, before the baseline
            before = rss_mib()
            strong_cnn.torch_engine(torch, train)
        else:
            before = rss_mib()
            strong_cnn.ours_engine(train)
    return {"before": before, "peak": peak_mib()}


def measure(engine: str, threads: int, data: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", engine, "--threads", str(threads), "--data", data],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=None, help="PneumoniaMNIST .npz (default: strong_cnn.py's)")
    parser.add_argument("--child", choices=("ml2dl", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.data is None:
        sys.path.insert(0, str(HERE))
        from pneumonia import DEFAULT_DATA

        args.data = str(DEFAULT_DATA)
    if args.child:
        print(json.dumps(child(args.child, args.threads, args.data)))
        return
    growth = {"ml2dl": [], "torch": []}
    for _ in range(args.repeats):
        for engine in growth:
            m = measure(engine, args.threads, args.data)
            growth[engine].append(m["peak"] - m["before"])
    ours, theirs = statistics.median(growth["ml2dl"]), statistics.median(growth["torch"])
    print(f"threads: {args.threads}; median of {args.repeats} runs each")
    print(f"peak memory growth during a strong-CNN epoch: ml2dl {ours:.1f} MiB, PyTorch {theirs:.1f} MiB, "
          f"ratio {ours / theirs:.2f}x  (runs: ml2dl {growth['ml2dl']}, PyTorch {growth['torch']})")


if __name__ == "__main__":
    main()
