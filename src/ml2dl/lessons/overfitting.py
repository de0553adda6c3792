"""When learning goes wrong, step ``overfitting`` — overfitting and three cures.

A network with far more weights than training images: 100 chest images (by default) into a
fully-connected network 784 → 128 → 1 (100,609 parameters). Trained long enough it memorises
them: the training loss keeps falling towards 0 while the loss on held-out images, after
falling at first, turns up — the network now fits the training images' noise, which does not
carry over. The gap between the two curves is the overfitting, measured every epoch.

Three cures, each switchable, each trained from the same start on the same images:

- **dropout** (``nn.Dropout(p)`` after the hidden layer): during training each hidden unit is
  zeroed with probability p (the rest scaled by 1/(1 − p)), so no unit can rely on another;
- **L2 / weight decay** (``Recipe.weight_decay`` = λ): the gradient of λ/2 · Σ w² is added to
  every step, w ← w − η(∂L/∂w + λw), which pulls the weights towards 0 and keeps the function smooth;
- **data augmentation** (``Recipe.augment``): every epoch each image is randomly rotated
  (±10°), zoomed (0.9–1.1×) and shifted (±10 %), so the network never sees the same image twice.

Every network is trained by :func:`ml2dl.train.fit` (the lessons' recipe: Adam at a constant
learning rate); after each epoch the training images (clean, dropout off) and the held-out
images are scored. The best epoch of a network is the one with the lowest validation loss.
Everything the page says is read from these numbers (:func:`analyse`, :func:`compare_to`):
if a cure does not help on some data, the result says so.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from ml2dl import checks, nn
from ml2dl.train import fit
from ml2dl.train.scoring import validate

from .images import IMAGE_SIZE, LESSON_RECIPE, ChestData, standardise

N_VAL = 400
HIDDEN = 128
BATCH_SIZE = 16
LR = 1e-3
N_TRAIN_CHOICES = (50, 100, 200, 400)
EPOCH_CHOICES = (20, 40, 60, 100)
DROPOUT_CHOICES = (0.0, 0.2, 0.5)
L2_CHOICES = (0.0, 1e-3, 1e-2, 1e-1)
# Geometry only: the images are standardised ((x − mean) / std), which the brightness and
# contrast jitter (clipped to [0, 1]) would not respect.
AUGMENT = {"rotation": 10.0, "scale": (0.9, 1.1), "translate": 0.1, "brightness": 0.0, "contrast": 0.0}
# Differences of validation loss below this are called "about the same": the loss on 400
# held-out images moves by about this much from one epoch to the next without any cause.
LOSS_TOLERANCE = 0.02


@dataclass(frozen=True)
class Settings:
    """The experiment: how many training images, how long, and which cures at what strength.

    ``dropout`` 0, ``l2`` 0 and ``augment`` False switch a cure off.
    """

    n_train: int = 100
    epochs: int = 60
    dropout: float = 0.5
    l2: float = 1e-2
    augment: bool = True
    seed: int = 0

    def __post_init__(self):
        checks.int_in_range("n_train", self.n_train, 20, 2000)
        checks.int_in_range("epochs", self.epochs, 2, 150)
        object.__setattr__(self, "dropout", checks.number_in_range("dropout", self.dropout, 0.0, 0.9))
        object.__setattr__(self, "l2", checks.number_in_range("l2", self.l2, 0.0, 1.0))
        if not isinstance(self.augment, bool):
            raise checks.InputError(f"augment must be true or false, got {self.augment!r}")
        checks.int_in_range("seed", self.seed, 0, 9999)

    def arms(self) -> list[dict]:
        """The networks to train: without a cure, with each cure switched on, and with all of
        them together when more than one is on."""
        cures = [c for c, on in (("dropout", self.dropout > 0), ("l2", self.l2 > 0), ("augment", self.augment)) if on]
        arms = [_arm("none", ())] + [_arm(c, (c,)) for c in cures]
        if len(cures) > 1:
            arms.append(_arm("all", tuple(cures)))
        return arms

    def as_dict(self) -> dict:
        return asdict(self)


_NAMES = {"none": "no cure", "dropout": "dropout", "l2": "L2 (weight decay)", "augment": "data augmentation",
          "all": "all cures together"}


def _arm(key: str, cures: tuple[str, ...]) -> dict:
    return {"key": key, "label": _NAMES[key], "cures": list(cures)}


def fc_net(dropout: float = 0.0, seed: int = 0) -> nn.Sequential:
    """Flatten → Linear(784, 128) → ReLU → [Dropout(p)] → Linear(128, 1)."""
    rng = checks.rng(seed, "seed")
    layers: list[nn.Module] = [nn.Flatten(), nn.Linear(IMAGE_SIZE * IMAGE_SIZE, HIDDEN, rng=rng), nn.ReLU()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout, rng=seed))
    layers.append(nn.Linear(HIDDEN, 1, rng=rng))
    return nn.Sequential(*layers)


def train_arm(arm: dict, settings: Settings, x_train, y_train, x_val, y_val, *,
              on_batch: Callable[[int, int], None] | None = None) -> dict:
    """Train one network through :func:`fit`; per epoch its clean training and validation loss and accuracy."""
    cures = arm["cures"]
    dropout = settings.dropout if "dropout" in cures else 0.0
    recipe = LESSON_RECIPE.replace(epochs=settings.epochs, batch_size=BATCH_SIZE, lr=LR, seed=settings.seed,
                                   weight_decay=settings.l2 if "l2" in cures else 0.0,
                                   augment=dict(AUGMENT) if "augment" in cures else None)
    model = fc_net(dropout, settings.seed)
    curves = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": []}

    def callback(event):
        if event.stage == "batch" and on_batch is not None:
            on_batch((event.epoch - 1) * event.batches + event.batch, event.epochs * event.batches)
        elif event.stage == "epoch":
            # the training images as the network sees them at test time: dropout off, not augmented
            clean = validate(model, x_train, y_train)
            curves["train_loss"].append(clean["val_loss"])
            curves["train_accuracy"].append(clean["val_accuracy"])
            curves["val_loss"].append(event.row["val_loss"])
            curves["val_accuracy"].append(event.row["val_accuracy"])

    start = time.perf_counter()
    # One thread: the engine holds BLAS to one thread around these small products too
    # (nn/kernels/threads.py), so idle BLAS threads do not spin on cores other requests need.
    fit(model, (x_train, y_train), (x_val, y_val), recipe=recipe, callbacks=[callback], restore_best=False,
        threads=1)
    return {**arm, "dropout": dropout, "l2": recipe.weight_decay, "augment": "augment" in cures,
            "parameters": model.num_parameters(), "seconds": round(time.perf_counter() - start, 2),
            **{k: [round(float(v), 5) for v in vals] for k, vals in curves.items()}, **analyse(curves)}


def analyse(curves: dict) -> dict:
    """What one network's curves show.

    ``best_epoch``: the epoch (from 1) of the lowest validation loss; ``rise``: how far the
    validation loss climbed from there by the last epoch; ``gap``: validation minus training
    loss at the last epoch; ``overfits``: the validation loss turned up (rose by more than
    :data:`LOSS_TOLERANCE` after its best epoch) while the training loss went on falling.
    """
    val, train = np.asarray(curves["val_loss"]), np.asarray(curves["train_loss"])
    acc = np.asarray(curves["val_accuracy"])
    b = int(np.argmin(val))
    rise = float(val[-1] - val[b])
    return {
        "best_epoch": b + 1,
        "best_val_loss": round(float(val[b]), 4),
        "best_val_accuracy": round(float(acc[b]), 4),
        "train_loss_at_best": round(float(train[b]), 4),
        "final_val_loss": round(float(val[-1]), 4),
        "final_val_accuracy": round(float(acc[-1]), 4),
        "final_train_loss": round(float(train[-1]), 4),
        "gap_at_best": round(float(val[b] - train[b]), 4),
        "gap": round(float(val[-1] - train[-1]), 4),
        "rise": round(rise, 4),
        "train_fell": bool(train[-1] < train[b] - 1e-9),
        "overfits": bool(rise > LOSS_TOLERANCE and train[-1] < train[b]),
    }


def _verdict(difference: float) -> str:
    """``lower`` / ``higher`` / ``same`` for a difference of losses (within ±LOSS_TOLERANCE: the same)."""
    if difference < -LOSS_TOLERANCE:
        return "lower"
    if difference > LOSS_TOLERANCE:
        return "higher"
    return "same"


def compare_to(arm: dict, base: dict) -> dict:
    """A cure against no cure: differences of the final and best validation loss and of the gap,
    each with its verdict (``lower``, ``higher`` or ``same`` within :data:`LOSS_TOLERANCE`);
    ``helped``: its final validation loss is lower (the overfitting was reduced)."""
    d_final = arm["final_val_loss"] - base["final_val_loss"]
    d_best = arm["best_val_loss"] - base["best_val_loss"]
    d_gap = arm["gap"] - base["gap"]
    return {
        "final_val_loss_change": round(d_final, 4), "final_val_loss_verdict": _verdict(d_final),
        "best_val_loss_change": round(d_best, 4), "best_val_loss_verdict": _verdict(d_best),
        "gap_change": round(d_gap, 4), "gap_verdict": _verdict(d_gap),
        "final_accuracy_change_points": round(100 * (arm["final_val_accuracy"] - base["final_val_accuracy"]), 1),
        "helped": _verdict(d_final) == "lower",
    }


def run_experiment(data: ChestData, settings: Settings = Settings(), *,
                   progress: Callable[[float, str, dict], None] | None = None) -> dict:
    """Train the networks of ``settings.arms()`` on ``data``; ``progress(fraction, message, partial)``
    is called as they train (``partial["arms"]``: the networks finished so far).

    Returns:
        ``arms``: per network its settings, per-epoch ``train_loss``, ``train_accuracy``,
        ``val_loss``, ``val_accuracy``, :func:`analyse`'s figures and (cures) ``versus_none``
        (:func:`compare_to`); ``baseline`` (always answering the training set's majority
        class), ``best`` (the key of the network with the lowest validation loss at its best
        epoch and at the last epoch), the data's counts and source, the settings.
    """
    x_train, y_train = data.train_images, data.train_labels.astype(np.float32)
    x_val, y_val = data.val_images, data.val_labels.astype(np.float32)
    (mean, std), x_train, x_val = standardise(x_train, x_val)
    todo = settings.arms()
    done: list[dict] = []
    for k, arm in enumerate(todo):
        label = f"“{arm['label']}” ({k + 1} of {len(todo)})"

        def on_batch(step, total, _k=k, _label=label):
            if progress is not None and (step % 10 == 0 or step == total):
                epoch = -(-step * settings.epochs // total)
                progress((_k + step / total) / len(todo), f"training {_label}: epoch {epoch}/{settings.epochs}",
                         {"arms": list(done)})

        result = train_arm(arm, settings, x_train, y_train, x_val, y_val, on_batch=on_batch)
        if done:
            result["versus_none"] = compare_to(result, done[0])
        done.append(result)
        if progress is not None:
            progress((k + 1) / len(todo), f"finished {label}", {"arms": list(done)})

    majority = int(np.mean(y_train) >= 0.5)
    baseline = float(np.mean(y_val == majority))
    n_weights = done[0]["parameters"]
    return {
        "arms": done,
        "best": {"at_best_epoch": min(done, key=lambda a: a["best_val_loss"])["key"],
                 "at_last_epoch": min(done, key=lambda a: a["final_val_loss"])["key"]},
        "baseline": {"label": f"always answer “{('normal', 'pneumonia')[majority]}”",
                     "accuracy": round(baseline, 4)},
        "n_train": int(len(x_train)), "n_val": int(len(x_val)),
        "train_counts": {"normal": int(np.sum(y_train == 0)), "pneumonia": int(np.sum(y_train == 1))},
        "val_counts": {"normal": int(np.sum(y_val == 0)), "pneumonia": int(np.sum(y_val == 1))},
        "parameters": n_weights, "parameters_per_image": round(n_weights / len(x_train), 1),
        "architecture": f"784 → {HIDDEN} (ReLU) → 1", "batch_size": BATCH_SIZE, "lr": LR,
        "augment": {"rotation": AUGMENT["rotation"], "scale": list(AUGMENT["scale"]), "translate": AUGMENT["translate"]},
        "loss_tolerance": LOSS_TOLERANCE,
        "standardisation": {"mean": round(mean, 5), "std": round(std, 5)},
        "settings": settings.as_dict(),
        "synthetic": data.synthetic, "source": data.source,
    }
