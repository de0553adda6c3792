"""Sequential: layers applied one after another, and the summary of a model.

It sits above the layers and the PyTorch export (``to_torch``), which import nothing from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .module import Module
from .torch_export import to_torch


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
        return self._forward(x, None)

    def forward_all(self, x) -> list[np.ndarray]:
        """The forward pass, keeping every stage: ``[layer_0(x), layer_1(layer_0(x)), …]``, one
        output per layer (the last is the model's output). For the lessons and Grad-CAM, which
        show the feature maps; training keeps only what backward needs."""
        outputs = []
        self._forward(x, outputs)
        return outputs

    def _forward(self, x, outputs: list | None):
        i = 0
        try:
            for i, layer in enumerate(self.layers):
                x = layer(x)
                if outputs is not None:
                    outputs.append(x)
        except (ValueError, TypeError) as err:  # say which layer refused its input
            raise type(err)(f"layer {i} ({self.layers[i]!r}): {err}") from None
        return x

    def backward(self, grad_out, *, input_grad: bool = True):
        """Run every layer's backward in reverse; returns dL/dx.

        With ``input_grad=False`` (training) the first layer skips dL/dx — the images need no
        gradient — and None is returned: a layer that can skip it computes only its own
        parameters' gradients, and a first layer without parameters is not run at all.
        """
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad:
                if layer.can_skip_input_grad:
                    layer.backward(grad_out, input_grad=False)
                elif layer.parameters():
                    layer.backward(grad_out)
                return None
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
        return to_torch(self)
