"""Arrays in, scores out: the data :func:`~ml2dl.train.fit` accepts, predictions, validation metrics.

Two tasks: binary (one logit per image, labels 0/1, the default) and K-class (K logits per image,
labels 0 … K−1), the latter when the training data is an ``ImageDataset`` declared
``task="multi-class"`` (:func:`classes_of`). For K classes:

    P(class k | image) = softmax(z)ₖ = e^{zₖ} / Σⱼ e^{zⱼ}         loss: cross-entropy
    AUC = the mean over classes of the one-vs-rest AUC of P(k)    (scikit-learn's "ovr", macro)
    accuracy = share of images whose most probable class is the true one
"""

from __future__ import annotations

import numpy as np

from .. import metrics, nn
from ..checks import InputError


def classes_of(data) -> int:
    """The number of classes ``data`` is a task for: K = len(class_names) for an ImageDataset
    declared ``task="multi-class"``, else 2 (binary: one logit, labels 0/1)."""
    if getattr(data, "task", None) == "multi-class":
        return len(data.class_names)
    return 2


def as_arrays(data, name: str = "data", classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(examples float32 (N, …), labels float32 (N,) of 0/1) from an ImageDataset or a pair;
    for ``classes`` K > 2, labels int64 (N,) in 0 … K−1.

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
    if classes > 2:
        if not set(values.tolist()) <= set(range(classes)):
            raise InputError(f"{name} labels must be class indices 0 … {classes - 1} ({classes} classes), "
                             f"got values {values[:10].tolist()}")
        return x, y.astype(np.int64)
    if not set(values.tolist()) <= {0, 1}:
        raise InputError(f"{name} labels must be 0/1 (a binary task such as normal vs pneumonia), "
                         f"got values {values[:10].tolist()}")
    return x, y.astype(np.float32)


def check_logits(logits, n: int, classes: int = 2) -> None:
    """InputError unless the model gave one logit per image (binary) or ``classes`` of them (K > 2)."""
    if classes == 2 and logits.shape not in ((n, 1), (n,)):
        raise InputError(f"fit trains a binary classifier: the model must give one logit per "
                         f"image, shape ({n}, 1), got shape {logits.shape}")
    if classes > 2 and logits.shape != (n, classes):
        raise InputError(f"fit trains a {classes}-class classifier: the model must give {classes} logits per "
                         f"image, shape ({n}, {classes}), got shape {logits.shape}")


def predict_logits(model, images, *, batch_size: int = 256) -> np.ndarray:
    """Logits (N,) in evaluation mode (dropout off, batch-norm running statistics); (N, K) for a
    model with K > 1 outputs.

    The model's train/eval mode is restored afterwards.
    """
    images = np.asarray(images, dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        out = [np.asarray(model(images[i:i + batch_size])).reshape(len(images[i:i + batch_size]), -1)
               for i in range(0, len(images), batch_size)]
    finally:
        model.train(was_training)
    if not out:
        return np.zeros(0, np.float32)
    z = np.concatenate(out)
    return z.reshape(-1) if z.shape[1] == 1 else z


def predict_proba(model, images, *, batch_size: int = 256) -> np.ndarray:
    """P(positive) = σ(logit), float64 (N,), computed without overflow."""
    return nn.functional.sigmoid(predict_logits(model, images, batch_size=batch_size).astype(np.float64))


def softmax(z) -> np.ndarray:
    """Rows of logits (N, K) → probabilities (N, K), float64, each row summing to 1 (max subtracted first)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict_class_proba(model, images, *, batch_size: int = 256) -> np.ndarray:
    """P(class k | image) = softmax(logits), float64 (N, K), for a K-class model."""
    z = predict_logits(model, images, batch_size=batch_size)
    if z.ndim != 2:
        raise InputError(f"predict_class_proba needs a model with K > 1 outputs, got logits of shape {z.shape}")
    return softmax(z)


def balanced_pos_weight(labels) -> float:
    """n_negative / n_positive: the positive-class weight that balances the two classes."""
    y = np.asarray(labels).reshape(-1)
    n_pos = float(np.sum(y == 1))
    n_neg = float(np.sum(y == 0))
    if n_pos == 0 or n_neg == 0:
        raise InputError(f"class_weight='balanced' needs both classes in train, got "
                         f"{int(n_neg)} negatives and {int(n_pos)} positives")
    return n_neg / n_pos


def balanced_class_weights(labels, classes: int) -> list[float]:
    """w_k = N / (K · n_k): each of the K classes carries the same total weight (scikit-learn's "balanced")."""
    y = np.asarray(labels).reshape(-1).astype(np.int64)
    counts = np.bincount(y, minlength=classes)[:classes]
    if np.any(counts == 0):
        raise InputError(f"class_weight='balanced' needs every class in train, got counts {counts.tolist()}")
    return (len(y) / (classes * counts)).tolist()


def validate(model, images, labels, *, pos_weight=None, batch_size: int = 256, classes: int = 2,
             class_weights=None) -> dict:
    """``val_loss`` (the training loss's weighting), ``val_auc`` and ``val_accuracy`` (at 0.5; for
    K classes, of the most probable class)."""
    z = predict_logits(model, images, batch_size=batch_size)
    if classes > 2:
        loss = nn.CrossEntropyLoss(weight=class_weights)(z, labels)
    else:
        loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight)(z, labels)
    val_auc, accuracy = auc_and_accuracy(labels, z, classes)
    return {"val_loss": float(loss), "val_auc": val_auc, "val_accuracy": accuracy}


def auc_and_accuracy(y, logits, classes: int = 2) -> tuple[float | None, float]:
    """(AUC, accuracy) from logits: binary, AUC of the logit and accuracy at 0.5 (logit > 0);
    K classes, the macro one-vs-rest AUC (:func:`ovr_auc`) and the accuracy of the arg-max."""
    y = np.asarray(y)
    if classes > 2:
        z = np.asarray(logits)
        return ovr_auc(y, softmax(z)), float(np.mean(z.argmax(axis=1) == y))
    return auc(y, logits), float(np.mean((logits > 0) == (y == 1)))


def ovr_auc(y, proba) -> float | None:
    """Mean over classes k of AUC(y == k, P(k)), over the classes with both cases and others in ``y``;
    None when there is none (scikit-learn's ``roc_auc_score(multi_class="ovr", average="macro")``)."""
    y = np.asarray(y).reshape(-1)
    aucs = [auc((y == k).astype(np.int64), proba[:, k]) for k in range(proba.shape[1])]
    aucs = [a for a in aucs if a is not None]
    return float(np.mean(aucs)) if aucs else None


def auc(y, scores) -> float | None:
    """ROC AUC, or None when ``y`` holds one class only."""
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return None
    return float(metrics.roc_auc_score(y, np.asarray(scores, dtype=np.float64)))


def describe(y, classes: int = 2) -> dict | None:
    """``{"n", "positives", "negatives"}`` of labels (config.json's summary of a split); for K classes
    ``{"n", "counts"}`` (images per class)."""
    if y is None:
        return None
    if classes > 2:
        return {"n": int(len(y)), "counts": np.bincount(np.asarray(y, dtype=np.int64), minlength=classes).tolist()}
    return {"n": int(len(y)), "positives": int(np.sum(y == 1)), "negatives": int(np.sum(y == 0))}
