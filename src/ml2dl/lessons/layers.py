"""Step 4 — stack layers: deep learning.

A fully connected layer with ``inputs`` inputs and ``neurons`` neurons has one weight
per (input, neuron) pair and one bias per neuron:

    parameters = inputs × neurons + neurons

and a network's total is the sum over its layers. Worked example (the curriculum's
quiz): 10 inputs, two hidden layers of 10, 10 outputs →
(10·10 + 10) × 3 = 110 × 3 = 330 parameters, as ``nn.Sequential(nn.Linear(10, 10),
nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 10)).summary()`` reports.
"""

from __future__ import annotations

from ml2dl.checks import InputError, int_in_range

MAX_LAYERS = 9        # weight layers (sizes has one more entry: the inputs)
MAX_WIDTH = 100_000

HIERARCHY = [
    {"level": "pixels", "what": "The input: one number per pixel, no meaning yet."},
    {"level": "edges", "what": "First layers: where brightness changes — borders, lines, corners."},
    {"level": "textures", "what": "Edges combined: patterns such as the grain of lung tissue or bone."},
    {"level": "anatomy", "what": "Textures combined: ribs, heart, diaphragm, lung fields."},
    {"level": "pathology", "what": "The last layers: what is wrong — an opacity where air should be."},
]


def check_sizes(sizes) -> list[int]:
    """``sizes`` = [inputs, neurons of layer 1, …, outputs]: 2 to 10 positive ints."""
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(f"sizes must be a list of ints, got {type(sizes).__name__}")
    if not 2 <= len(sizes) <= MAX_LAYERS + 1:
        raise InputError(f"sizes must list the inputs and 1 to {MAX_LAYERS} layers "
                         f"(2 to {MAX_LAYERS + 1} numbers), got {len(sizes)}")
    return [int_in_range(f"sizes[{i}]", n, 1, MAX_WIDTH) for i, n in enumerate(sizes)]


def layers(sizes=(10, 10, 10, 10)) -> dict:
    """Parameter count of a fully connected network, layer by layer.

    Args:
        sizes: the number of inputs, then the number of neurons in each layer; the last
            layer is the output layer.

    Returns:
        ``{"sizes", "layers": [{"index", "kind", "inputs", "neurons", "weights", "biases",
        "params"}], "total", "hidden_layers", "hierarchy"}`` with
        weights = inputs × neurons, biases = neurons, params = weights + biases.
    """
    sizes = check_sizes(sizes)
    rows = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        weights = n_in * n_out
        rows.append({
            "index": i,
            "kind": "output" if i == len(sizes) - 1 else "hidden",
            "inputs": n_in,
            "neurons": n_out,
            "weights": weights,
            "biases": n_out,
            "params": weights + n_out,
        })
    return {
        "sizes": sizes,
        "layers": rows,
        "total": sum(r["params"] for r in rows),
        "hidden_layers": len(rows) - 1,
        "hierarchy": HIERARCHY,
    }
