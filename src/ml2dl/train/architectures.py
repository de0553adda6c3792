"""Built-in CNNs by name: ``"lesson"`` (the small CNN of the lectures) and ``"strong"``.

Both take 1-channel (grayscale) or 3-channel (RGB) images of any size from 28 up and end
in one logit: σ(logit) is the probability of the positive class (pneumonia).

``lesson`` — the network drawn in step 9 of the module::

    Conv 3×3 (C→w) → ReLU → MaxPool 2 → Conv 3×3 (w→2w) → ReLU → MaxPool 2
    → Flatten → Linear (2w·H/4·W/4 → hidden) → ReLU → Linear (hidden → 1)

``strong`` — batch norm, global average pooling and dropout; the design of the PyTorch
reference in the lab's issue (five 3×3 conv layers)::

    [Conv 3×3 → BatchNorm → ReLU] × 2 (w, w)   → MaxPool 2
    [Conv 3×3 → BatchNorm → ReLU] × 2 (2w, 2w) → MaxPool 2
    [Conv 3×3 → BatchNorm → ReLU]     (4w)     → AdaptiveAvgPool 1 → Flatten → Dropout → Linear (4w → 1)

Global average pooling makes the head independent of the image size (28 or 64 px) and
keeps it tiny (4w + 1 weights), so the convolutions do the work and overfit less than a
large fully connected layer would.
"""

from __future__ import annotations

from .. import checks, nn
from ..checks import InputError

DEFAULT_ARCHITECTURE = "strong"


def lesson_cnn(in_channels: int = 1, image_size: int = 28, *, width: int = 16, hidden: int = 64,
               outputs: int = 1, seed: int = 0) -> nn.Sequential:
    """The lectures' CNN. ``width`` filters in the first conv, ``2·width`` in the second.

    Shape: (N, in_channels, image_size, image_size) → (N, outputs) logits (1: binary; K: K classes).
    """
    _check(in_channels, image_size, width)
    checks.positive_int("outputs", outputs)
    checks.positive_int("hidden", hidden)
    if image_size < 4:
        raise InputError(f"image_size must be at least 4 for two 2×2 poolings, got {image_size}")
    side = image_size // 2 // 2
    model = nn.Sequential(
        nn.Conv2d(in_channels, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(2 * width * side * side, hidden), nn.ReLU(),
        nn.Linear(hidden, outputs),
    )
    return model.reset_parameters(rng=seed)


def strong_cnn(in_channels: int = 1, image_size: int = 28, *, width: int = 16, dropout: float = 0.2,
               outputs: int = 1, seed: int = 0) -> nn.Sequential:
    """Five 3×3 conv layers (w, w, 2w, 2w, 4w channels) with batch norm, GAP and dropout.

    Shape: (N, in_channels, H, W) → (N, outputs) logits (1: binary; K: K classes), for any H, W ≥ 4.
    """
    _check(in_channels, image_size, width)
    checks.positive_int("outputs", outputs)
    checks.fraction("dropout", dropout)

    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]

    w = width
    model = nn.Sequential(
        *block(in_channels, w), *block(w, w), nn.MaxPool2d(2),
        *block(w, 2 * w), *block(2 * w, 2 * w), nn.MaxPool2d(2),
        *block(2 * w, 4 * w),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(4 * w, outputs),
    )
    return model.reset_parameters(rng=seed)


ARCHITECTURES = {"lesson": lesson_cnn, "strong": strong_cnn}


def build_model(name: str = DEFAULT_ARCHITECTURE, *, in_channels: int = 1, image_size: int = 28,
                seed: int = 0, **options) -> nn.Sequential:
    """A built-in architecture by name, e.g. ``build_model("strong", in_channels=1, width=16)``.

    ``options`` are the architecture's own keywords (``width``, ``dropout``, ``hidden``, ``outputs``);
    ``None`` values are ignored so callers can pass optional settings straight through.
    """
    if name not in ARCHITECTURES:
        raise InputError(f"unknown model {name!r}; choose one of {sorted(ARCHITECTURES)}")
    options = {k: v for k, v in options.items() if v is not None}
    maker = ARCHITECTURES[name]
    allowed = set(maker.__kwdefaults__ or {}) - {"seed"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputError(f"model {name!r} has no option {', '.join(unknown)}; "
                         f"its options are {sorted(allowed)}")
    return maker(in_channels, image_size, seed=seed, **options)


def _check(in_channels, image_size, width):
    for label, value in (("in_channels", in_channels), ("image_size", image_size), ("width", width)):
        checks.positive_int(label, value)
