"""Step 6 — convolution: local connections, shared weights, few parameters.

One layer on a grayscale H × W image (H = W = size here):

    fully connected:  H × W × neurons weights  (+ neurons biases)   grows with the image
    k × k convolution: k × k × filters weights (+ filters biases)   does not

Worked figures (the curriculum's): 28 × 28 with 32 → 25,088 vs 288 weights.
Quiz: a 100-pixel image into a 10-node hidden layer = 100 × 10 + 10 = 1,010
parameters; a 3 × 3 convolution with 10 feature maps = 9 × 10 + 10 = 100.
"""

from __future__ import annotations

from ml2dl.checks import InputError, int_in_range, non_negative_int
from ml2dl import nn

SERIES_SIZES = [8, 16, 28, 32, 48, 64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512]


def fully_connected_params(pixels: int, neurons: int) -> dict:
    """Weights, biases and total of ``nn.Linear(pixels, neurons)``."""
    return {"weights": pixels * neurons, "biases": neurons, "total": pixels * neurons + neurons}


def conv_params(kernel: int, filters: int, in_channels: int = 1) -> dict:
    """Weights, biases and total of ``nn.Conv2d(in_channels, filters, kernel)``, counted by the engine."""
    layer = nn.Conv2d(in_channels, filters, kernel)
    weights, biases = layer.weight.size, layer.bias.size
    return {"weights": int(weights), "biases": int(biases), "total": int(weights + biases)}


def convolution(size: int = 28, neurons: int = 32, kernel: int = 3) -> dict:
    """Parameters of one fully connected layer vs one convolution on a size × size image.

    Args:
        size: image height = width in pixels (4 to 1024).
        neurons: neurons of the fully connected layer = filters of the convolution (1 to 1024).
        kernel: the convolution's kernel size k (1 to 11).

    Returns:
        ``{"size", "pixels", "neurons", "kernel", "fully_connected": {"weights", "biases", "total"},
        "convolution": {...}, "ratio": fc weights / conv weights, "series": {"sizes", "fully_connected",
        "convolution"}}``; the series holds weights (no biases) over image sizes 8 … 512.
    """
    size = int_in_range("size", size, 4, 1024)
    neurons = int_in_range("neurons", neurons, 1, 1024)
    kernel = int_in_range("kernel", kernel, 1, 11)
    if kernel > size:
        raise InputError(f"kernel ({kernel}) must fit in the image (size {size})")
    pixels = size * size
    fc = fully_connected_params(pixels, neurons)
    conv = conv_params(kernel, neurons)
    sizes = sorted(set(SERIES_SIZES) | {size})
    return {
        "size": size,
        "pixels": pixels,
        "neurons": neurons,
        "kernel": kernel,
        "fully_connected": fc,
        "convolution": conv,
        "ratio": fc["weights"] / conv["weights"],
        "series": {
            "sizes": sizes,
            "fully_connected": [s * s * neurons for s in sizes],
            "convolution": [conv["weights"]] * len(sizes),
        },
    }


QUIZ = {"pixels": 100, "nodes": 10, "kernel": 3, "maps": 10}


def quiz(fc_answer: int | None = None, conv_answer: int | None = None) -> dict:
    """The step's quiz: check a student's two answers against the counts.

    Returns ``{"question", "fully_connected": {"answer", "correct", "working"}, "convolution": {...}}``;
    ``correct`` is None when no answer was given.
    """
    for name, value in (("fc_answer", fc_answer), ("conv_answer", conv_answer)):
        if value is not None:
            non_negative_int(name, value)
    q = QUIZ
    fc = fully_connected_params(q["pixels"], q["nodes"])["total"]
    conv = conv_params(q["kernel"], q["maps"])["total"]
    return {
        "question": q,
        "fully_connected": {
            "answer": fc,
            "correct": None if fc_answer is None else fc_answer == fc,
            "working": f"{q['pixels']} × {q['nodes']} weights + {q['nodes']} biases = {fc:,}",
        },
        "convolution": {
            "answer": conv,
            "correct": None if conv_answer is None else conv_answer == conv,
            "working": f"{q['kernel']} × {q['kernel']} × {q['maps']} weights + {q['maps']} biases = {conv:,}",
        },
    }
