"""Step ``architectures`` — which network for which data.

Three kinds of data, three kinds of network, each as the engine builds it:

    a row of numbers   (height, weight, age) → shape (3,)        feed-forward: Linear → ReLU → Linear
    an image           28 × 28 grey levels   → shape (1, 28, 28)  CNN: step 9's network (lessons.pipeline)
    a sequence         24 hours × 3 vitals   → shape (24, 3)      RNN: nn.RNN → Linear on the last hidden state

Every shape and parameter count comes from ``Sequential.summary`` (each layer's
``output_shape`` and ``num_parameters``). The RNN reads the 24 hours one after another and
hands its hidden state after the last hour (16 numbers) to a Linear layer (``returns="last"``).

Why each fits (the one-line reasons):
- a row's columns have no order and no neighbours: every input meets every neuron;
- an image's neighbouring pixels belong together, and a pattern means the same anywhere: small
  shared kernels (few weights, the same detector everywhere);
- a sequence's order is the information: the same cell reads one time step after another and
  carries what it has seen in its hidden state.
"""

from __future__ import annotations

import numpy as np

from ml2dl import nn
from ml2dl.lessons import pipeline

ROW = {"height": 193, "weight": 224, "age": 27}  # the lecture's row (step data), units as the lecture leaves them
SEQUENCE = {"hours": 24, "signals": ["heart rate", "respiratory rate", "SpO₂"]}
HIDDEN = 16


def _summary(model: nn.Sequential, input_shape: tuple[int, ...]) -> dict:
    s = model.summary(input_shape, print_table=False)
    layers = [{"layer": type(model.layers[r["index"]]).__name__, "description": r["layer"],
               "output_shape": list(r["output_shape"]) if r["output_shape"] is not None else None,
               "params": int(r["params"])} for r in s.rows]
    return {"input_shape": list(input_shape), "layers": layers, "total_params": int(s.total_params),
            "output_shape": layers[-1]["output_shape"]}


def feed_forward() -> nn.Sequential:
    rng = np.random.default_rng(0)
    return nn.Sequential(nn.Linear(len(ROW), HIDDEN, rng=rng), nn.ReLU(), nn.Linear(HIDDEN, 1, rng=rng))


def recurrent() -> nn.Sequential | None:
    """nn.RNN(3, 16, batch_first=True) read at its last hour → Linear(16, 1); None without nn.RNN."""
    rnn_cls = getattr(nn, "RNN", None)
    if rnn_cls is None:
        return None
    rng = np.random.default_rng(0)
    return nn.Sequential(rnn_cls(len(SEQUENCE["signals"]), HIDDEN, batch_first=True, returns="last", rng=rng),
                         nn.Linear(HIDDEN, 1, rng=rng))


def _recurrent_summary() -> dict:
    shape = (SEQUENCE["hours"], len(SEQUENCE["signals"]))
    model = recurrent()
    if model is None:
        return {"available": False, "input_shape": list(shape), "layers": [], "total_params": None, "output_shape": None}
    return {**_summary(model, shape), "available": True}


def architectures() -> dict:
    """The three pairs (data → network), each with its input shape, layers and parameter counts."""
    image = pipeline.build_model(0)
    return {"kinds": [
        {"key": "tabular", "data": "A row of numbers (tabular data)",
         "examples": ["height, weight and age of a patient", "blood test values", "a risk score's inputs"],
         "input": {"what": "one row: " + ", ".join(f"{k} {v}" for k, v in ROW.items()),
                   "shape": [len(ROW)]},
         "network": "Feed-forward (fully connected)",
         "reason": "the columns have no order and no neighbours, so every input meets every neuron",
         "step": "playground",
         "model": {**_summary(feed_forward(), (len(ROW),)), "available": True}},
        {"key": "image", "data": "An image (a grid of pixels)",
         "examples": ["tumours in radiology", "skin lesions in dermatology photos", "pneumonia on a chest X-ray"],
         "input": {"what": "one grey 28 × 28 chest image: 1 channel × 28 rows × 28 columns", "shape": [1, 28, 28]},
         "network": "Convolutional network (CNN)",
         "reason": "neighbouring pixels belong together and a pattern means the same anywhere: "
                   "small shared kernels slide over the image",
         "step": "pipeline",
         "model": {**_summary(image, (1, 28, 28)), "available": True}},
        {"key": "sequence", "data": "A sequence (values over time)",
         "examples": ["a patient's vital signs hour by hour", "disease progression over visits", "an ECG trace"],
         "input": {"what": f"{SEQUENCE['hours']} hours × {len(SEQUENCE['signals'])} signals ("
                           + ", ".join(SEQUENCE["signals"]) + ")", "shape": [SEQUENCE["hours"], len(SEQUENCE["signals"])]},
         "network": "Recurrent network (RNN)",
         "reason": "the order is the information: one cell reads hour after hour and carries what it saw "
                   "in its hidden state",
         "step": "rnn",
         "model": _recurrent_summary()},
    ]}
