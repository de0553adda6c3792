"""Loss functions: ``loss = fn(pred, target)`` returns a float (the mean over all
elements), then ``fn.backward()`` returns dL/dpred with pred's shape.

They are not layers: a loss ends the forward pass and starts the backward one.
"""

from __future__ import annotations

import numpy as np

from ..checks import InputError
from .functional import sigmoid, softplus


class Loss:
    """Base class: checks shapes, keeps what ``backward`` needs."""

    def __call__(self, pred, target) -> float:
        pred = np.asarray(pred)
        if not np.issubdtype(pred.dtype, np.floating):
            pred = pred.astype(np.float32)
        target = self._check_target(pred, np.asarray(target))
        return float(self.forward(pred, target))

    def _check_target(self, pred, target):
        """Targets must have pred's shape; an (N,) target for (N, 1) predictions is accepted."""
        if target.shape != pred.shape:
            if pred.ndim == 2 and pred.shape[1] == 1 and target.shape == (pred.shape[0],):
                target = target.reshape(pred.shape)
            else:
                raise InputError(f"{type(self).__name__}: target must have the prediction's shape "
                                 f"{pred.shape}, got shape {target.shape}")
        return target.astype(pred.dtype)

    def forward(self, pred, target) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BCEWithLogitsLoss(Loss):
    r"""Binary cross-entropy on logits z (sigmoid built in, numerically stable).

        L = mean( p·y·log(1 + e^−z) + (1 − y)·log(1 + e^z) )   = mean(p·y·softplus(−z) + (1−y)·softplus(z))
        dL/dz = (p·y·(σ(z) − 1) + (1 − y)·σ(z)) / n

    with p = ``pos_weight`` (1 by default). softplus never overflows, so logits of ±1000 are fine.

    Args:
        pos_weight: weight of the positive class (e.g. n_negative / n_positive to balance
            an imbalanced dataset); a scalar or one value per output column.

    Shape: pred (N, 1) or (N,), target the same (values in [0, 1]).
    """

    def __init__(self, pos_weight=None):
        if pos_weight is not None:
            pos_weight = np.asarray(pos_weight, dtype=np.float64)
            if np.any(pos_weight <= 0) or not np.all(np.isfinite(pos_weight)):
                raise InputError(f"pos_weight must be positive, got {pos_weight!r}")
        self.pos_weight = pos_weight

    def forward(self, z, y):
        pw = 1.0 if self.pos_weight is None else self.pos_weight.astype(z.dtype)
        self._cache = (z, y, pw)
        return np.mean(pw * y * softplus(-z) + (1 - y) * softplus(z))

    def backward(self):
        z, y, pw = self._cache
        s = sigmoid(z)
        return ((pw * y * (s - 1) + (1 - y) * s) / z.size).astype(z.dtype)

    def __repr__(self):
        return "BCEWithLogitsLoss()" if self.pos_weight is None else f"BCEWithLogitsLoss(pos_weight={self.pos_weight})"


class BCELoss(Loss):
    r"""Binary cross-entropy on probabilities h ∈ [0, 1]:

        J = −mean( y·log h + (1 − y)·log(1 − h) )

    The logs are clamped at −100 and the gradient's denominator at 1e-12, as PyTorch, so
    h = 0 or 1 gives a large finite loss. Prefer :class:`BCEWithLogitsLoss` for training.

    dJ/dh = (h − y) / (h(1 − h)) / n
    """

    def forward(self, h, y):
        if np.any((h < 0) | (h > 1)):
            raise InputError(f"BCELoss expects probabilities in [0, 1], got values from {h.min()} to {h.max()}")
        self._cache = (h, y)
        with np.errstate(divide="ignore"):
            log_h = np.maximum(np.log(h), -100)
            log_1mh = np.maximum(np.log(1 - h), -100)
        return -np.mean(y * log_h + (1 - y) * log_1mh)

    def backward(self):
        h, y = self._cache
        return ((h - y) / np.maximum(h * (1 - h), 1e-12) / h.size).astype(h.dtype)


