"""RNN: the Elman recurrent layer, with backpropagation through time (PyTorch's names and layout).

One weight matrix reads the input, one reads the previous hidden state; the same two are used
at every time step t = 1..L (h₀ = 0 unless given), f = tanh (or ReLU):

    forward                                           backward (BPTT), gₜ = dL/dhₜ from above (output)
    aₜ = xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh          γₜ = gₜ + δₜ₊₁ W_hh      (γ_L = g_L + dL/dh_n)
    hₜ = f(aₜ)                                        δₜ = γₜ ⊙ f′(aₜ)         tanh′ = 1 − hₜ², ReLU′ = [hₜ > 0]
                                                      dL/dxₜ = δₜ W_ih         dL/dhₜ₋₁ (into step t−1) = δₜ W_hh
                                                      dL/dW_ih = Σₜ δₜᵀ xₜ     dL/dW_hh = Σₜ δₜᵀ hₜ₋₁
                                                      dL/db_ih = dL/db_hh = Σₜ Σₙ δₜ

The error reaching step t from step t + k has been multiplied k times by W_hhᵀ and by f′ ≤ 1:
it usually shrinks geometrically with the time lag k (the vanishing gradient through time);
:attr:`RNN.hidden_grad` keeps γₜ = dL/dhₜ of the last backward pass so a lesson can show it.

Shapes (PyTorch's): input (L, N, I), or (N, L, I) with ``batch_first=True``; ``hx`` (1, N, H);
output (L, N, H) or (N, L, H) — every hₜ —, h_n (1, N, H). Parameters weight_ih_l0 (H, I),
weight_hh_l0 (H, H), bias_ih_l0 (H,), bias_hh_l0 (H,), initialised U(−1/√H, 1/√H) as PyTorch.
Only ``num_layers=1``, one direction (stack two RNNs with ``returns="sequence"`` for depth).

In a :class:`~ml2dl.nn.Sequential`, which passes one array from layer to layer, choose what the
layer gives with ``returns``: ``"pair"`` (PyTorch's ``(output, h_n)``, the default, for use on
its own), ``"sequence"`` (output only) or ``"last"`` (h_L, shape (N, H): the summary of the
whole sequence, to be read by a Linear layer)::

    model = Sequential(RNN(3, 16, batch_first=True, returns="last"), Linear(16, 1))
"""

from __future__ import annotations

import numpy as np

from ..checks import InputError, choice, positive_int, rng as generator
from ._shapes import as_float_array, input_ndim
from .module import DEFAULT_DTYPE, Module, Parameter

NONLINEARITIES = ("tanh", "relu")
RETURNS = ("pair", "sequence", "last")


