"""What bounds the engine's epoch ratios to PyTorch: every kernel of an epoch, side by side.

For the lesson CNN (batch 64, Adam) and the lab's strong CNN (width 16, batch 64, AdamW), at
the exact shapes of their layers, one process, the same thread count on both sides, this
times per batch and scales to the 4,708-image epoch:

  - the matrix products (GEMM): NumPy's float32 matmul (OpenBLAS) against torch.mm, at the
    same shapes and memory orders, through the engine's kernels (its parts, BLAS one thread
    each) (conv: [W|b]·cols, dL/dW = g·colsᵀ, dL/dx; linear: x·Wᵀ, gᵀ·x, g·W);
  - im2col / col2im against torch's unfold / fold (PyTorch's own convolution needs neither);
  - each layer whole, forward + backward (the engine's layer against PyTorch's with autograd);
  - the optimizer step over the model's parameters;
  - for ``ml2dl train``'s epoch: augmentation (the same NumPy code on both sides), precise
    batch-norm statistics (16 clean batches) and the validation pass (524 images).

Each convolution is also timed in PyTorch without oneDNN (its own im2col + GEMM path), the
same algorithm as the engine's. It then composes the GEMM-bound floor: the engine's own
matrix products, im2col/col2im counted as free, and every other layer and the optimizer at
the faster side's time. The floor divided by PyTorch's epoch (composed the same way, and
with --epochs measured) is the best ratio the engine could reach while its products run
in NumPy's BLAS and its convolutions are im2col + GEMM.

Clock: this thread's CPU time with one thread (robust to other processes' load), wall time
with more. Each figure is the median of alternating runs (ours, theirs / theirs, ours).
Run:  python benchmarks/engine_bounds.py [--threads 1] [--repeats 7] [--model lesson|strong] [--epochs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_vs_torch import lesson_cnn, load, same_threads  # noqa: E402

from ml2dl import nn, optim  # noqa: E402
from ml2dl.nn import kernels as K  # noqa: E402

N_TRAIN, N_VAL, BATCH = 4708, 524, 64
BATCHES = N_TRAIN / BATCH  # the epoch's batches, the last one partial
clock = time.thread_time


def strong_cnn():
    from ml2dl.train import build_model

    return build_model("strong", in_channels=1, image_size=28, width=16, seed=0)


def timed(fn, target=0.02):
    """Seconds per call of fn, calling it enough times to fill ``target`` seconds."""
    fn()
    reps, spent = 1, 0.0
    while True:
        start = clock()
        for _ in range(reps):
            fn()
        spent = clock() - start
        if spent >= target or reps >= 1 << 14:
            return spent / reps
        reps *= 2 if spent == 0 else max(2, min(16, int(target / spent * 1.2) + 1))


def paired(ours, theirs, repeats):
    """Medians of alternating runs: (ours s/call, theirs s/call)."""
    a, b = [], []
    for i in range(repeats):
        for who in ((ours, a), (theirs, b))[:: 1 if i % 2 == 0 else -1]:
            who[1].append(timed(who[0]))
    return statistics.median(a), statistics.median(b)


def torch_array(torch, a):
    return torch.from_numpy(np.ascontiguousarray(a))


class Rows:
    """The table: (group, name, ours s/epoch, theirs s/epoch)."""

    def __init__(self):
        self.rows = []

    def add(self, group, name, ours, theirs, scale=BATCHES):
        self.rows.append((group, name, ours * scale, theirs * scale))
        print(f"  {group:<6} {name:<52} {ours * scale * 1e3:9.1f} {theirs * scale * 1e3:9.1f} "
              f"{ours / theirs:6.2f}x", flush=True)

    def total(self, group):
        return (sum(r[2] for r in self.rows if r[0] == group), sum(r[3] for r in self.rows if r[0] == group))


def conv_rows(torch, rows, i, layer, x, g, first, repeats):
    """The matrix products and patch copies of one convolution, engine against torch.mm / unfold."""
    F = torch.nn.functional
    s = K.conv_shape(x.shape, layer.kernel_size, layer.stride, layer.padding, g.shape[2:])
    work = K.Workspace()
    cols = K.im2col(x, s, work, ones_row=layer.bias is not None)
    a = np.ascontiguousarray(layer._weight_and_bias())
    out = np.empty((a.shape[0], cols.shape[1]), np.float32)
    ta, tcols, tout = torch_array(torch, a), torch.from_numpy(cols), torch.from_numpy(out)
    tag = f"conv{i} {s.c}→{a.shape[0]} {s.h}×{s.w}"
    rows.add("gemm", f"{tag} fwd ({a.shape[0]}×{a.shape[1]})·({cols.shape[0]}×{cols.shape[1]})",
             *paired(lambda: K.matmul_columns(a, cols, s, work), lambda: torch.mm(ta, tcols, out=tout), repeats))
    gc = np.ascontiguousarray(K.as_columns(g))
    tgc = torch.from_numpy(gc)
    rows.add("gemm", f"{tag} dL/dW g·colsᵀ",
             *paired(lambda: K.weight_grad(gc, cols, s), lambda: torch.mm(tgc, tcols.T), repeats))
    tx = torch_array(torch, x)
    rows.add("im2col", f"{tag} im2col | unfold",
             *paired(lambda: K.im2col(x, s, work, ones_row=layer.bias is not None),
                     lambda: F.unfold(tx, layer.kernel_size, padding=layer.padding), repeats))
    if first:
        return
    o, c = layer.out_channels, layer.in_channels
    w = layer.weight.data
    if o <= c:  # the engine's path: im2col of g, then one product (kernels.conv.input_grad)
        gs = K.ConvShape(s.n, o, s.ho, s.wo, *layer.kernel_size, 1, 1, *layer.padding, s.h, s.w)
        g_cols = K.im2col(g, gs, work, ones_row=False, name="g")
        wf = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(c, -1))
        dx = np.empty((c, g_cols.shape[1]), np.float32)
        twf, tg_cols, tdx = torch.from_numpy(wf), torch.from_numpy(g_cols), torch.from_numpy(dx)
        rows.add("gemm", f"{tag} dL/dx Wflip·im2col(g)",
                 *paired(lambda: K.matmul_columns(wf, g_cols, gs, work), lambda: torch.mm(twf, tg_cols, out=tdx), repeats))
        tg = torch_array(torch, g)
        rows.add("im2col", f"{tag} im2col(g) | unfold",
                 *paired(lambda: K.im2col(g, gs, work, ones_row=False, name="g"),
                         lambda: F.unfold(tg, layer.kernel_size, padding=layer.padding), repeats))
    else:  # Wᵀ · g, then col2im
        wt = np.ascontiguousarray(w.reshape(o, -1).T)
        dcols = np.empty((wt.shape[0], gc.shape[1]), np.float32)
        twt, tdcols = torch.from_numpy(wt), torch.from_numpy(dcols)
        rows.add("gemm", f"{tag} dL/dx Wᵀ·g", *paired(lambda: K.matmul_columns(wt, gc, s, work),
                                                      lambda: torch.mm(twt, tgc, out=tdcols), repeats))
        tfold = torch.from_numpy(np.ascontiguousarray(
            dcols.reshape(-1, s.n, s.length).transpose(1, 0, 2)))  # (N, C·kh·kw, L), as fold takes it
        rows.add("im2col", f"{tag} col2im | fold",
                 *paired(lambda: K.col2im(dcols, s),
                         lambda: F.fold(tfold, (s.h, s.w), layer.kernel_size, padding=layer.padding), repeats))


def linear_rows(torch, rows, i, layer, x, g, first, repeats):
    w = layer.weight.data
    tx, tw, tg = torch_array(torch, x), torch.from_numpy(w), torch_array(torch, g)
    tag = f"linear{i} {w.shape[1]}→{w.shape[0]}"
    rows.add("gemm", f"{tag} x·Wᵀ+b, gᵀ·x" + ("" if first else ", g·W"),
             *paired(lambda: (K.matmul(x, w.T, layer.bias.data), K.batch_sums(g, x),
                              None if first else K.matmul(g, w)),
                     lambda: (torch.addmm(torch.from_numpy(layer.bias.data), tx, tw.T), tg.T @ tx,
                              None if first else tg @ tw), repeats))


def layer_rows(torch, model, tmodel, x, rows, repeats):
    """Each layer whole (forward + backward) and, inside conv/linear layers, their kernels."""
    outs = model.forward_all(x)
    rng = np.random.default_rng(1)
    ins = [x] + outs[:-1]
    first_with_params = next(i for i, layer in enumerate(model.layers) if layer.parameters())
    for i, (layer, tlayer) in enumerate(zip(model.layers, tmodel)):
        xi, yi = ins[i], outs[i]
        g = np.empty_like(yi)  # in the output's memory order, as the layer after it hands it back
        g[...] = rng.standard_normal(yi.shape, dtype=np.float32)
        first = i <= first_with_params
        name = type(layer).__name__
        if name == "Conv2d":
            conv_rows(torch, rows, i, layer, xi, g, first, repeats)
        elif name == "Linear":
            linear_rows(torch, rows, i, layer, xi, g, first, repeats)
        txi = torch_array(torch, xi).requires_grad_(not first)
        tg = torch_array(torch, g)

        def ours(layer=layer, xi=xi, g=g, first=first):
            layer(xi)
            if layer.can_skip_input_grad:
                layer.backward(g, input_grad=not first)
            else:
                layer.backward(g)

        def theirs(tlayer=tlayer, txi=txi, tg=tg):
            tlayer(txi).backward(tg)

        group = "layer" if name in ("Conv2d", "Linear") else "other"
        rows.add(group, f"{name} {i} {tuple(xi.shape[1:])} fwd+bwd", *paired(ours, theirs, repeats))
        if name == "Conv2d" and torch.backends.mkldnn.is_available():
            def im2col_gemm(theirs=theirs):  # PyTorch's own im2col + GEMM convolution (slow_conv2d)
                with torch.backends.mkldnn.flags(enabled=False):
                    theirs()

            rows.add("ref", f"  the same, PyTorch without oneDNN (im2col + GEMM)", *paired(ours, im2col_gemm, repeats))


def optimizer_rows(torch, model, tmodel, rows, repeats, adamw):
    params, tparams = model.parameters(), list(tmodel.parameters())
    for p in params:
        p.grad[...] = 1e-3
    for p in tparams:
        p.grad = torch.full_like(p, 1e-3)
    opt = (optim.AdamW if adamw else optim.Adam)(params, lr=1e-6)
    topt = (torch.optim.AdamW if adamw else torch.optim.Adam)(tparams, lr=1e-6)
    rows.add("other", f"{'AdamW' if adamw else 'Adam'} step ({sum(p.data.size for p in params)} weights)",
             *paired(opt.step, topt.step, repeats))


def data_rows(torch, model, tmodel, rows, repeats):
    """What ``ml2dl train`` adds to the engine's epoch: augmentation, precise BN, validation."""
    from ml2dl.data import Augment
    from ml2dl.train import Recipe

    rng = np.random.default_rng(2)
    batch = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    aug, aug_rng = Augment(), np.random.default_rng(3)
    spent = timed(lambda: aug(batch, aug_rng))
    rows.add("data", "augmentation of a batch (the same NumPy code both)", spent, spent)
    val = rng.random((N_VAL, 1, 28, 28), dtype=np.float32)
    tval = torch.from_numpy(val)
    model.eval(), tmodel.eval()

    def ours_val():
        for i in range(0, N_VAL, 256):
            model(val[i:i + 256])

    def theirs_val():
        with torch.no_grad():
            tmodel(tval)

    rows.add("data", f"validation forward, {N_VAL} images", *paired(ours_val, theirs_val, repeats), scale=1)
    precise = Recipe().precise_bn or 0
    if precise and any(type(layer).__name__ == "BatchNorm2d" for layer in model.layers):
        model.train(), tmodel.train()
        tbatch = torch.from_numpy(batch)

        def theirs_clean():
            with torch.no_grad():
                tmodel(tbatch)

        rows.add("data", f"precise BN: {precise} clean training batches",
                 *paired(lambda: model(batch), theirs_clean, repeats), scale=precise)