class CrossEntropyLoss(Loss):
    r"""Multi-class cross-entropy on logits with integer class targets.

        L = mean over n of ( −log softmax(zₙ)[yₙ] ) = mean( logsumexp(zₙ) − zₙ[yₙ] )
        dL/dz = (softmax(z) − onehot(y)) / N

    One example's loss is −ln(probability of its true class): p = (0.25, 0.60, 0.15) with
    the second class true gives −ln 0.6 ≈ 0.511.

    With class weights w (PyTorch's ``weight``), a weighted mean:

        L = Σₙ w[yₙ]·lₙ / Σₙ w[yₙ]          dL/dzₙ = w[yₙ]·(softmax(zₙ) − onehot(yₙ)) / Σₙ w[yₙ]

    Args:
        weight: one positive weight per class (K,), e.g. N / (K·n_k) to balance the classes; None: all 1.

    Shape: logits (N, K), target (N,) integers in [0, K).
    """

    def __init__(self, weight=None):
        if weight is not None:
            weight = np.asarray(weight, dtype=np.float64)
            if weight.ndim != 1 or np.any(weight <= 0) or not np.all(np.isfinite(weight)):
                raise InputError(f"weight must be one positive number per class, got {weight!r}")
        self.weight = weight

    def _check_target(self, pred, target):
        if pred.ndim != 2:
            raise InputError(f"CrossEntropyLoss expects logits of shape (N, K), got shape {pred.shape}")
        if target.shape != (pred.shape[0],):
            raise InputError(f"CrossEntropyLoss expects integer class targets of shape ({pred.shape[0]},), "
                             f"got shape {target.shape}")
        if not np.issubdtype(target.dtype, np.integer):
            if not np.all(np.mod(target, 1) == 0):
                raise InputError(f"CrossEntropyLoss expects integer class indices, got dtype {target.dtype}")
            target = target.astype(np.int64)
        k = pred.shape[1]
        if target.size and (target.min() < 0 or target.max() >= k):
            raise InputError(f"CrossEntropyLoss targets must be in [0, {k}), got values from "
                             f"{target.min()} to {target.max()}")
        if self.weight is not None and self.weight.shape != (k,):
            raise InputError(f"CrossEntropyLoss has {self.weight.size} class weights for {k} classes")
        return target

    def forward(self, z, y):
        shifted = z - z.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_p = shifted - log_sum  # stable log-softmax
        self._cache = (np.exp(log_p), y)
        if self.weight is None:
            return -np.mean(log_p[np.arange(len(y)), y])
        w = self.weight[y]
        return -np.sum(w * log_p[np.arange(len(y)), y]) / np.sum(w)

    def backward(self):
        p, y = self._cache
        g = p.copy()
        g[np.arange(len(y)), y] -= 1
        if self.weight is None:
            return g / len(y)
        w = self.weight[y]
        return (g * (w / np.sum(w))[:, None]).astype(p.dtype)

    def __repr__(self):
        return "CrossEntropyLoss()" if self.weight is None else f"CrossEntropyLoss(weight={self.weight.tolist()})"


class MSELoss(Loss):
    """Mean squared error (the "Euclidean" loss): L = mean((ŷ − y)²); dL/dŷ = 2(ŷ − y)/n."""

    def forward(self, pred, y):
        self._diff = pred - y
        return np.mean(self._diff**2)

    def backward(self):
        return 2 * self._diff / self._diff.size


class HingeLoss(Loss):
    r"""Binary hinge loss on scores s (the SVM loss): L = mean(max(0, 1 − y·s)).

    Targets in {−1, +1}; targets in {0, 1} are accepted and mapped 0 → −1.
    dL/ds = −y / n where y·s < 1, else 0 (at exactly 1 the gradient is taken as 0).

    Shape: scores (N, 1) or (N,), target the same.
    """

    def _check_target(self, pred, target):
        target = super()._check_target(pred, target)
        values = set(np.unique(target).tolist())
        if values <= {0.0, 1.0}:
            target = 2 * target - 1
        elif not values <= {-1.0, 1.0}:
            raise InputError(f"HingeLoss expects targets in {{-1, +1}} or {{0, 1}}, got values {sorted(values)}")
        return target

    def forward(self, s, y):
        margin = 1 - y * s
        self._cache = (margin > 0, y)
        return np.mean(np.maximum(margin, 0))

    def backward(self):
        active, y = self._cache
        return (-y * active / y.size).astype(y.dtype)
