"""Step 5 — images are special: what a fully-connected layer does not know about pixels.

Three failures of fully-connected (FC) layers on images, each shown with real numbers:

1. Too many parameters: every pixel connects to every neuron,
   weights = H · W · neurons (a 224×224 image into 128 neurons = 6,422,528).
2. No notion of "near": shuffle the pixels with one fixed permutation π (the same for
   every image) and an FC network learns exactly as well — for it, π only re-orders
   its inputs, and a first layer W·π is as learnable as W. A CNN's 3×3 filters read
   neighbourhoods, which the shuffle scatters; how much that costs depends on the images
   (measured, and said from the numbers: ``translation.shuffle_findings``).
3. Position: a lesion top-left and bottom-right hits different weights. A convolution is
   translation-equivariant, pooling adds local invariance, a dense layer at the end is
   position-specific again (``translation``): measured by testing on moved images.

The experiment trains four small networks (FC and CNN, original and shuffled images)
for a few epochs on the same images with the same seed, then reports their accuracy
on held-out images, and tests the two trained on original images on the held-out
images moved by 1…4 pixels. It runs as a background job (``ml2dl.web.jobs``).

Also here, shared with step 9: the lessons' recipe (the chest images themselves come from
:mod:`ml2dl.lessons.chest`, re-exported here). Training goes
through :func:`ml2dl.train.fit`, the one training loop of ml2dl.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ml2dl import checks, nn
from ml2dl.checks import InputError
from ml2dl.data.images import to_uint8
from ml2dl.lessons import translation
from ml2dl.lessons.chest import IMAGE_SIZE, ChestData, load_chest_data  # noqa: F401  (the steps' data, re-exported)
from ml2dl.train import Recipe, fit, predict_logits

PERMUTATION_SEED = 0
CLASS_NAMES = ("normal", "pneumonia")


# ------------------------------------------------------------------------------ the shuffle


def pixel_permutation(n_pixels: int = IMAGE_SIZE * IMAGE_SIZE, seed: int = PERMUTATION_SEED) -> np.ndarray:
    """One fixed permutation π of the pixel indices, the same for every image."""
    if isinstance(n_pixels, bool) or not isinstance(n_pixels, int) or n_pixels < 2:
        raise ValueError(f"n_pixels must be an int ≥ 2, got {n_pixels!r}")
    return np.random.default_rng(seed).permutation(n_pixels)


def shuffle_pixels(images: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """shuffled.flat[i] = image.flat[π[i]] for every image of (N, C, H, W) or one (H, W)."""
    images = np.asarray(images)
    h, w = images.shape[-2:]
    if len(perm) != h * w:
        raise ValueError(f"permutation must have H·W = {h * w} entries, got {len(perm)}")
    flat = images.reshape(*images.shape[:-2], h * w)
    return flat[..., perm].reshape(images.shape)


def neighbourhoods(image: np.ndarray) -> list[list[int | None]]:
    """For every pixel (row-major), its 3×3 neighbourhood's values, None outside the image."""
    img = np.asarray(image)
    h, w = img.shape
    padded = np.full((h + 2, w + 2), -1, dtype=np.int64)
    padded[1:-1, 1:-1] = img
    out = []
    for r in range(h):
        for c in range(w):
            patch = padded[r : r + 3, c : c + 3].ravel()
            out.append([None if v < 0 else int(v) for v in patch])
    return out


def neighbour_indices(height: int, width: int) -> list[list[int]]:
    """For every pixel (row-major), the flat indices of its 3×3 neighbourhood, −1 outside."""
    idx = np.full((height + 2, width + 2), -1, dtype=np.int64)
    idx[1:-1, 1:-1] = np.arange(height * width).reshape(height, width)
    return [idx[r : r + 3, c : c + 3].ravel().tolist() for r in range(height) for c in range(width)]


def neighbour_difference(image: np.ndarray) -> float:
    """Mean |difference| between horizontally and vertically adjacent pixels (grey levels)."""
    img = np.asarray(image, dtype=np.float64)
    diffs = np.concatenate([np.abs(np.diff(img, axis=0)).ravel(), np.abs(np.diff(img, axis=1)).ravel()])
    return float(diffs.mean())


