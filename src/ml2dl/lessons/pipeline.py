"""Step 9 — the full CNN pipeline, on a real trained network and a real image.

    input (1×28×28) → Conv 3×3 (8) → ReLU → MaxPool 2 → Conv 3×3 (16) → ReLU → MaxPool 2
          → Flatten (784) → Linear (1) → σ → P(pneumonia)

The network is trained once per data set, in the background (``ml2dl.web.jobs``), and
kept as an ``nn.save`` checkpoint. Then any held-out image is pushed through it and
every stage's actual output (``model.forward_all``) is returned: the
feature maps the page draws, with each stage's shape and what it does.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ml2dl import nn
from ml2dl.checks import InputError

from .images import CLASS_NAMES, IMAGE_SIZE, Budget, ChestData, accuracy, small_cnn, standardise, train_binary

# Default training budget of the pipeline's CNN: about 15 s on two cores. The same images as
# step 5's experiment (same n_train, n_val, seed), so the data set is loaded once for both.
PIPELINE_BUDGET = Budget(n_train=2000, n_val=500, epochs=4, batch_size=32, lr=3e-3, seed=0)
EXAMPLES_PER_CLASS = 4
CHANNELS = (8, 16)  # filters of the two convolutions
# parameter counts said in the stage texts, counted by the engine so they cannot drift
_CONV1_PARAMS = nn.Conv2d(1, CHANNELS[0], 3, rng=0).num_parameters()
_CONV2_PARAMS = nn.Conv2d(CHANNELS[0], CHANNELS[1], 3, rng=0).num_parameters()

STAGES = [
    {"name": "input", "short": "Input", "title": "Input image",
     "what": "The X-ray as the network receives it: 28×28 grey values, standardised "
             "(the training images' mean subtracted, divided by their standard deviation)."},
    {"name": "conv1", "short": "Conv 1", "title": "Convolution 1",
     "what": f"{CHANNELS[0]} filters of 3×3 weights slide over the image (step 7); each gives one feature map that is "
             "bright where the image looks like its filter: edges, bright or dark regions. "
             f"The {CHANNELS[0]} × 9 weights + {CHANNELS[0]} biases = {_CONV1_PARAMS:,} numbers were learned "
             "from the training images."},
    {"name": "relu1", "short": "ReLU", "title": "ReLU",
     "what": "max(0, z) on every value: negative responses become 0, so only the places where a "
             "pattern is present stay lit."},
    {"name": "pool1", "short": "Max pool", "title": "Max pooling 2×2",
     "what": "Each 2×2 block keeps only its largest value: 28×28 becomes 14×14. A pattern counts as present "
             "in the block wherever it was exactly, and the next layer sees a wider area."},
    {"name": "conv2", "short": "Conv 2", "title": "Convolution 2",
     "what": f"{CHANNELS[1]} filters, each 3×3 over all {CHANNELS[0]} maps of the layer before "
             f"({CHANNELS[1]} × {CHANNELS[0]} × 9 weights + {CHANNELS[1]} biases = {_CONV2_PARAMS:,}): "
             "they combine edges into textures and shapes."},
    {"name": "relu2", "short": "ReLU", "title": "ReLU",
     "what": "max(0, z) again: keep only positive evidence."},
    {"name": "pool2", "short": "Max pool", "title": "Max pooling 2×2",
     "what": "14×14 becomes 7×7: 16 small maps that say roughly where each learned shape is."},
    {"name": "flatten", "short": "Flatten", "title": "Flatten",
     "what": "The 16 maps of 7×7 laid end to end as one list of 784 numbers (nothing is computed): "
             "the input of an ordinary fully-connected layer."},
    {"name": "linear", "short": "Dense", "title": "Linear (dense)",
     "what": "One neuron: z = w·x + b over the 784 numbers. Each feature map's share of z is shown: "
             "positive pushes towards pneumonia, negative towards normal."},
    {"name": "output", "short": "Output σ", "title": "Output: σ(z)",
     "what": "The sigmoid turns z into a probability of pneumonia; above 0.5 the network answers pneumonia."},
]


def build_model(seed: int = 0) -> nn.Sequential:
    """The pipeline's CNN: the same architecture as step 5's (``images.small_cnn``)."""
    return small_cnn(seed, channels=CHANNELS)


def example_indices(labels: np.ndarray, per_class: int = EXAMPLES_PER_CLASS) -> list[int]:
    """The first ``per_class`` held-out images of each class, interleaved normal / pneumonia."""
    labels = np.asarray(labels)
    chosen = [np.flatnonzero(labels == c)[:per_class] for c in (0, 1)]
    out = []
    for i in range(per_class):
        for c in (0, 1):
            if i < len(chosen[c]):
                out.append(int(chosen[c][i]))
    return out


def train_pipeline(data: ChestData, budget: Budget, checkpoint: Path, *,
                   progress: Callable[[float, str, dict], None] | None = None) -> dict:
    """Train the pipeline CNN on the training images, save it, and describe the result.

    Returns a JSON-ready dict: ``checkpoint`` (file name), ``accuracy`` on the held-out
    images, ``baseline`` (always the majority class), per-epoch ``train_loss``,
    ``mean``/``std`` of the standardisation, ``seconds``, ``budget``, ``synthetic``, ``source``.
    """
    n = min(budget.n_train, len(data.train_images))
    x_raw, y = data.train_images[:n], data.train_labels[:n]
    (mean, std), x, x_val = standardise(x_raw, data.val_images)
    model = build_model(budget.seed)
    start = time.perf_counter()

    def on_batch(done, total, loss):
        if progress is not None and (done % 5 == 0 or done == total):
            epoch = -(-done * budget.epochs // total)
            progress(0.97 * done / total, f"training the CNN: epoch {epoch}/{budget.epochs}, "
                     f"batch {done}/{total}, loss {loss:.3f}", {"loss": round(loss, 4), "epoch": epoch})

    losses = train_binary(model, x, y, epochs=budget.epochs, batch_size=budget.batch_size, lr=budget.lr,
                          seed=budget.seed, on_batch=on_batch)
    acc = accuracy(model, x_val, data.val_labels)
    majority = int(np.mean(y) >= 0.5)
    meta = {"mean": mean, "std": std, "accuracy": acc, "synthetic": data.synthetic, "source": data.source,
            "budget": budget.as_dict()}
    nn.save(model, checkpoint, metadata=meta)
    return {
        "checkpoint": checkpoint.name,
        "accuracy": round(acc, 4),
        "accuracy_percent": round(100 * acc, 1),
        "baseline": round(float(np.mean(data.val_labels == majority)), 4),
        "baseline_percent": round(100 * float(np.mean(data.val_labels == majority)), 1),
        "n_train": int(n), "n_val": int(len(data.val_images)),
        "train_loss": [round(v, 4) for v in losses],
        "mean": mean, "std": std,
        "seconds": round(time.perf_counter() - start, 2),
        "parameters": model.num_parameters(),
        "budget": budget.as_dict(),
        "synthetic": data.synthetic,
        "source": data.source,
    }


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int):
    return nn.load(path, with_metadata=True)


def load_model(checkpoint: Path):
    """(model, metadata) from a checkpoint, cached while the file is unchanged."""
    checkpoint = Path(checkpoint)
    return _load(str(checkpoint), checkpoint.stat().st_mtime_ns)


def _stage_maps(values: np.ndarray, decimals: int = 3) -> dict:
    """A stage's output (C, H, W) as lists, with the scale the page colours by.

    Convolution outputs are signed (coloured around 0); after ReLU and pooling they are ≥ 0.
    One scale for the whole stage, so a bright map is really stronger than a dim one.
    """
    v = np.asarray(values, dtype=np.float64)
    lo, hi = float(v.min()), float(v.max())
    signed = lo < 0
    bound = max(abs(lo), abs(hi)) or 1.0
    return {
        "shape": list(v.shape),
        "maps": np.round(v, decimals).tolist(),
        "scale": {"signed": signed, "min": -bound if signed else 0.0, "max": bound if signed else (hi or 1.0)},
        "map_max": [round(float(m.max()), 4) for m in v],
        "map_min": [round(float(m.min()), 4) for m in v],
    }


def forward_stages(model: nn.Sequential, image: np.ndarray, mean: float, std: float) -> dict:
    """Push one image (28×28 in [0, 1]) through the CNN and collect every stage's output.

    Returns ``stages`` (one dict per entry of :data:`STAGES`, with ``shape`` and the values
    to draw), ``logit``, ``probability`` (of pneumonia), ``prediction`` and, for the dense
    layer, each feature map's ``contributions`` to the logit (Σ of w·x over its 49 inputs).
    """
    img = np.asarray(image, dtype=np.float32)
    if img.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"image must be {IMAGE_SIZE}×{IMAGE_SIZE}, got shape {img.shape}")
    x = ((img - mean) / std).astype(np.float32)[None, None]
    model.eval()
    activations = model.forward_all(x)  # every layer's output
    logit = float(activations[-1][0, 0])
    layers = model.layers
    conv1, conv2, dense = layers[0], layers[3], layers[7]
    pooled = activations[5][0]  # (16, 7, 7)
    w = dense.weight.data[0].reshape(pooled.shape)
    contributions = (w * pooled).reshape(pooled.shape[0], -1).sum(axis=1)
    probability = float(nn.functional.sigmoid(logit))
    stages = []
    outputs = [x[0], *(activations[i][0] for i in range(6))]
    for spec, out in zip(STAGES[:7], outputs):
        stage = {**spec, **_stage_maps(out)}
        stages.append(stage)
    stages[1]["kernels"] = np.round(conv1.weight.data[:, 0], 3).tolist()  # (8, 3, 3): what conv1 learned
    stages[1]["parameters"] = conv1.num_parameters()
    stages[4]["parameters"] = conv2.num_parameters()
    flat_values = np.asarray(activations[6][0], dtype=np.float64)
    stages.append({**STAGES[7], "shape": [int(flat_values.size)], "values": np.round(flat_values, 3).tolist(),
                   "scale": {"signed": False, "min": 0.0, "max": float(flat_values.max()) or 1.0},
                   "groups": int(pooled.shape[0])})
    stages.append({**STAGES[8], "shape": [1], "logit": round(logit, 4), "bias": round(float(dense.bias.data[0]), 4),
                   "parameters": dense.num_parameters(),
                   "contributions": [round(float(c), 4) for c in contributions]})
    stages.append({**STAGES[9], "shape": [1], "probability": round(probability, 4)})
    return {
        "stages": stages,
        "logit": round(logit, 4),
        "probability": round(probability, 4),
        "probability_percent": round(100 * probability, 1),
        "prediction": int(probability > 0.5),
        "prediction_name": CLASS_NAMES[int(probability > 0.5)],
    }


def explain_example(model: nn.Sequential, meta: dict, data: ChestData, index: int) -> dict:
    """One held-out image through the trained CNN, with its true label, for the page."""
    n = len(data.val_images)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        raise InputError(f"index must be an int in 0..{n - 1}, got {index!r}")
    image = data.val_images[index, 0]
    result = forward_stages(model, image, float(meta["mean"]), float(meta["std"]))
    label = int(data.val_labels[index])
    result.update({
        "index": index,
        "label": label,
        "label_name": CLASS_NAMES[label],
        "correct": result["prediction"] == label,
        "image": np.clip(np.rint(image * 255), 0, 255).astype(int).tolist(),
        "synthetic": data.synthetic,
        "source": data.source,
    })
    return result


def examples(data: ChestData) -> list[dict]:
    """The held-out images offered to the student: index, label, and pixels for a thumbnail."""
    out = []
    for i in example_indices(data.val_labels):
        label = int(data.val_labels[i])
        out.append({"index": i, "label": label, "label_name": CLASS_NAMES[label],
                    "image": np.clip(np.rint(data.val_images[i, 0] * 255), 0, 255).astype(int).tolist()})
    return out
