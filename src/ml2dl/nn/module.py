"""Module and Parameter: the skeleton every layer hangs on (containers: sequential.py).

A layer is a :class:`Module` with an explicit ``forward(x)`` and ``backward(grad_out)``.
``forward`` caches what ``backward`` needs; ``backward`` returns dL/dx and *adds*
dL/dθ into each :class:`Parameter`'s ``.grad`` (so gradients of several batches
accumulate until ``zero_grad()``, as in PyTorch).

Parameters are gathered the micrograd way: a flat list collected from the module's
attributes, children first in the order they were assigned.
"""

from __future__ import annotations

import numpy as np

from ..checks import InputError, rng as generator
from .kernels import Workspace

DEFAULT_DTYPE = np.float32


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    Attributes:
        data: the values (``np.ndarray``), updated in place by optimizers.
        grad: dL/d(data), same shape and dtype, accumulated by ``backward``.
    """

    __slots__ = ("data", "grad")

    def __init__(self, data):
        self.data = np.asarray(data)
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        self.grad[...] = 0

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class of every layer, activation and container.

    Subclasses set their settings in ``__init__``, create :class:`Parameter` attributes,
    and implement ``forward`` and ``backward``. Non-trainable state that belongs in a
    checkpoint (batch-norm running statistics) is listed in ``_buffers``.

    ``forward`` keeps what ``backward`` needs (one pass at a time per model: train a model in
    one thread). Forward passes alone (inference) may run in several threads at once on one model.
    """

    _buffers: tuple[str, ...] = ()
    can_skip_input_grad = False  # True where backward(grad, input_grad=False) saves work

    def __init__(self):
        self.training = True
        self._work = Workspace()  # memory the layer's kernels reuse from call to call

    # -- computation ---------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x) -> np.ndarray:
        return self.forward(x)

    def forget_workspace(self) -> None:
        """Let go of the working memory this thread's calls of every layer keep for the next call.

        Kept, it saves a training its page faults batch after batch; a served model that has just
        scored a whole split in batches of 256 would hold on to ~70 MB for nothing."""
        for module in self.modules():
            module._work.clear()

    # -- structure -----------------------------------------------------------------
    def named_children(self):
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix: str = ""):
        """Yield ``(dotted_name, Parameter)`` pairs: own parameters, then children's."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
        for name, child in self.named_children():
            yield from child.named_parameters(prefix + name + ".")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix: str = ""):
        for name in self._buffers:
            yield prefix + name, getattr(self, name)
        for name, child in self.named_children():
            yield from child.named_buffers(prefix + name + ".")

    def modules(self):
        """This module and all its descendants, depth first."""
        yield self
        for _, child in self.named_children():
            yield from child.modules()

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> "Module":
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def reset_parameters(self, rng=None) -> "Module":
        """Re-initialise every layer with parameters, drawing from one generator in order."""
        rng = generator(rng)
        for m in self.modules():
            if m is not self and type(m).reset_parameters is not Module.reset_parameters:
                m.reset_parameters(rng)
        return self

    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    # -- precision -----------------------------------------------------------------
    def to(self, dtype) -> "Module":
        """Cast every parameter and buffer to ``dtype`` (e.g. ``np.float64`` for gradient checks)."""
        dtype = np.dtype(dtype)
        for m in self.modules():
            for name, value in vars(m).items():
                if isinstance(value, Parameter):
                    value.data = value.data.astype(dtype)
                    value.grad = value.grad.astype(dtype)
            for name in m._buffers:
                buf = getattr(m, name)
                if np.issubdtype(buf.dtype, np.floating):
                    setattr(m, name, buf.astype(dtype))
        return self

    def double(self) -> "Module":
        return self.to(np.float64)

    def float(self) -> "Module":
        return self.to(np.float32)

    # -- state -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, keyed like PyTorch (``"0.weight"``)."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({name: np.array(b, copy=True) for name, b in self.named_buffers()})
        return state

    def load_state_dict(self, state: dict) -> None:
        """Copy arrays into this module's parameters and buffers; names and shapes must match."""
        own_params = dict(self.named_parameters())
        own_buffers = dict(self.named_buffers())
        expected = set(own_params) | set(own_buffers)
        missing = sorted(expected - set(state))
        unexpected = sorted(set(state) - expected)
        if missing or unexpected:
            raise KeyError(f"state_dict does not match the model: missing {missing}, unexpected {unexpected}")
        for name, p in own_params.items():
            value = np.asarray(state[name])
            if value.shape != p.data.shape:
                raise InputError(f"{name}: expected shape {p.data.shape}, got {value.shape}")
            p.data[...] = value
        for name, buf in own_buffers.items():
            value = np.asarray(state[name])
            if value.shape != np.shape(buf):
                raise InputError(f"{name}: expected shape {np.shape(buf)}, got {value.shape}")
            owner, attr = self._owner_of(name)
            setattr(owner, attr, value.astype(np.asarray(buf).dtype, copy=True))

    def _owner_of(self, dotted: str):
        *path, attr = dotted.split(".")
        owner = self
        for part in path:
            owner = dict(owner.named_children())[part]
        return owner, attr

    # -- description -------------------------------------------------------------------
    def config(self) -> dict:
        """The constructor arguments that rebuild this layer (used by checkpoints)."""
        return {}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.config().items())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one example's output for one example's input shape (no batch axis).

        The default runs a forward pass on zeros; layers override it when cheaper.
        """
        was_training = self.training
        self.eval()
        try:
            out = self.forward(np.zeros((1, *input_shape), dtype=DEFAULT_DTYPE))
        finally:
            self.train(was_training)
        return tuple(out.shape[1:])