def fc_parameter_count(height: int = 224, width: int = 224, neurons: int = 128) -> dict:
    """Weights (and biases) of one fully-connected layer on an image: H · W · neurons."""
    for name, v in (("height", height), ("width", width), ("neurons", neurons)):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 4096:
            raise InputError(f"{name} must be an int in 1..4096, got {v!r}")
    weights = height * width * neurons
    return {"height": height, "width": width, "neurons": neurons, "inputs": height * width,
            "weights": weights, "biases": neurons, "parameters": weights + neurons}


def image_view(data: ChestData, index: int = 0, *, perm: np.ndarray | None = None) -> dict:
    """One held-out image beside its pixel-shuffled twin, for the hover explorer.

    Returns the grey levels of both (28×28 lists), ``perm`` (shuffled.flat[i] =
    original.flat[perm[i]]), ``moved_to`` (where original pixel i went), every pixel's
    3×3 ``neighbourhoods`` in both images, and the mean neighbour difference of each
    (neighbours are alike in a real image, unrelated after the shuffle).
    """
    n = len(data.val_images)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        raise InputError(f"index must be an int in 0..{n - 1}, got {index!r}")
    perm = pixel_permutation(IMAGE_SIZE * IMAGE_SIZE) if perm is None else perm
    original = to_uint8(data.val_images[index, 0])
    shuffled = shuffle_pixels(original, perm)
    moved_to = np.empty_like(perm)
    moved_to[perm] = np.arange(len(perm))
    label = int(data.val_labels[index])
    return {
        "index": index,
        "count": n,
        "height": IMAGE_SIZE,
        "width": IMAGE_SIZE,
        "label": label,
        "label_name": CLASS_NAMES[label],
        "synthetic": data.synthetic,
        "source": data.source,
        "original": original.tolist(),
        "shuffled": shuffled.tolist(),
        "perm": perm.tolist(),
        "moved_to": moved_to.tolist(),
        "neighbour_index": neighbour_indices(IMAGE_SIZE, IMAGE_SIZE),
        "neighbourhoods": {"original": neighbourhoods(original), "shuffled": neighbourhoods(shuffled)},
        "neighbour_difference": {"original": round(neighbour_difference(original), 2),
                                 "shuffled": round(neighbour_difference(shuffled), 2)},
        "fc_parameters": fc_parameter_count(224, 224, 128),
        "fc_parameters_here": fc_parameter_count(IMAGE_SIZE, IMAGE_SIZE, 128),
    }


# ------------------------------------------------------------------------------ training


def fc_net(seed: int = 0, hidden: int = 64) -> nn.Sequential:
    """Flatten → Linear(784, hidden) → ReLU → Linear(hidden, 1): pixels as an unordered list."""
    rng = np.random.default_rng(seed)
    n = IMAGE_SIZE * IMAGE_SIZE
    return nn.Sequential(nn.Flatten(), nn.Linear(n, hidden, rng=rng), nn.ReLU(), nn.Linear(hidden, 1, rng=rng))


def small_cnn(seed: int = 0, channels: tuple[int, int] = (8, 16)) -> nn.Sequential:
    """Conv(1→8, 3×3) → ReLU → MaxPool 2 → Conv(8→16, 3×3) → ReLU → MaxPool 2 → Flatten → Linear(16·7·7, 1)."""
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    side = IMAGE_SIZE // 4
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * side * side, 1, rng=rng),
    )


# The lessons' recipe: plain Adam at a constant learning rate on unweighted binary
# cross-entropy, no augmentation, no batch-norm re-estimation: the loop of the lectures,
# with nothing between the student and what the network learns.
LESSON_RECIPE = Recipe(optimizer="adam", weight_decay=0.0, schedule="constant", class_weight=None, augment=None,
                       precise_bn=None)


