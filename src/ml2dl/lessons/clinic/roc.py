"""clinic-roc: read a trained run the way a clinician reads a test.

For the validation and test splits of a run (:mod:`.judge`): the ROC curve with its AUC and two
95% intervals (percentile bootstrap, DeLong), the precision–recall curve, calibration (reliability
bins, slope and intercept) and the decision curve; the operating points chosen on validation
after training, applied unchanged to test, with how far they moved and why; and the table a
threshold slider reads — every validation score as a threshold, with the confusion matrix,
sensitivity, specificity, PPV and NPV (each with its Wilson interval) on both splits, so the page
moves the threshold without asking the server again. Every number comes from ``ml2dl.metrics``
or the lab's :class:`~ml2dl.train.Evaluation`; the sentences are made from those numbers.
"""

from __future__ import annotations

import numpy as np

from ml2dl import metrics as M
from ml2dl.files import jsonable
from ml2dl.train import RunDir

from .data import ClinicData
from .judge import Memo, checkpoint_stamp, run_evaluation
from .words import calibration_words, decision_words, pct, shift_words, why_points_move

PREVALENCES = (0.5, 0.2, 0.1, 0.05, 0.01)  # the prevalence control's choices (besides the sample's own)
DECISION_THRESHOLDS = np.round(np.linspace(0.01, 0.99, 99), 2)
GULSHAN = tuple({**p, "fpr": round(1 - p["specificity"], 4)} for p in (
    {"name": "high specificity", "sensitivity": 0.903, "specificity": 0.981},
    {"name": "high sensitivity", "sensitivity": 0.975, "specificity": 0.934}))
GULSHAN_SOURCE = ("Gulshan et al., JAMA 2016: deep learning for diabetic retinopathy in fundus photographs, "
                  "EyePACS-1 validation set (AUC 0.991)")
POINT_TARGET = {"screening": "sensitivity", "high_specificity": "specificity"}
WHY = {
    "screening": ("Screening wants sensitivity: a missed case goes home untreated, while a false alarm only "
                  "costs a second look."),
    "high_specificity": ("A high-risk decision (an invasive test, a toxic treatment) wants specificity: "
                         "acting on a healthy person harms them, so a positive call must rarely be wrong."),
}
TABLE_COLUMNS = ("tp", "fp", "tn", "fn") + tuple(f"{r}{e}" for r in M.thresholds.RATES for e in ("", "_low", "_high"))

_PAGES, _TABLES = Memo(8), Memo(16)


def roc_page(run: RunDir, data: ClinicData, *, prevalence: float | None = None) -> dict:
    """Everything clinic-roc shows for one run (see the module docstring); JSON-able, no NaN."""
    key = (checkpoint_stamp(run), data.fingerprint, prevalence)
    return _PAGES.get(key, lambda: _roc_page(run, data, prevalence))


def _roc_page(run: RunDir, data: ClinicData, prevalence: float | None) -> dict:
    ev = run_evaluation(run, data)
    class_weight = (run.config().get("recipe") or {}).get("class_weight")
    splits = {name: split_figures(sm, class_weight=class_weight) for name, sm in ev.splits.items()}
    points = point_rows(ev)
    rows = np.unique(ev.splits["validation"].y_score)  # the table's thresholds (see _table)
    for p in points:  # the table row of each point: the slider jumps there
        t = p["threshold"]
        p["row"] = int(min(np.searchsorted(rows, t if t is not None and np.isfinite(t) else np.inf), rows.size - 1))
    return jsonable({
        "run": run.path.name,
        "synthetic": data.synthetic,
        "source": data.source,
        "test_from": data.test_from,
        "has_test": "test" in ev.splits,
        "points_chosen_on": ev.points_chosen_on,
        "splits": splits,
        "points": points,
        "why_points_move": why_points_move(ev, data.test_from) if "test" in ev.splits else None,
        "gulshan": {"source": GULSHAN_SOURCE, "points": list(GULSHAN)},
        "why": WHY,
        "prevalences": list(PREVALENCES),
        "table": threshold_table(run, data, prevalence=prevalence),
    })


