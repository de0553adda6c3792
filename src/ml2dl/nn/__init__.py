"""ml2dl's deep-learning engine: PyTorch's names and layouts, NumPy inside, explicit backward.

    from ml2dl import nn, optim
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    opt = optim.Adam(model.parameters(), lr=0.01)
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    opt.step(); opt.zero_grad()
"""

from . import functional, init
from .activation import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Step, Tanh, activation_by_name
from .conv import Conv2d, conv_output_size
from .kernels import get_num_threads, num_threads
from .linear import Dropout, Flatten, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, Loss, MSELoss
from .module import Module, Parameter
from .sequential import ModelSummary, Sequential
from .torch_export import to_torch
from .normalization import BatchNorm1d, BatchNorm2d
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .recurrent import RNN
from .serialization import CheckpointError, architecture, build, load, save

__all__ = [
    "Module", "Parameter", "Sequential", "ModelSummary",
    "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten", "Dropout",
    "BatchNorm1d", "BatchNorm2d", "RNN",
    "Identity", "Step", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "activation_by_name",
    "BCEWithLogitsLoss", "BCELoss", "CrossEntropyLoss", "MSELoss", "HingeLoss", "Loss",
    "functional", "init", "save", "load", "architecture", "build", "CheckpointError", "conv_output_size",
    "get_num_threads", "num_threads", "to_torch",
]