@dataclass(frozen=True)
class Budget:
    """How much training a background job may do (tests use a tiny one)."""

    n_train: int = 2000
    n_val: int = 500
    epochs: int = 4
    batch_size: int = 32
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self):
        for name in ("n_train", "n_val", "epochs", "batch_size"):
            checks.positive_int(f"budget.{name}", getattr(self, name))
        checks.number_in_range("budget.lr", self.lr, 0.0, 1.0, low_open=True)
        checks.non_negative_int("budget.seed", self.seed)

    def as_dict(self) -> dict:
        return {"n_train": self.n_train, "n_val": self.n_val, "epochs": self.epochs,
                "batch_size": self.batch_size, "lr": self.lr, "seed": self.seed}


def standardise(train: np.ndarray, *others: np.ndarray):
    """(x − mean) / std with the training images' mean and std (one number each).

    A shuffle does not change them, so both arms of the experiment see the same scaling.
    """
    mean, std = float(train.mean()), float(train.std()) or 1.0
    scale = lambda x: ((x - mean) / std).astype(np.float32)  # noqa: E731
    return (mean, std), scale(train), *(scale(o) for o in others)


def train_binary(model: nn.Module, images: np.ndarray, labels: np.ndarray, *, epochs: int, batch_size: int,
                 lr: float, seed: int, on_batch: Callable[[int, int, float], None] | None = None) -> list[float]:
    """Train with :func:`ml2dl.train.fit` and :data:`LESSON_RECIPE`; returns each epoch's mean training loss.

    No validation set is given, so nothing is selected: the model ends with its last
    epoch's weights (in evaluation mode). ``on_batch(done, total, loss)`` is called after
    every batch with the batches done so far, the batches of the whole run and that batch's
    loss: for progress, and a place to raise to cancel (the exception ends training and
    propagates out of :func:`fit`).
    """
    recipe = LESSON_RECIPE.replace(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)

    def progress(event):
        if event.stage == "batch" and on_batch is not None:
            on_batch((event.epoch - 1) * event.batches + event.batch, event.epochs * event.batches, event.batch_loss)

    result = fit(model, (images, labels), None, recipe=recipe, callbacks=[progress])
    return [row["train_loss"] for row in result.history]


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of images whose predicted class (P(pneumonia) > 0.5, i.e. logit > 0) is right."""
    return float(np.mean((predict_logits(model, images) > 0) == (np.asarray(labels) == 1)))


ARMS = (("fc", "original"), ("fc", "shuffled"), ("cnn", "original"), ("cnn", "shuffled"))
_ARM_COST = {"fc": 1.0, "cnn": 6.0}  # rough relative time per epoch, for an even progress bar


def run_shuffle_experiment(data: ChestData, budget: Budget = Budget(), *,
                           progress: Callable[[float, str, dict], None] | None = None) -> dict:
    """Train FC and CNN on original and on pixel-shuffled images; report held-out accuracy.

    Every arm starts from the same seed and sees the images in the same order; only the
    network type and the pixel order differ. The shuffled FC net's first-layer starting
    weights are shuffled like the pixels, which makes its training the very same
    computation as on the original images (same accuracy, up to float rounding). ``progress(fraction, message, partial)`` is
    called as training goes (``partial`` holds the arms finished so far).

    Returns:
        ``arms``: one dict per (model, pixels) with ``accuracy``, ``train_loss`` per epoch,
        ``parameters``, ``seconds``; ``baseline`` (accuracy of always answering the
        majority class of the training set), ``translation`` (``shifts`` and, per network
        trained on original images, its accuracy ``curves`` on held-out images moved by
        that many pixels), ``findings`` (the sentences the page shows, computed from these
        numbers), counts, ``budget``, ``synthetic``, ``source``.
    """
    perm = pixel_permutation(IMAGE_SIZE * IMAGE_SIZE)
    x_train, y_train = data.train_images, data.train_labels
    x_val, y_val = data.val_images, data.val_labels
    (mean, std), x_train_o, x_val_o = standardise(x_train, x_val)
    x_train_s, x_val_s = shuffle_pixels(x_train_o, perm), shuffle_pixels(x_val_o, perm)
    inputs = {"original": (x_train_o, x_val_o), "shuffled": (x_train_s, x_val_s)}

    total_cost = sum(_ARM_COST[m] for m, _ in ARMS)
    cost_done, arms, curves = 0.0, [], {}
    for kind, pixels in ARMS:
        model = fc_net(budget.seed) if kind == "fc" else small_cnn(budget.seed)
        if kind == "fc" and pixels == "shuffled":
            # Re-plug the (random) starting weights the way the pixels were re-plugged:
            # W'[:, i] = W[:, π[i]], so W'·shuffled(x) = W·x. Still a random start, and now
            # visibly the same learning problem: the FC net cannot tell the two apart.
            first = model[1]
            first.weight.data[...] = first.weight.data[:, perm]
        xt, xv = inputs[pixels]
        label = f"{'fully-connected' if kind == 'fc' else 'CNN'} on {pixels} images"

        def on_batch(done, total, loss, _base=cost_done, _cost=_ARM_COST[kind], _label=label):
            if progress is not None and (done % 5 == 0 or done == total):
                epoch = -(-done * budget.epochs // total)
                progress((_base + _cost * done / total) / total_cost,
                         f"training the {_label}: epoch {epoch}/{budget.epochs}", {"arms": list(arms)})

        start = time.perf_counter()
        losses = train_binary(model, xt, y_train, epochs=budget.epochs, batch_size=budget.batch_size,
                              lr=budget.lr, seed=budget.seed, on_batch=on_batch)
        acc = accuracy(model, xv, y_val)
        if pixels == "original":  # the same held-out images, moved by 0…4 pixels
            curves[kind] = translation.shift_curve(lambda x, y, m=model: accuracy(m, x, y), xv, y_val)
        arms.append({
            "model": kind, "pixels": pixels, "label": label,
            "accuracy": round(acc, 4), "percent": round(100 * acc, 1),
            "train_loss": [round(v, 4) for v in losses],
            "parameters": model.num_parameters(),
            "seconds": round(time.perf_counter() - start, 2),
        })
        cost_done += _ARM_COST[kind]
        if progress is not None:
            progress(cost_done / total_cost, f"finished the {label}", {"arms": list(arms)})

    majority = int(np.mean(y_train) >= 0.5)
    baseline = float(np.mean(y_val == majority))
    by = {(a["model"], a["pixels"]): a["accuracy"] for a in arms}
    summary = {kind: {"original": round(100 * by[kind, "original"], 1), "shuffled": round(100 * by[kind, "shuffled"], 1),
                      "change_points": round(100 * (by[kind, "shuffled"] - by[kind, "original"]), 1),
                      "lost": bool(by[kind, "shuffled"] - by[kind, "original"] <= -0.01)}
               for kind in ("fc", "cnn")}
    pct = {(a["model"], a["pixels"]): a["percent"] for a in arms}
    brightness = translation.brightness_rule(x_train, y_train, x_val, y_val)
    return {
        "arms": arms,
        "summary": summary,
        "translation": {"shifts": list(translation.SHIFTS), "curves": curves},
        "brightness_rule": brightness,
        "findings": {
            "shuffle": translation.shuffle_findings(pct["fc", "original"], pct["fc", "shuffled"],
                                                    pct["cnn", "original"], pct["cnn", "shuffled"],
                                                    brightness["percent"], round(100 * baseline, 1)),
            "shift": translation.shift_findings(curves, round(100 * baseline, 1)),
        },
        "baseline": {"label": f"always answer “{CLASS_NAMES[majority]}”",
                     "accuracy": round(baseline, 4), "percent": round(100 * baseline, 1)},
        "n_train": int(len(x_train)), "n_val": int(len(x_val)),
        "val_counts": {"normal": int(np.sum(y_val == 0)), "pneumonia": int(np.sum(y_val == 1))},
        "budget": budget.as_dict(),
        "standardisation": {"mean": round(mean, 5), "std": round(std, 5)},
        "synthetic": data.synthetic,
        "source": data.source,
    }
