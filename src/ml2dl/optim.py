"""Optimizers and learning-rate schedules, with PyTorch's update rules.

Gradient descent moves every parameter against its gradient: w′ = w − η · ∂L/∂w.
The optimizers below refine *how far* and *in which direction* to step.

Each optimizer updates the ``Parameter.data`` arrays in place from their ``.grad``.
``state_dict()`` / ``load_state_dict()`` let the training state travel (the playground
sends it with each request; checkpoints resume from it).
"""

from __future__ import annotations

import math

import numpy as np

from .checks import InputError, fraction, number_in_range, positive_int, positive_number
from .nn.module import Parameter


class Optimizer:
    """Base class: holds the parameters, the learning rate and per-parameter state."""

    def __init__(self, params, lr: float):
        params = list(params)
        if not params:
            raise InputError("optimizer got an empty parameter list; expected model.parameters()")
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise TypeError(f"optimizer expects Parameters (model.parameters()), got {type(p).__name__} at {i}")
        self.params = params
        self.lr = positive_number("lr", lr)
        self.initial_lr = self.lr
        self.step_count = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0

    def step(self) -> None:
        self.step_count += 1
        for i, p in enumerate(self.params):
            self._update(i, p)

    def _update(self, i: int, p: Parameter) -> None:
        raise NotImplementedError

    # -- state that travels -------------------------------------------------------------
    _state_names: tuple[str, ...] = ()

    def state_dict(self) -> dict:
        """Learning rate, step count and every per-parameter buffer (lists of arrays)."""
        state = {"lr": self.lr, "step_count": self.step_count}
        for name in self._state_names:
            state[name] = [None if a is None else a.copy() for a in getattr(self, name)]
        return state

    def load_state_dict(self, state: dict) -> None:
        self.lr = float(state["lr"])
        self.step_count = int(state["step_count"])
        for name in self._state_names:
            arrays = state[name]
            if len(arrays) != len(self.params):
                raise InputError(f"{name}: expected {len(self.params)} arrays, got {len(arrays)}")
            loaded = []
            for p, a in zip(self.params, arrays):
                if a is None:
                    loaded.append(None)
                    continue
                a = np.asarray(a, dtype=p.data.dtype)
                if a.shape != p.data.shape:
                    raise InputError(f"{name}: expected shape {p.data.shape}, got {a.shape}")
                loaded.append(a.copy())
            setattr(self, name, loaded)


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov and L2 weight decay.

    As PyTorch (dampening 0):
        g ← ∂L/∂w + λ·w
        v ← g (first step), then v ← μ·v + g
        w ← w − η·(g + μ·v)  with Nesterov, else w ← w − η·v  (w − η·g without momentum)

    Args:
        params: ``model.parameters()``.
        lr: η > 0.
        momentum: μ in [0, 1).
        weight_decay: λ ≥ 0 (L2 penalty added to the gradient).
        nesterov: look-ahead momentum (needs momentum > 0).
    """

    _state_names = ("velocity",)

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr)
        self.momentum = fraction("momentum", momentum)
        self.weight_decay = number_in_range("weight_decay", weight_decay, 0.0)
        if nesterov and self.momentum == 0:
            raise InputError("nesterov=True needs momentum > 0, got momentum=0")
        self.nesterov = bool(nesterov)
        self.velocity = [None] * len(self.params)

    def _update(self, i, p):
        g = p.grad if self.weight_decay == 0 else p.grad + self.weight_decay * p.data
        if self.momentum:
            v = self.velocity[i]
            if v is None:
                v = self.velocity[i] = g.copy()
            else:
                v *= self.momentum
                v += g
            g = g + self.momentum * v if self.nesterov else v
        p.data -= p.data.dtype.type(self.lr) * g


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015): per-parameter steps from running moments of the gradient.

        g ← ∂L/∂w + λ·w                     (L2 weight decay, as torch.optim.Adam)
        m ← β₁·m + (1 − β₁)·g ;  v ← β₂·v + (1 − β₂)·g²
        w ← w − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    Args:
        params, lr (1e-3), betas ((0.9, 0.999)), eps (1e-8), weight_decay (0).
    """

    _state_names = ("m", "v")
    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise InputError(f"betas must be a pair (β₁, β₂), got {betas!r}")
        self.betas = (fraction("betas[0]", betas[0]), fraction("betas[1]", betas[1]))
        self.eps = number_in_range("eps", eps, 0.0)
        self.weight_decay = number_in_range("weight_decay", weight_decay, 0.0)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        b1, b2 = self.betas
        t = self.step_count + 1
        self._step_size = self.lr / (1 - b1**t)
        self._sqrt_bc2 = math.sqrt(1 - b2**t)
        super().step()

    def _update(self, i, p):
        b1, b2 = self.betas
        g = p.grad
        if self.weight_decay:
            if self.decoupled:
                p.data *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p.data
        m, v = self.m[i], self.v[i]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        denom = np.sqrt(v) / self._sqrt_bc2
        denom += self.eps
        p.data -= (self._step_size * m / denom).astype(p.data.dtype, copy=False)

    def state_dict(self):
        state = super().state_dict()
        state["betas"] = list(self.betas)
        return state

    def load_state_dict(self, state):
        super().load_state_dict(state)
        if "betas" in state:
            self.betas = tuple(float(b) for b in state["betas"])


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter 2019): before the Adam step,
    w ← w·(1 − η·λ), instead of adding λ·w to the gradient. Default λ = 0.01, as PyTorch.
    """

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


# -- learning-rate schedules -------------------------------------------------------------------


class LRScheduler:
    """Sets ``optimizer.lr`` from a schedule; call ``step()`` once per epoch (or per batch for one-cycle).

    ``lr_at(t)`` is the pure schedule, handy for plotting it.
    """

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"scheduler expects an ml2dl optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = optimizer.initial_lr
        self.last_step = 0
        self._apply(0)

    def lr_at(self, t: int) -> float:
        raise NotImplementedError

    def _apply(self, t: int) -> None:
        self.optimizer.lr = self.lr_at(t)

    def step(self) -> None:
        self.last_step += 1
        self._apply(self.last_step)

    def get_last_lr(self) -> float:
        return self.optimizer.lr

    def state_dict(self) -> dict:
        return {"last_step": self.last_step}

    def load_state_dict(self, state: dict) -> None:
        self.last_step = int(state["last_step"])
        self._apply(self.last_step)


class StepLR(LRScheduler):
    """η_t = η₀ · γ^⌊t / step_size⌋."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = positive_int("step_size", step_size)
        self.gamma = positive_number("gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, t):
        return self.base_lr * self.gamma ** (t // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0):
        self.T_max = positive_int("T_max", T_max)
        self.eta_min = number_in_range("eta_min", eta_min, 0.0)
        super().__init__(optimizer)

    def lr_at(self, t):
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class OneCycleLR(LRScheduler):
    """One-cycle policy (Smith 2018), as ``torch.optim.lr_scheduler.OneCycleLR`` (two phases, cosine).

    The learning rate warms up from max_lr/div_factor to max_lr over the first ``pct_start`` of
    ``total_steps``, then anneals to max_lr/(div_factor·final_div_factor). Momentum (SGD's μ or
    Adam's β₁) cycles the opposite way between max_momentum and base_momentum. Call ``step()``
    after every batch.
    """

    def __init__(self, optimizer, max_lr: float, total_steps: int, pct_start: float = 0.3,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, cycle_momentum: bool = True,
                 base_momentum: float = 0.85, max_momentum: float = 0.95):
        self.max_lr = positive_number("max_lr", max_lr)
        if positive_int("total_steps", total_steps) < 2:  # one step has no warm-up and no annealing
            raise InputError(f"total_steps must be an int ≥ 2, got {total_steps!r}")
        self.total_steps = int(total_steps)
        self.pct_start = number_in_range("pct_start", pct_start, 0.0, 1.0, low_open=True, high_open=True)
        self.initial = self.max_lr / positive_number("div_factor", div_factor)
        self.final = self.initial / positive_number("final_div_factor", final_div_factor)
        self.cycle_momentum = cycle_momentum and (
            isinstance(optimizer, Adam) or getattr(optimizer, "momentum", 0) > 0)
        self.base_momentum, self.max_momentum = base_momentum, max_momentum
        self.warmup_end = float(pct_start * total_steps) - 1
        super().__init__(optimizer)

    @staticmethod
    def _cos(start, end, pct):
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    def _phase(self, t):
        """(start, end, pct, momentum start, momentum end) of step t."""
        if t > self.total_steps:
            raise InputError(f"OneCycleLR stepped {t} times, more than total_steps={self.total_steps}")
        if t <= self.warmup_end:
            return self.initial, self.max_lr, t / self.warmup_end, self.max_momentum, self.base_momentum
        span = (self.total_steps - 1) - self.warmup_end
        return self.max_lr, self.final, (t - self.warmup_end) / span, self.base_momentum, self.max_momentum

    def lr_at(self, t):
        start, end, pct, _, _ = self._phase(t)
        return self._cos(start, end, pct)

    def momentum_at(self, t):
        _, _, pct, m0, m1 = self._phase(t)
        return self._cos(m0, m1, pct)

    def _apply(self, t):
        super()._apply(t)
        if self.cycle_momentum:
            m = self.momentum_at(t)
            if isinstance(self.optimizer, Adam):
                self.optimizer.betas = (m, self.optimizer.betas[1])
            else:
                self.optimizer.momentum = m