class RNN(Module):
    """Elman RNN: hₜ = f(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh), f = tanh or ReLU.

    Args:
        input_size: I, features per time step.
        hidden_size: H, units of the hidden state.
        num_layers: only 1 (InputError otherwise).
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        bias: learn b_ih and b_hh.
        batch_first: input and output are (N, L, ·) instead of (L, N, ·).
        returns: ``"pair"`` (output, h_n) as PyTorch; ``"sequence"`` output; ``"last"`` h_L (N, H).
        rng: ``np.random.Generator`` or seed for the initial weights.

    ``forward(x, hx=None)``; ``backward(grad)`` takes the gradient of what forward returned
    (for ``"pair"``: ``backward(grad_output, grad_h_n=None)``), returns dL/dx, adds into every
    parameter's ``.grad`` and keeps dL/dh₀ in :attr:`hx_grad` and every dL/dhₜ in :attr:`hidden_grad`.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, *, returns: str = "pair", rng=None,
                 dtype=DEFAULT_DTYPE):
        super().__init__()
        self.input_size = positive_int("input_size", input_size)
        self.hidden_size = positive_int("hidden_size", hidden_size)
        if num_layers != 1:
            raise InputError(f"ml2dl's RNN has one layer (num_layers=1); got num_layers={num_layers!r}. "
                             f"Stack RNN(..., returns='sequence') layers for depth")
        self.num_layers = 1
        self.nonlinearity = choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self.batch_first = bool(batch_first)
        self.returns = choice("returns", returns, RETURNS)
        H, I = self.hidden_size, self.input_size
        self.weight_ih_l0 = Parameter(np.zeros((H, I), dtype=dtype))
        self.weight_hh_l0 = Parameter(np.zeros((H, H), dtype=dtype))
        self.bias_ih_l0 = Parameter(np.zeros(H, dtype=dtype)) if bias else None
        self.bias_hh_l0 = Parameter(np.zeros(H, dtype=dtype)) if bias else None
        self.hidden_grad = self.hx_grad = None
        self.reset_parameters(rng)

    def reset_parameters(self, rng=None):
        """Every weight and bias U(−1/√H, 1/√H), as PyTorch."""
        rng, bound = generator(rng), 1.0 / np.sqrt(self.hidden_size)
        for p in self.parameters():
            p.data[...] = rng.uniform(-bound, bound, p.shape)
        return self

    # -- forward -------------------------------------------------------------------------
    def __call__(self, x, hx=None):
        return self.forward(x, hx)

    def forward(self, x, hx=None):
        x = as_float_array(x, "RNN")
        input_ndim(x, (3,), "RNN", "(N, L, I)" if self.batch_first else "(L, N, I)")
        if x.shape[2] != self.input_size:
            raise InputError(f"RNN(input_size={self.input_size}) expects {self.input_size} features per step, "
                             f"got input of shape {x.shape}")
        xb = x if self.batch_first else x.transpose(1, 0, 2)  # (N, L, I), batch-major inside
        N, L, H = xb.shape[0], xb.shape[1], self.hidden_size
        dtype = np.result_type(xb, self.weight_ih_l0.data)
        h0 = np.zeros((N, H), dtype=dtype)
        if hx is not None:
            hx = np.asarray(hx, dtype=dtype)
            if hx.shape != (1, N, H):
                raise InputError(f"RNN hx must have shape (1, {N}, {H}), got {hx.shape}")
            h0 = hx[0]
        w_hh_t = self.weight_hh_l0.data.T
        a = xb @ self.weight_ih_l0.data.T  # the input's part of every aₜ at once, (N, L, H)
        if self.bias_ih_l0 is not None:
            a = a + (self.bias_ih_l0.data + self.bias_hh_l0.data)
        h = np.empty((N, L, H), dtype=dtype)
        prev = h0
        for t in range(L):  # the recurrence: each step needs the one before
            at = a[:, t] + prev @ w_hh_t
            prev = h[:, t] = np.tanh(at) if self.nonlinearity == "tanh" else np.maximum(at, 0)
        self._x, self._h0, self._h = xb, h0, h
        if self.returns == "last":
            return h[:, -1]
        output = h if self.batch_first else h.transpose(1, 0, 2)
        return output if self.returns == "sequence" else (output, h[:, -1][None])

    # -- backward: backpropagation through time --------------------------------------------
    def backward(self, grad_out, grad_h_n=None):
        xb, h0, h = self._x, self._h0, self._h
        N, L, H = h.shape
        g = np.zeros_like(h)  # dL/dhₜ from above: the output's gradient
        if self.returns == "last":
            g[:, -1] = grad_out
        elif grad_out is not None:
            g += grad_out if self.batch_first else np.asarray(grad_out).transpose(1, 0, 2)
        if grad_h_n is not None:
            g[:, -1] += np.asarray(grad_h_n).reshape(N, H)
        slope = 1 - h * h if self.nonlinearity == "tanh" else (h > 0).astype(h.dtype)  # f′(aₜ) from hₜ
        w_hh = self.weight_hh_l0.data
        gamma, delta = np.empty_like(h), np.empty_like(h)
        carry = np.zeros((N, H), dtype=h.dtype)  # δₜ₊₁ W_hh: the error from the future
        for t in range(L - 1, -1, -1):
            gamma[:, t] = g[:, t] + carry
            delta[:, t] = gamma[:, t] * slope[:, t]
            carry = delta[:, t] @ w_hh
        self.hidden_grad = gamma if self.batch_first else gamma.transpose(1, 0, 2)
        self.hx_grad = carry[None]  # dL/dh₀, (1, N, H)
        h_prev = np.concatenate([h0[:, None], h[:, :-1]], axis=1)  # hₜ₋₁ for every t
        d2, x2, p2 = delta.reshape(-1, H), xb.reshape(-1, xb.shape[2]), h_prev.reshape(-1, H)
        self.weight_ih_l0.grad += d2.T @ x2
        self.weight_hh_l0.grad += d2.T @ p2
        if self.bias_ih_l0 is not None:
            bias_grad = d2.sum(axis=0)
            self.bias_ih_l0.grad += bias_grad
            self.bias_hh_l0.grad += bias_grad
        grad_x = delta @ self.weight_ih_l0.data  # (N, L, I)
        return grad_x if self.batch_first else grad_x.transpose(1, 0, 2)

    # -- description -------------------------------------------------------------------------
    def output_shape(self, input_shape):
        """One example's output shape: (L, I) → (L, H) ("sequence"), (H,) ("last"); "pair": the output's."""
        if len(input_shape) != 2 or input_shape[-1] != self.input_size:
            raise InputError(f"RNN(input_size={self.input_size}) cannot take one example of shape {input_shape}")
        return (self.hidden_size,) if self.returns == "last" else (input_shape[0], self.hidden_size)

    def config(self):
        cfg = {"input_size": self.input_size, "hidden_size": self.hidden_size}
        if self.nonlinearity != "tanh":
            cfg["nonlinearity"] = self.nonlinearity
        if self.bias_ih_l0 is None:
            cfg["bias"] = False
        if self.batch_first:
            cfg["batch_first"] = True
        if self.returns != "pair":
            cfg["returns"] = self.returns
        return cfg


def torch_rnn(layer: RNN, torch):
    """``torch.nn.RNN`` with the same settings, giving what ``layer`` gives (``returns``); same parameter names."""

    class RNNReturning(torch.nn.RNN):
        def forward(self, x, hx=None):
            output, h_n = super().forward(x, hx)
            if layer.returns == "last":
                return h_n[0]
            return output if layer.returns == "sequence" else (output, h_n)

    return RNNReturning(layer.input_size, layer.hidden_size, 1, nonlinearity=layer.nonlinearity,
                        bias=layer.bias_ih_l0 is not None, batch_first=layer.batch_first)
