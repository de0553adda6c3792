"""Arrays in, scores out: the data :func:`~ml2dl.train.fit` accepts, predictions, validation metrics."""

from __future__ import annotations

import numpy as np

from .. import metrics, nn
from ..checks import InputError


def as_arrays(data, name: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """(examples float32 (N, …), labels float32 (N,) of 0/1) from an ImageDataset or a pair.

    An example is whatever the model reads: an image (N, C, H, W), a sequence (N, L, features)
    with a ``batch_first`` RNN, a row of features (N, features).
    """
    if hasattr(data, "images") and hasattr(data, "labels"):
        x, y = data.images, data.labels
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(f"{name} must be an ImageDataset or an (images, labels) pair, "
                        f"got {type(data).__name__}")
    x = np.asarray(x)
    if x.ndim < 2:
        raise InputError(f"{name} examples must have shape (N, …) — images (N, C, H, W), sequences "
                         f"(N, L, features) or rows (N, features) —, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise InputError(f"{name} images must be floats in [0, 1], got dtype {x.dtype}")
    x = x.astype(np.float32, copy=False)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (len(x),):
        raise InputError(f"{name} labels must have shape ({len(x)},) for {len(x)} images, got {y.shape}")
    values = np.unique(y)
    if not set(values.tolist()) <= {0, 1}:
        raise InputError(f"{name} labels must be 0/1 (a binary task such as normal vs pneumonia), "
                         f"got values {values[:10].tolist()}")
    return x, y.astype(np.float32)


def predict_logits(model, images, *, batch_size: int = 256) -> np.ndarray:
    """Logits (N,) in evaluation mode (dropout off, batch-norm running statistics).

    The model's train/eval mode is restored afterwards.
    """
    images = np.asarray(images, dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        out = [np.asarray(model(images[i:i + batch_size])).reshape(-1)
               for i in range(0, len(images), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def predict_proba(model, images, *, batch_size: int = 256) -> np.ndarray:
    """P(positive) = σ(logit), float64 (N,), computed without overflow."""
    return nn.functional.sigmoid(predict_logits(model, images, batch_size=batch_size).astype(np.float64))


def balanced_pos_weight(labels) -> float:
    """n_negative / n_positive: the positive-class weight that balances the two classes."""
    y = np.asarray(labels).reshape(-1)
    n_pos = float(np.sum(y == 1))
    n_neg = float(np.sum(y == 0))
    if n_pos == 0 or n_neg == 0:
        raise InputError(f"class_weight='balanced' needs both classes in train, got "
                         f"{int(n_neg)} negatives and {int(n_pos)} positives")
    return n_neg / n_pos


def validate(model, images, labels, *, pos_weight=None, batch_size: int = 256) -> dict:
    """``val_loss`` (the training loss's weighting), ``val_auc`` and ``val_accuracy`` (at 0.5)."""
    z = predict_logits(model, images, batch_size=batch_size)
    return {"val_loss": float(nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, labels)),
            "val_auc": auc(labels, z),
            "val_accuracy": float(np.mean((z > 0) == (labels == 1)))}


def auc(y, scores) -> float | None:
    """ROC AUC, or None when ``y`` holds one class only."""
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return None
    return float(metrics.roc_auc_score(y, np.asarray(scores, dtype=np.float64)))


def describe(y) -> dict | None:
    """``{"n", "positives", "negatives"}`` of labels (config.json's summary of a split)."""
    if y is None:
        return None
    return {"n": int(len(y)), "positives": int(np.sum(y == 1)), "negatives": int(np.sum(y == 0))}
