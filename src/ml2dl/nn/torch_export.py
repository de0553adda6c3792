"""``model.to_torch()``: the same architecture as ``torch.nn.Sequential`` with the same weights.

torch is imported here only, lazily: it is never a runtime dependency of ml2dl.
"""

from __future__ import annotations

import numpy as np

from . import activation, conv, linear, normalization, pooling, recurrent


def _import_torch():
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch() needs PyTorch, which is not installed; install it with "
                          "'pip install torch'") from None
    return torch


def _layer_to_torch(layer, torch):
    tnn = torch.nn
    if isinstance(layer, linear.Linear):
        return tnn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    if isinstance(layer, recurrent.RNN):
        return recurrent.torch_rnn(layer, torch)
    if isinstance(layer, conv.Conv2d):
        return tnn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                          layer.padding, bias=layer.bias is not None)
    simple = {
        pooling.MaxPool2d: lambda l: tnn.MaxPool2d(l.kernel_size, l.stride),
        pooling.AvgPool2d: lambda l: tnn.AvgPool2d(l.kernel_size, l.stride),
        pooling.AdaptiveAvgPool2d: lambda l: tnn.AdaptiveAvgPool2d(l.output_size),
        normalization.BatchNorm1d: lambda l: tnn.BatchNorm1d(l.num_features, l.eps, l.momentum, l.affine),
        normalization.BatchNorm2d: lambda l: tnn.BatchNorm2d(l.num_features, l.eps, l.momentum, l.affine),
        linear.Flatten: lambda l: tnn.Flatten(),
        activation.Identity: lambda l: tnn.Identity(),
        linear.Dropout: lambda l: tnn.Dropout(l.p),
        activation.Sigmoid: lambda l: tnn.Sigmoid(),
        activation.Tanh: lambda l: tnn.Tanh(),
        activation.ReLU: lambda l: tnn.ReLU(),
        activation.LeakyReLU: lambda l: tnn.LeakyReLU(l.negative_slope),
        activation.Softmax: lambda l: tnn.Softmax(dim=l.dim),
        activation.Step: lambda l: _heaviside(torch),
    }
    for cls, make in simple.items():
        if type(layer) is cls:
            return make(layer)
    raise TypeError(f"no PyTorch equivalent for layer {layer!r}")


def _heaviside(torch):
    class Heaviside(torch.nn.Module):
        """1 where x > 0, else 0; its gradient is zero (``x * 0`` keeps it in the autograd graph)."""

        def forward(self, x):
            return (x > 0).to(x.dtype) + x * 0

    return Heaviside()


def to_torch(model):
    """Build ``torch.nn.Sequential`` with ``model``'s layers, weights, buffers, dtype and train/eval mode."""
    torch = _import_torch()
    layers = [_layer_to_torch(layer, torch) for layer in model.layers]
    tmodel = torch.nn.Sequential(*layers)
    params = dict(model.named_parameters())
    dtype = next(iter(params.values())).data.dtype if params else np.dtype(np.float32)
    tmodel = tmodel.to(torch.float64 if dtype == np.float64 else torch.float32)
    state = {k: torch.from_numpy(np.array(v)) for k, v in model.state_dict().items()}
    tmodel.load_state_dict(state)
    tmodel.train(model.training)
    return tmodel
