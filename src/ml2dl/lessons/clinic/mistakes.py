"""clinic-mistakes: the images behind each cell of the confusion matrix, with where the model looked.

At a threshold t (score ≥ t called pneumonia) every image of a split falls in one cell:

    fn  pneumonia called normal (missed)       fp  normal called pneumonia (false alarm)
    tp  pneumonia called pneumonia             tn  normal called normal

:func:`cell_cases` returns the counts of all four (the confusion matrix) and the images of one
cell, each with its probability and the Grad-CAM of the model's call (``ml2dl.explain``): for a
mistake, what misled the model. The surest calls come first (for a mistake, the most confidently
wrong). Saliency maps are a hint, not a finding: they often miss where the pathology is
(Saporta et al., Nature Machine Intelligence 2022).
"""

from __future__ import annotations

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError
from ml2dl.data.images import to_uint8
from ml2dl.files import jsonable
from ml2dl.explain import grad_cam, last_conv_index
from ml2dl.metrics import binary_metrics
from ml2dl.train import RunDir

from .data import ClinicData
from .judge import MODEL_LOCK, Memo, best_model, checkpoint_stamp, run_scores

CELLS = {  # name → (true label, call, words)
    "fn": (1, 0, "false negatives: pneumonia called normal (missed)"),
    "fp": (0, 1, "false positives: normal called pneumonia (false alarms)"),
    "tp": (1, 1, "true positives: pneumonia called pneumonia"),
    "tn": (0, 0, "true negatives: normal called normal"),
}
MAX_CASES = 24
_HEATMAPS = Memo(32)  # (checkpoint, data, split, call, images shown) → their Grad-CAMs
CAVEAT = ("A heatmap shows what moved this model's score, not where the disease is: in a study of seven "
          "saliency methods, Grad-CAM among them, every one localised pathology on chest X-rays worse than "
          "radiologists did (Saporta et al., Nature Machine Intelligence 2022). Read it as a hint about the "
          "model, never as a finding about the patient.")


def cell_cases(run: RunDir, data: ClinicData, *, split: str, threshold: float, cell: str,
               limit: int = 12) -> dict:
    """The confusion matrix of ``split`` at ``threshold`` and the first ``limit`` images of ``cell``.

    Returns:
        ``counts`` {tp, fp, tn, fn} and sensitivity / specificity (``ml2dl.metrics.binary_metrics``),
        ``cases``: [{index, label, probability, image (H×W grey 0–255), heatmap (H×W in [0, 1]) or
        None}], ``total`` images in the cell, ``heatmap`` what the maps explain, ``caveat``.
    """
    checks.choice("cell", cell, tuple(CELLS))
    checks.choice("split", split, ("validation", "test"))
    checks.int_in_range("limit", limit, 1, MAX_CASES)
    threshold = checks.finite("threshold", threshold)
    scores = run_scores(run, data)
    if split not in scores:
        raise InputError(f"this run's data has no {split} split; choose one of {', '.join(scores)}")
    y, s = scores[split]
    images = (data.val if split == "validation" else data.test).images
    truth, call, words = CELLS[cell]
    called = (s >= threshold).astype(int)
    members = np.flatnonzero((y == truth) & (called == call))
    # surest calls first: the furthest from the threshold on the side of the call
    members = members[np.argsort(-np.abs(s[members] - threshold), kind="stable")]
    shown = members[:limit]
    model = best_model(run)
    heat = None
    try:
        last_conv_index(model)
        explained = True
    except InputError:
        explained = False
    if explained and shown.size:
        def explain():
            with MODEL_LOCK:
                return grad_cam(model, images[shown], target=call)
        # the same cell at the same threshold shows the same images: a class clicking through one run's
        # cells (and the page asking again) costs one Grad-CAM pass per cell, not one per request
        heat = _HEATMAPS.get((checkpoint_stamp(run), data.fingerprint, split, call, shown.tobytes()), explain)
    metrics = binary_metrics(y, s, threshold=threshold)
    cases = [{"index": int(i), "label": int(y[i]), "probability": float(s[i]),
              "image": to_uint8(np.clip(images[i].mean(axis=0), 0, 1)),
              "heatmap": np.round(heat[k], 3) if heat is not None else None}
             for k, i in enumerate(shown)]
    return jsonable({
        "split": split, "threshold": threshold, "cell": cell, "cell_words": words,
        "counts": {k: metrics[k] for k in ("tp", "fp", "tn", "fn")},
        "sensitivity": metrics["sensitivity"], "specificity": metrics["specificity"],
        "total": int(members.size), "shown": len(cases), "cases": cases,
        "heatmap": (f"Grad-CAM of the call “{'pneumonia' if call else 'normal'}”: where the last convolution "
                    f"layer found evidence for it" if explained else "no heatmap: the model has no convolution"),
        "caveat": CAVEAT,
        "synthetic": data.synthetic,
    })
