"""The clinic's sentences, made from the numbers they describe (none is fixed in advance).

Each function takes figures already computed (by ``ml2dl.metrics`` or the lab's Evaluation)
and says what they show; where a result could go either way, the wording follows the result.
"""

from __future__ import annotations

import math

import numpy as np


def pct(x, digits: int = 1) -> str:
    """0.9123 → "91.2%"; None / NaN → "—"."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{100 * float(x):.{digits}f}%"


def points(delta: float) -> str:
    """A change in percentage points with its sign: "+2.4 points", "−10.3 points", "no change"."""
    if abs(delta) < 0.05:
        return "no change"
    return f"{'+' if delta > 0 else '−'}{abs(delta):.1f} points"


def shift_words(row: dict) -> str:
    """How far an operating point chosen on validation moved on test, in counts and percentages, and
    whether the move is larger than two samples of these sizes would show by chance (each value
    outside the other's 95% interval)."""
    m = row["target"]
    val, test = row["validation"], row["test"]
    v, t = val[m], test[m]
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (v, t)):
        return f"The {row['label']} point has no {m} on one of the splits."
    if m == "sensitivity":
        what, k_v, n_v, k_t, n_t = "pneumonia images scored at or above", val["tp"], val["tp"] + val["fn"], \
            test["tp"], test["tp"] + test["fn"]
    else:
        what, k_v, n_v, k_t, n_t = "normal images scored below", val["tn"], val["tn"] + val["fp"], \
            test["tn"], test["tn"] + test["fp"]
    beyond = not (val[f"{m}_low"] <= t <= val[f"{m}_high"]) and not (test[f"{m}_low"] <= v <= test[f"{m}_high"])
    verdict = ("Each value lies outside the other's 95% interval: more than samples of these sizes usually vary by chance."
               if beyond else "The two intervals overlap each other's value: samples of these sizes can differ "
               "this much by chance alone.")
    return (f"Chosen on validation for {row['rule'].removesuffix(' on validation')}: {k_v} of {n_v} {what} the "
            f"threshold ({m} {pct(v)}, 95% CI {pct(val[f'{m}_low'])}–{pct(val[f'{m}_high'])}). The same threshold "
            f"on test: {k_t} of {n_t} ({pct(t)}, 95% CI {pct(test[f'{m}_low'])}–{pct(test[f'{m}_high'])}; "
            f"{points(100 * (t - v))}). {verdict}")


def why_points_move(ev, test_from: str) -> str:
    """Why a fixed threshold lands elsewhere on test: the splits' own facts, and what can cause it."""
    val, test = ev.splits["validation"], ev.splits["test"]
    return (f"The threshold is the same number on both splits; the images are not: the test images are "
            f"{test_from}, and pneumonia is {pct(val.n_pneumonia / val.n)} of validation "
            f"({val.n} images) and {pct(test.n_pneumonia / test.n)} of test ({test.n}). Sensitivity counts only "
            f"pneumonia images and specificity only normal ones, so a point moves when that class's scores "
            f"differ between the splits — by chance in a small sample, or because the images come from "
            f"elsewhere (another hospital, scanner or population): distribution shift. A threshold tuned on "
            f"one sample is checked on the next before it is trusted.")


def calibration_words(fit, prevalence: float, class_weight) -> str:
    """What the calibration slope and intercept of one split say."""
    slope, intercept = fit.slope, fit.intercept
    if slope is None or intercept is None or math.isnan(slope) or math.isnan(intercept):
        return ("Slope and intercept are undefined here: the scores separate the two classes completely, "
                "so no logistic recalibration fits.")
    if abs(slope - 1) < 0.1:
        s = f"Slope {slope:.2f}: close to 1, the spread of the probabilities is about right."
    elif slope < 1:
        s = (f"Slope {slope:.2f} (< 1): the probabilities are too extreme — over-confident; "
             f"near 0 and 1 they promise more than the images deliver.")
    else:
        s = f"Slope {slope:.2f} (> 1): the probabilities are too timid — the truth is more extreme than they say."
    if abs(intercept) < 0.1:
        i = f"Intercept {intercept:.2f}: on average the risk is about right on this split."
    elif intercept > 0:
        i = f"Intercept {intercept:.2f} (> 0): on average the model under-estimates the risk on this split."
    else:
        i = f"Intercept {intercept:.2f} (< 0): on average the model over-estimates the risk on this split."
    out = f"{s} {i}"
    if class_weight == "balanced" and abs(prevalence - 0.5) >= 0.05:
        out += (f" It was trained with balanced class weights, so its probabilities describe a population "
                f"with 50% pneumonia, while this split has {pct(prevalence)}.")
    return out


def decision_words(curve) -> str:
    """Where acting on the model beats both treating everyone and treating no one."""
    t = curve.thresholds
    better = curve.model > np.maximum(curve.treat_all, curve.treat_none) + 1e-12
    if not better.any():
        return ("At no threshold probability from "
                f"{t[0]:.2f} to {t[-1]:.2f} does acting on the model beat both treating everyone and treating no one.")
    idx = np.flatnonzero(better)
    first, last = t[idx[0]], t[idx[-1]]
    if idx[-1] - idx[0] + 1 == idx.size:
        span = f"for every threshold probability from {first:.2f} to {last:.2f}"
    else:
        span = f"at {idx.size} of the {t.size} threshold probabilities between {first:.2f} and {last:.2f}"
    best = int(np.argmax(curve.model - np.maximum(curve.treat_all, curve.treat_none)))
    return (f"Acting on the model beats both treating everyone and treating no one {span}. The largest gain "
            f"is at {t[best]:.2f}: a net benefit of {curve.model[best]:.3f} against "
            f"{max(curve.treat_all[best], 0.0):.3f} for the better of the two: as good as finding "
            f"{100 * (curve.model[best] - max(curve.treat_all[best], 0.0)):.1f} more cases per 100 patients "
            f"with no false alarm.")
