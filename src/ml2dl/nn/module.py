"""Module, Parameter and Sequential: the skeleton every layer hangs on.

A layer is a :class:`Module` with an explicit ``forward(x)`` and ``backward(grad_out)``.
``forward`` caches what ``backward`` needs; ``backward`` returns dL/dx and *adds*
dL/dθ into each :class:`Parameter`'s ``.grad`` (so gradients of several batches
accumulate until ``zero_grad()``, as in PyTorch).

Parameters are gathered the micrograd way: a flat list collected from the module's
attributes, children first in the order they were assigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..checks import InputError, rng as generator

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
    """

    _buffers: tuple[str, ...] = ()
    can_skip_input_grad = False  # True where backward(grad, input_grad=False) saves work

    def __init__(self):
        self.training = True
        self.output = None  # the last forward output, kept so lessons can show feature maps

    # -- computation ---------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x) -> np.ndarray:
        self.output = None  # let the last output go first, so that its memory can hold the new one
        out = self.forward(x)
        self.output = out
        return out

    def scratch(self, name: str, shape, dtype, *, order=None, zeros: bool = False) -> np.ndarray:
        """Working memory this layer keeps from one call to the next (patch matrices, masks).

        Only for arrays whose old contents are dead by the next call and which are never
        handed to the caller. Reusing them spares the system handing out fresh pages on
        every batch: each first touch of a fresh page is a fault, and they added up to ~5%
        of a training epoch. ``zeros``: filled with zeros when (re)allocated; after that it
        holds whatever the layer left in it. ``order``: the axes from outermost to innermost
        in memory (default C order). (Like the cache ``backward`` uses, this makes a layer
        unsafe to call from two threads at once.)
        """
        order = tuple(range(len(shape))) if order is None else tuple(order)
        stored_shape = tuple(shape[axis] for axis in order)
        kept = self.__dict__.setdefault("_scratch", {})
        stored, stored_order = kept.get(name, (None, None))
        if stored is None or stored.shape != stored_shape or stored.dtype != dtype or stored_order != order:
            stored = (np.zeros if zeros else np.empty)(stored_shape, dtype=dtype)
            kept[name] = (stored, order)
        return stored.transpose(np.argsort(order))

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


@dataclass
class ModelSummary:
    """What :meth:`Sequential.summary` computed: one row per layer, and totals."""

    rows: list[dict] = field(default_factory=list)
    total_params: int = 0
    input_shape: tuple[int, ...] | None = None

    def table(self) -> str:
        header = ("#", "Layer", "Output shape", "Params")
        lines = [
            (str(r["index"]), r["layer"], "?" if r["output_shape"] is None else str(tuple(r["output_shape"])),
             f"{r['params']:,}")
            for r in self.rows
        ]
        widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(header)]
        fmt = "  ".join("{:<%d}" % w for w in widths[:-1]) + "  {:>%d}" % widths[-1]
        rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
        out = [fmt.format(*header), rule, *(fmt.format(*l) for l in lines), rule]
        out.append(f"Total parameters: {self.total_params:,}")
        if self.input_shape is not None:
            out.insert(0, f"Input shape: {tuple(self.input_shape)}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"ModelSummary(layers={len(self.rows)}, total_params={self.total_params})"


class Sequential(Module):
    """Layers applied one after another; ``backward`` runs them in reverse.

    Example::

        model = Sequential(Linear(2, 8), Tanh(), Linear(8, 1))
        logits = model(x)                 # (N, 2) -> (N, 1)
        grad_x = model.backward(dlogits)  # (N, 1) -> (N, 2)
    """

    def __init__(self, *layers: Module):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential expects Module layers, got {type(layer).__name__} at position {i}")
        self.layers = list(layers)

    def named_children(self):
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(*self.layers[i])
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def append(self, layer: Module) -> "Sequential":
        self.layers.append(layer)
        return self

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            try:
                x = layer(x)
            except (ValueError, TypeError) as err:
                raise type(err)(f"layer {i} ({layer!r}): {err}") from None
        return x

    def backward(self, grad_out, *, input_grad: bool = True):
        """Run every layer's backward in reverse; returns dL/dx.

        With ``input_grad=False`` (training) the first layer skips dL/dx when it can — the
        images need no gradient — and None is returned.
        """
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad and layer.can_skip_input_grad:
                return layer.backward(grad_out, input_grad=False)
            grad_out = layer.backward(grad_out)
        return grad_out

    def summary(self, input_shape: tuple[int, ...] | None = None, *, print_table: bool = True) -> ModelSummary:
        """Print (and return) each layer's output shape and parameter count, and the total.

        Args:
            input_shape: one example's shape without the batch axis, e.g. ``(1, 28, 28)``.
                Inferred when the first layer is a ``Linear``.
        """
        if input_shape is None:
            first = self.layers[0] if self.layers else None
            in_features = getattr(first, "in_features", None)
            input_shape = (in_features,) if in_features is not None else None
        rows, shape = [], input_shape
        for i, layer in enumerate(self.layers):
            if shape is not None:
                shape = layer.output_shape(tuple(shape))
            rows.append({"index": i, "layer": repr(layer), "output_shape": shape,
                         "params": layer.num_parameters()})
        result = ModelSummary(rows=rows, total_params=self.num_parameters(),
                              input_shape=tuple(input_shape) if input_shape is not None else None)
        if print_table:
            print(result.table())
        return result

    def config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"

    def to_torch(self):
        """The same architecture as a ``torch.nn.Sequential`` holding the same weights."""
        from .torch_export import to_torch

        return to_torch(self)