def bounds(torch, name, repeats, threads=1, epochs=False):
    model = lesson_cnn() if name == "lesson" else strong_cnn()
    model.train()
    tmodel = model.to_torch().train()
    x = np.random.default_rng(0).random((BATCH, 1, 28, 28), dtype=np.float32)
    print(f"\n{name} CNN, batch {BATCH}, per epoch of {N_TRAIN} images (ms): ours, PyTorch, ratio", flush=True)
    rows = Rows()
    layer_rows(torch, model, tmodel, x, rows, repeats)
    optimizer_rows(torch, model, tmodel, rows, repeats, adamw=name == "strong")
    if name == "strong":
        data_rows(torch, model, tmodel, rows, repeats)
    summarise(rows, name, measured_epochs(torch, name, threads, repeats) if epochs else None)


def measured_epochs(torch, name, threads, repeats):
    """The real epochs (engine_vs_torch.py's and strong_cnn.py's workloads), ours and PyTorch's:
    {label: (ours s, theirs s)}."""
    import engine_vs_torch as evt
    import strong_cnn as sc

    evt.clock = clock
    if name == "lesson":
        images, labels, *_ = evt.data()
        return {"epoch": paired_once(lambda: evt.ours_epoch(images, labels),
                                     lambda: evt.torch_epoch(torch, images, labels), repeats)}
    train, val = sc.splits(sc.DEFAULT_DATA)
    return {"epoch": paired_once(lambda: sc.ours_engine(train), lambda: sc.torch_engine(torch, train), repeats),
            "train": paired_once(lambda: sc.ours_train_epoch(train, val, threads),
                                 lambda: sc.torch_train_epoch(train, val, threads), repeats)}


