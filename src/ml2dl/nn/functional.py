"""Functions without parameters that the layers, losses and lessons share (as ``torch.nn.functional``).

The one sigmoid of ml2dl lives here: layers, losses, the playground, the pipeline and the
metrics all call :func:`sigmoid`, so a probability is computed the same way everywhere.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x) -> np.ndarray:
    """σ(x) = 1 / (1 + e^−x), elementwise, without overflow (e^−|x| is never large).

    Shape: any; the output has the input's shape (a 0-d array for a scalar) and, for a
    floating input, its dtype.

    Example: ``sigmoid(0.0) == 0.5``; ``sigmoid(np.array([-800.0, 800.0]))`` is ``[0, 1]``
    with no overflow warning.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def softplus(x) -> np.ndarray:
    """log(1 + e^x), elementwise, without overflow: max(x, 0) + log1p(e^−|x|)."""
    x = np.asarray(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
