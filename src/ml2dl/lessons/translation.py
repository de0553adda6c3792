"""Step 5 — what moving an image does to a trained network, and the experiment's findings in words.

A convolution is translation-*equivariant*: move the input by (dy, dx) and its feature map
moves by the same (dy, dx), values unchanged (away from the border):

    conv(shift(x)) = shift(conv(x))

Max pooling over 2 × 2 windows adds a little *invariance*: a maximum that moves within its
window does not change the pooled value. A dense (fully-connected) layer at the end reads
every position with its own weight, so it is position-specific again. The experiment
measures what this means for a trained network: it tests the networks trained on centred
images on the same held-out images moved by 1, 2, 3, 4 pixels.

The findings (``shuffle_findings``, ``shift_findings``) are sentences computed from the
measured accuracies: the page states nothing the numbers could contradict.
"""

from __future__ import annotations

import numpy as np

from ml2dl import checks, nn

SHIFTS = (0, 1, 2, 3, 4)  # pixels
SHIFT_SEED = 0
SMALL_POINTS = 2.0   # a change of at most this many accuracy points is called "hardly"
NEAR_BASELINE = 3.0  # within this many points of the baseline counts as "no better than guessing the majority"


def shift_image(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """(..., H, W) moved down by dy and right by dx pixels; the uncovered border repeats the edge pixel.

    out[i, j] = x[clip(i − dy), clip(j − dx)]  (clip to 0..H−1, 0..W−1).
    """
    x = np.asarray(image)
    h, w = x.shape[-2:]
    rows = np.clip(np.arange(h) - int(dy), 0, h - 1)
    cols = np.clip(np.arange(w) - int(dx), 0, w - 1)
    return x[..., rows[:, None], cols[None, :]]


def random_offsets(n: int, k: int, seed: int = SHIFT_SEED) -> np.ndarray:
    """(n, 2) offsets (dy, dx) with max(|dy|, |dx|) = k: each image moved by k pixels in a random direction."""
    checks.non_negative_int("k", k)
    rng = np.random.default_rng(seed + 1000 * k)
    if k == 0:
        return np.zeros((n, 2), dtype=np.int64)
    ring = np.array([(dy, dx) for dy in range(-k, k + 1) for dx in range(-k, k + 1) if max(abs(dy), abs(dx)) == k])
    return ring[rng.integers(0, len(ring), size=n)]


def shifted(images: np.ndarray, k: int, seed: int = SHIFT_SEED) -> np.ndarray:
    """(N, C, H, W) images, each moved by k pixels in its own random direction (``random_offsets``)."""
    offsets = random_offsets(len(images), k, seed)
    return np.stack([shift_image(x, dy, dx) for x, (dy, dx) in zip(images, offsets)]) if len(images) else images


def equivariance_gap(conv: nn.Conv2d, image: np.ndarray, dy: int, dx: int) -> float:
    """max |conv(shift(x)) − shift(conv(x))| away from the border (≈ 0: the map moves with the image).

    image: (C, H, W). Rows and columns within |shift| + 1 of the border are left out, where
    the repeated edge and the padding differ.
    """
    x = np.asarray(image, dtype=np.float32)[None]
    a = conv(shift_image(x, dy, dx))[0]
    b = shift_image(conv(x)[0], dy, dx)
    m = max(abs(dy), abs(dx)) + 1
    return float(np.abs(a - b)[:, m:-m, m:-m].max())


def shift_curve(accuracy_of, images: np.ndarray, labels: np.ndarray, shifts=SHIFTS, seed: int = SHIFT_SEED) -> list[dict]:
    """Held-out accuracy when every image is moved by k pixels, for each k in ``shifts``.

    ``accuracy_of(images, labels) -> float`` measures the trained network.
    """
    return [{"shift": int(k), "percent": round(100 * accuracy_of(shifted(images, k, seed) if k else images, labels), 1)}
            for k in shifts]


def brightness_rule(train_images: np.ndarray, train_labels: np.ndarray, val_images: np.ndarray,
                    val_labels: np.ndarray) -> dict:
    """The best one-number rule: "pneumonia when the image's mean grey level is above (or below) t".

    t and the direction are chosen on the training images (the t with the most right answers
    among the midpoints between sorted means); returns the held-out accuracy in ``percent``.
    A shuffle does not change an image's mean, so whatever this rule scores survives it.
    """
    m_tr = np.asarray(train_images, dtype=np.float64).reshape(len(train_images), -1).mean(axis=1)
    m_va = np.asarray(val_images, dtype=np.float64).reshape(len(val_images), -1).mean(axis=1)
    y_tr, y_va = np.asarray(train_labels) == 1, np.asarray(val_labels) == 1
    s = np.sort(m_tr)
    cuts = np.concatenate([[s[0] - 1], (s[:-1] + s[1:]) / 2, [s[-1] + 1]])
    above = (m_tr[None, :] > cuts[:, None])                       # (cuts, N): "pneumonia when brighter than t"
    right_above = (above == y_tr[None, :]).mean(axis=1)
    best_above, best_below = int(np.argmax(right_above)), int(np.argmax(1 - right_above))
    brighter = right_above[best_above] >= 1 - right_above[best_below]
    t = float(cuts[best_above if brighter else best_below])
    pred = m_va > t if brighter else m_va <= t
    return {"threshold": t, "pneumonia_when": "brighter" if brighter else "darker",
            "percent": round(100 * float(np.mean(pred == y_va)), 1)}


# ------------------------------------------------------------------------------ findings in words


def _points(v: float) -> str:
    v = abs(round(v, 1))
    return f"{v:g} point" + ("" if v == 1 else "s")


def shuffle_findings(fc_original: float, fc_shuffled: float, cnn_original: float, cnn_shuffled: float,
                     brightness: float, baseline: float) -> dict:
    """Sentences for the shuffle experiment, from the four accuracies, the mean-grey-level rule's
    and the majority baseline's (all percent)."""
    fc_change = round(fc_shuffled - fc_original, 1)
    cnn_change = round(cnn_shuffled - cnn_original, 1)
    if abs(fc_change) < 0.05:
        fc = ("Exactly the same accuracy: for it the shuffle only re-orders its inputs, and with its starting weights "
              "re-ordered the same way it does the very same arithmetic.")
    else:
        fc = (f"{_points(fc_change)} apart: the same learning problem in another order, so only floating-point "
              "rounding can differ.")
    if cnn_change <= -SMALL_POINTS:
        cnn = (f"The shuffle cost it {_points(cnn_change)}: its 3 × 3 filters read neighbouring pixels, and after the "
               "shuffle neighbours are unrelated pixels.")
    elif cnn_change < 0:
        cnn = f"The shuffle cost it only {_points(cnn_change)}: on these images most of what tells the classes apart survives it."
    else:
        cnn = (f"It did not lose ({'+' if cnn_change > 0 else ''}{cnn_change:g} points): on these images what tells the "
               "classes apart survives the shuffle.")
    if cnn_change > -SMALL_POINTS and brightness - baseline > NEAR_BASELINE:
        cnn += (f" One number per image that no shuffle changes, its mean grey level, already scores {brightness:.1f} % "
                f"(against {baseline:.1f} % for always answering the majority).")
    lead = cnn_shuffled - fc_shuffled
    if lead > 0.05:
        cnn += f" Even shuffled it is {_points(lead)} ahead of the fully-connected network."
    elif lead < -0.05:
        cnn += f" Shuffled, it is {_points(lead)} behind the fully-connected network."
    return {"fc": fc, "cnn": cnn}


def _holds(curve: list[dict], tolerance: float = SMALL_POINTS) -> int:
    """The largest shift up to which the accuracy stays within ``tolerance`` points of the unmoved images."""
    start, best = curve[0]["percent"], 0
    for row in curve:
        if start - row["percent"] > tolerance:
            break
        best = row["shift"]
    return best


def shift_findings(curves: dict[str, list[dict]], baseline: float) -> dict:
    """Sentences for the moved-images test, from the accuracy curves (percent) and the baseline (percent).

    ``curves``: {"fc": [...], "cnn": [...]} as :func:`shift_curve` returns them.
    """
    by = {m: {r["shift"]: r["percent"] for r in c} for m, c in curves.items()}
    names = {"fc": "fully-connected network", "cnn": "CNN"}
    sentences = []
    for m in ("fc", "cnn"):
        held = _holds(curves[m])
        last = max(by[m])
        drop = by[m][0] - by[m][last]
        fall = (f"moved by {last} pixels it falls from {by[m][0]:.1f} % to {by[m][last]:.1f} %" if drop > 0.05
                else f"moved by {last} pixels it still scores {by[m][last]:.1f} %")
        near = " — about what always answering the majority class scores" if by[m][last] - baseline <= NEAR_BASELINE else ""
        keeps = (f"keeps its accuracy within {SMALL_POINTS:g} points up to a shift of {held} pixel{'s' if held != 1 else ''}"
                 if held else f"loses more than {SMALL_POINTS:g} points already at 1 pixel")
        sentences.append(f"The {names[m]} {keeps}; {fall}{near}.")
    if 1 in by["fc"] and 1 in by["cnn"]:
        lost = {m: round(by[m][0] - by[m][1], 1) for m in ("fc", "cnn")}
        sentence = (f"Moved by 1 pixel, the CNN loses {_points(lost['cnn'])}, "
                    f"the fully-connected network {abs(lost['fc']):g}")
        if lost["cnn"] < lost["fc"]:
            sentence += ": the CNN's filters slide with the image, and 2 × 2 max pooling hides a move within its window."
        sentences.append(sentence if sentence.endswith(".") else sentence + ".")
    return {"fc": sentences[0], "cnn": sentences[1], "comparison": sentences[2] if len(sentences) > 2 else ""}
