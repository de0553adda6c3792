"""Central-difference gradient checks for the engine's layers and losses (float64)."""

from __future__ import annotations

import numpy as np


def numerical_grad(f, array: np.ndarray, eps: float = 1e-6, max_entries: int = 60, rng=None) -> tuple:
    """dF/d(array) by central differences at up to ``max_entries`` entries (chosen at random).

    Returns (flat indices, numerical derivatives).
    """
    rng = np.random.default_rng(0) if rng is None else rng
    flat = array.reshape(-1)
    idx = np.arange(flat.size) if flat.size <= max_entries else rng.choice(flat.size, max_entries, replace=False)
    grads = []
    for i in idx:
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        grads.append((plus - minus) / (2 * eps))
    return idx, np.array(grads)


def check_module(module, x: np.ndarray, *, reset=None, rtol=1e-6, atol=1e-8, seed=0):
    """Compare ``module.backward`` with central differences for the input and every parameter.

    The scalar checked is F = Σ module(x) ⊙ G for a fixed random G. ``reset`` is called
    before each forward (e.g. to replay a dropout mask).
    """
    module.double()
    rng = np.random.default_rng(seed)
    x = np.array(x, dtype=np.float64)
    reset = reset or (lambda: None)
    reset()
    out = module(x)
    g = rng.standard_normal(out.shape)
    module.zero_grad()
    grad_x = module.backward(g)

    def f():
        reset()
        return float(np.sum(module(x) * g))

    idx, num = numerical_grad(f, x, rng=rng)
    np.testing.assert_allclose(grad_x.reshape(-1)[idx], num, rtol=rtol, atol=atol, err_msg="input gradient")
    for name, p in module.named_parameters():
        analytic = p.grad.copy()
        idx, num = numerical_grad(f, p.data, rng=rng)
        np.testing.assert_allclose(analytic.reshape(-1)[idx], num, rtol=rtol, atol=atol, err_msg=f"grad of {name}")


def check_loss(loss_fn, pred: np.ndarray, target: np.ndarray, *, rtol=1e-6, atol=1e-9):
    pred = np.array(pred, dtype=np.float64)
    loss_fn(pred, target)
    analytic = loss_fn.backward()
    idx, num = numerical_grad(lambda: loss_fn(pred, target), pred)
    np.testing.assert_allclose(analytic.reshape(-1)[idx], num, rtol=rtol, atol=atol)