def paired_once(ours, theirs, repeats):
    """Medians of alternating runs of functions that time themselves (seconds)."""
    a, b = [], []
    for i in range(repeats):
        for fn, into in ((ours, a), (theirs, b))[:: 1 if i % 2 == 0 else -1]:
            into.append(fn())
    return statistics.median(a), statistics.median(b)


def summarise(rows, name, epochs=None):
    gemm, _ = rows.total("gemm")
    copies, _ = rows.total("im2col")
    layers, layers_t = rows.total("layer")
    other, other_t = rows.total("other")
    data, data_t = rows.total("data")
    best_other = sum(min(r[2], r[3]) for r in rows.rows if r[0] == "other")
    best_data = sum(min(r[2], r[3]) for r in rows.rows if r[0] == "data")
    ours, theirs = layers + other, layers_t + other_t
    floor = gemm + best_other
    conv_gemm = sum(r[2] for r in rows.rows if r[0] == "gemm" and r[1].startswith("conv"))
    conv_torch = sum(r[3] for r in rows.rows if r[0] == "layer" and r[1].startswith("Conv2d"))
    print(f"  convolutions: our matrix products alone {conv_gemm * 1e3:.0f} ms against PyTorch's whole conv "
          f"layers, forward + backward, {conv_torch * 1e3:.0f} ms ({conv_gemm / conv_torch:.2f}x)")
    print(f"  engine epoch (sum of layers + step): ours {ours * 1e3:.0f} ms, PyTorch {theirs * 1e3:.0f} ms: "
          f"composed ratio {ours / theirs:.2f}x")
    print(f"  of ours: GEMM {gemm * 1e3:.0f} ms ({gemm / ours:.0%}), im2col/col2im {copies * 1e3:.0f} ms "
          f"({copies / ours:.0%}), non-conv layers + step {other * 1e3:.0f} ms ({other / ours:.0%})")
    print(f"  GEMM-bound floor: our GEMMs + every other layer and the step at the faster side's time, "
          f"im2col/col2im free: {floor * 1e3:.0f} ms (with our im2col/col2im {(floor + copies) * 1e3:.0f} ms)")
    against = {"composed": (theirs, theirs + data_t)}
    if epochs:
        against["measured"] = (epochs["epoch"][1], epochs.get("train", (0, None))[1])
        for label, (a, b) in epochs.items():
            print(f"  measured {label}: ours {a:.3f} s, PyTorch {b:.3f} s: {a / b:.2f}x")
    for how, (epoch_t, train_t) in against.items():
        print(f"  floor / PyTorch's {how} epoch: {floor / epoch_t:.2f}x "
              f"(with our im2col/col2im {(floor + copies) / epoch_t:.2f}x; GEMMs alone {gemm / epoch_t:.2f}x)")
        if data and train_t:
            print(f"  `ml2dl train` floor / PyTorch's {how} train epoch: {(floor + best_data) / train_t:.2f}x "
                  f"(with our im2col/col2im {(floor + copies + best_data) / train_t:.2f}x)")


def main(argv=None):
    global clock
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--model", choices=("lesson", "strong", "both"), default="both")
    parser.add_argument("--epochs", action="store_true",
                        help="also time the real epochs, and give the floor against PyTorch's measured epoch")
    args = parser.parse_args(argv)
    import torch

    if args.threads > 1:
        clock = time.perf_counter
    print(f"threads: {args.threads} (torch {torch.__version__}, numpy {np.__version__}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}); {'thread CPU' if args.threads == 1 else 'wall'} "
          f"time, median of {args.repeats} alternating runs; {load()}", flush=True)
    with same_threads(torch, args.threads):
        for name in (("lesson", "strong") if args.model == "both" else (args.model,)):
            bounds(torch, name, args.repeats, args.threads, args.epochs)
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
