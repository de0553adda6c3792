"""ml2dl: from one neuron to a CNN that reads chest X-rays.

A small, readable NumPy deep-learning engine (``ml2dl.nn``, ``ml2dl.optim``) whose gradients
match PyTorch's, with data loaders, training and clinical metrics for medical images.
"""

from . import nn, optim

__version__ = "0.1.0"
__all__ = ["nn", "optim", "__version__"]
