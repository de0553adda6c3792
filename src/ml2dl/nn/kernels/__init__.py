"""The engine's kernels: where the work of the layers is done, fast.

A layer file (``conv.py``, ``pooling.py``…) shows the maths, its forward and backward
formulas side by side; it calls the named kernels below for the heavy lifting. Everything a
student need not read to understand a layer lives here:

- ``threads.py``: the batch (or the channels) cut into parts, one per core; BLAS held to one
  thread per part; the thread count, set with ``with nn.num_threads(n):``.
- ``memory.py``: memory order (a convolution's output is a channel-major view, and the
  kernels after it keep that order) and each layer's :class:`Workspace`, the working memory
  reused from call to call.
- ``conv.py``: :func:`im2col`, :func:`col2im`, the matrix products on their columns, dL/dW, dL/dx.
- ``pool.py``: max pooling (with its separable path) and average pooling, forward and backward.
- ``norm.py``: batch-norm statistics, normalisation, and the per-channel sums of its backward.
- ``dense.py``: batch matrix products (with bias), the batch sums of dL/dW, the ReLU.

Every kernel gives the same numbers for any thread count up to float rounding, and the
same bits for a given count (sums across parts are added in part order).
"""

from .conv import (ConvShape, as_columns, as_images, col2im, conv_shape, im2col, input_grad, matmul_columns,
                   weight_grad)
from .dense import batch_sums, masked, matmul, relu
from .memory import Workspace, memory_order, written_zeros, zeros_in_order
from .norm import normalise, normalise_backward
from .pool import Winners, avg_pool, avg_pool_backward, max_pool, max_pool_backward
from .threads import get_num_threads, in_parts, in_parts_along, num_threads

__all__ = [
    "ConvShape", "conv_shape", "im2col", "col2im", "input_grad", "matmul_columns", "weight_grad", "as_columns", "as_images",
    "matmul", "batch_sums", "relu", "masked",
    "normalise", "normalise_backward",
    "max_pool", "max_pool_backward", "avg_pool", "avg_pool_backward", "Winners",
    "Workspace", "memory_order", "written_zeros", "zeros_in_order",
    "num_threads", "get_num_threads", "in_parts", "in_parts_along",
]