def split_figures(sm, *, class_weight=None) -> dict:
    """The curves and intervals of one split (a :class:`~ml2dl.train.SplitMetrics`)."""
    y, s = sm.y_true, sm.y_score
    delong = M.delong_auc_ci(y, s)
    precision, recall, _ = M.precision_recall_curve(y, s)
    fit = M.calibration_fit(y, s)
    rel = sm.calibration
    curve = M.decision_curve(y, s, DECISION_THRESHOLDS)
    fpr, tpr, _ = sm.roc
    prevalence = sm.n_pneumonia / sm.n
    return {
        "n": sm.n, "n_normal": sm.n_normal, "n_pneumonia": sm.n_pneumonia, "prevalence": prevalence,
        "auc": sm.auc,
        "auc_ci_bootstrap": list(sm.auc_ci95),
        "auc_ci_delong": [delong.low, delong.high],
        "auc_se_delong": delong.se,
        "auc_words": (f"AUC {sm.auc:.3f}: a random pneumonia image outscores a random normal one "
                      f"{pct(sm.auc)} of the time (95% CI {pct(sm.auc_ci95[0])}–{pct(sm.auc_ci95[1])} by "
                      f"bootstrap, {pct(delong.low)}–{pct(delong.high)} by DeLong)"),
        "roc": {"fpr": _r(fpr), "tpr": _r(tpr)},
        "pr": {"precision": _r(precision), "recall": _r(recall), "average_precision": M.average_precision_score(y, s),
               "baseline": prevalence},
        "calibration": {"centres": _r(rel.centres), "observed": _r(rel.observed), "counts": rel.counts,
                        "ece": rel.ece, "slope": fit.slope, "intercept": fit.intercept,
                        "words": calibration_words(fit, prevalence, class_weight)},
        "decision": {"thresholds": curve.thresholds, "model": _r(curve.model), "treat_all": _r(curve.treat_all),
                     "treat_none": curve.treat_none, "words": decision_words(curve)},
        "at_half": {k: sm.at_half[k] for k in ("tp", "fp", "tn", "fn", "sensitivity", "specificity")},
    }


def point_rows(ev) -> list[dict]:
    """The operating points chosen on validation, on validation and (unchanged) on test, with intervals."""
    out = []
    names = [n for n in ("screening", "high_specificity", "balanced") if n in ev.operating_points]
    thresholds = [ev.operating_points[n]["threshold"] for n in names]
    finite = [t if t is not None and np.isfinite(t) else np.inf for t in thresholds]
    per_split = {split: M.threshold_table(sm.y_true, sm.y_score, finite) for split, sm in ev.splits.items()}
    for i, name in enumerate(names):
        row = {"name": name, "label": name.replace("_", " "), "rule": ev.operating_points[name].get("rule", ""),
               "threshold": thresholds[i], "target": POINT_TARGET.get(name), "why": WHY.get(name)}
        for split, table in per_split.items():
            row[split] = {k: table[k][i] for k in TABLE_COLUMNS}
        if "test" in per_split and row["target"]:
            row["shift"] = {m: 100 * (row["test"][m] - row["validation"][m])
                            for m in ("sensitivity", "specificity")}
            row["words"] = shift_words(row)
        out.append(row)
    return out


def threshold_table(run: RunDir, data: ClinicData, *, prevalence: float | None = None) -> dict:
    """The slider's table: every distinct validation score as a threshold (ascending), and at each
    the confusion matrix and the four rates with their 95% intervals on validation and on test.

    ``prevalence``: None keeps each split's own PPV and NPV; a share in (0, 1) gives those of a
    population with that share of pneumonia (:func:`ml2dl.metrics.predictive_values`).
    """
    key = (checkpoint_stamp(run), data.fingerprint, prevalence)
    return _TABLES.get(key, lambda: _table(run_evaluation(run, data), prevalence))


def _table(ev, prevalence: float | None) -> dict:
    val = ev.splits["validation"]
    thresholds = np.unique(val.y_score)
    # exact thresholds: one read back from the URL calls the very same cases
    out = {"threshold": thresholds.tolist(), "prevalence": prevalence, "rows": len(thresholds)}
    for split, sm in ev.splits.items():
        t = M.threshold_table(sm.y_true, sm.y_score, thresholds, prevalence=prevalence)
        out[split] = {k: (t[k].tolist() if k in ("tp", "fp", "tn", "fn") else _r(t[k], 4)) for k in TABLE_COLUMNS}
        out[split]["fpr"] = _r(1.0 - t["specificity"], 4)  # the point on the ROC curve: (1 − specificity, sensitivity)
        out[split]["sample_prevalence"] = sm.n_pneumonia / sm.n
    return jsonable(out)


def _r(values, digits: int = 5) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()
