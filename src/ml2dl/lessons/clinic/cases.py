"""cases: published studies, each beside the same idea measured on the chosen run.

From the run's scores (:mod:`.judge`) and its operating points chosen on validation, on the test
split (validation when the data has none):

* **Gulshan et al. 2016** — two operating points on one ROC curve; ours are the run's screening and
  high-specificity points, on validation (where they were chosen) and on test (applied unchanged);
* **Rajpurkar et al. 2017 (CheXNet)** — F1 = 2·TP / (2·TP + FP + FN) at an operating point with its 95%
  percentile-bootstrap interval (:func:`bootstrap_f1_ci`), beside theirs and the radiologists';
* **McKinney et al. 2020** — the model as first reader: a radiologist reads only the images it flags,

      read = (TP + FP) / N          cleared unread = (TN + FN) / N          missed = FN / (TP + FN)

Every sentence is made from the numbers returned with it.
"""

from __future__ import annotations

import numpy as np

from ml2dl import checks
from ml2dl.checks import InputError
from ml2dl.files import jsonable
from ml2dl.train import RunDir

from .data import ClinicData
from .judge import run_evaluation
from .roc import GULSHAN, GULSHAN_SOURCE, point_rows
from .words import pct

N_BOOT = 1000
SEED = 0
RAJPURKAR = {"f1": 0.435, "low": 0.387, "high": 0.481, "radiologists": 0.387,
             "source": ("Rajpurkar et al. 2017, CheXNet: a 121-layer DenseNet on ChestX-ray14 (over 100,000 frontal "
                        "X-rays, 14 diseases); pneumonia F1 on 420 test images labelled by four radiologists")}
MCKINNEY = {"source": ("McKinney et al., Nature 2020: breast cancer screening mammograms from the UK and the USA. "
                       "As the second reader of UK double reading, the model would have cut the second reader's "
                       "work by 88% with no loss of accuracy (a simulation)"),
            "second_reader_saving": 0.88}


def bootstrap_f1_ci(y, called, *, n_boot: int = N_BOOT, alpha: float = 0.05, rng=SEED) -> tuple[float, float, int]:
    """Percentile bootstrap 95% interval of F1 for fixed calls: ``(low, high, resamples used)``.

    Resample b takes the rows ``idx = rng.integers(0, N, size=(n_boot, N))[b]`` (drawn at once);
    its F1 is 2·TP_b / (2·TP_b + FP_b + FN_b) from counts of the code 2·y + call over the resample.
    Resamples without a positive call or case (F1 undefined, 0/0) are left out.
    """
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    called = np.asarray(called, dtype=np.int64).reshape(-1)
    n_boot = checks.positive_int("n_boot", n_boot)
    gen = checks.rng(rng)
    idx = gen.integers(0, y.size, size=(n_boot, y.size))
    code = 2 * y + called  # 0 tn, 1 fp, 2 fn, 3 tp
    rows = (code[idx] + 4 * np.arange(n_boot)[:, None]).ravel()
    counts = np.bincount(rows, minlength=4 * n_boot).reshape(n_boot, 4)
    fp, fn, tp = counts[:, 1], counts[:, 2], counts[:, 3]
    den = 2 * tp + fp + fn
    f1 = 2 * tp[den > 0] / den[den > 0]
    if not f1.size:
        return float("nan"), float("nan"), 0
    low, high = np.quantile(f1, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high), int(f1.size)


def run_cases(run: RunDir, data: ClinicData, *, point: str = "balanced") -> dict:
    """The three studies measured on the run at ``point`` (see the module docstring); JSON-able."""
    ev = run_evaluation(run, data)
    rows = {r["name"]: r for r in point_rows(ev)}
    if not rows:
        raise InputError(f"run {run.path.name} has no operating points (it stopped before the end of training)")
    checks.choice("point", point, tuple(rows))
    split = "test" if "test" in ev.splits else "validation"
    sm = ev.splits[split]
    y, s = np.asarray(sm.y_true, dtype=np.int64), np.asarray(sm.y_score, dtype=np.float64)
    row = rows[point]
    threshold = row["threshold"]
    called = (s >= threshold).astype(np.int64)
    tp, fp, tn, fn = (int(row[split][k]) for k in ("tp", "fp", "tn", "fn"))
    return jsonable({
        "run": run.path.name, "split": split, "synthetic": data.synthetic, "point": point,
        "points": [{"name": n, "label": r["label"], "threshold": r["threshold"], "rule": r["rule"]} for n, r in rows.items()],
        "threshold": threshold, "counts": {"tp": tp, "fp": fp, "tn": tn, "fn": fn},
        "gulshan": gulshan(rows, split),
        "rajpurkar": rajpurkar(y, called, split, row["label"]),
        "mckinney": mckinney(tp, fp, tn, fn, split, row["label"]),
    })


def gulshan(rows: dict, split: str) -> dict:
    """Their two points and the run's two, on validation and on ``split``."""
    ours = []
    for name, theirs in (("high_specificity", GULSHAN[0]), ("screening", GULSHAN[1])):
        if name not in rows:
            continue
        r = rows[name]
        ours.append({"name": name, "label": r["label"], "threshold": r["threshold"], "rule": r["rule"],
                     "validation": {k: r["validation"][k] for k in ("sensitivity", "specificity")},
                     split: {k: r[split][k] for k in ("sensitivity", "specificity")},
                     "theirs": {k: theirs[k] for k in ("sensitivity", "specificity")}})
    words = [f"Their {o['label']} point: sensitivity {pct(o['theirs']['sensitivity'])}, specificity "
             f"{pct(o['theirs']['specificity'])}. Ours, chosen on validation ({o['rule']}), gives "
             f"{pct(o[split]['sensitivity'])} and {pct(o[split]['specificity'])} on {split}." for o in ours]
    return {"source": GULSHAN_SOURCE, "points": ours, "words": words}


def rajpurkar(y, called, split: str, label: str) -> dict:
    tp = int(np.sum((y == 1) & (called == 1)))
    den = 2 * tp + int(np.sum((y == 0) & (called == 1))) + int(np.sum((y == 1) & (called == 0)))
    f1 = 2 * tp / den if den else None
    low, high, used = bootstrap_f1_ci(y, called)
    words = []
    if f1 is not None:
        rel = (f"lies entirely above CheXNet’s {RAJPURKAR['low']:.3f}–{RAJPURKAR['high']:.3f}" if low > RAJPURKAR["high"]
               else f"lies entirely below CheXNet’s {RAJPURKAR['low']:.3f}–{RAJPURKAR['high']:.3f}" if high < RAJPURKAR["low"]
               else f"overlaps CheXNet’s {RAJPURKAR['low']:.3f}–{RAJPURKAR['high']:.3f}")
        words.append(f"Our F1 at the {label} point is {f1:.3f} (95% CI {low:.3f}–{high:.3f}, {used} bootstrap resamples "
                     f"of the {len(y)} {split} images): the interval {rel}.")
        words.append("The tasks differ (their 14-disease X-rays, our films): the number compares two models' "
                     "balance of misses and false alarms, not two diagnoses. F1 ignores true negatives, so it "
                     "depends on how common pneumonia is in the sample.")
    return {"source": RAJPURKAR["source"], "theirs": {k: RAJPURKAR[k] for k in ("f1", "low", "high", "radiologists")},
            "f1": f1, "low": low, "high": high, "n_boot": N_BOOT, "used": used, "n": int(len(y)), "words": words}


def mckinney(tp: int, fp: int, tn: int, fn: int, split: str, label: str) -> dict:
    n = tp + fp + tn + fn
    read, cleared = tp + fp, tn + fn
    missed = fn / (tp + fn) if tp + fn else None
    words = [f"If the model read the {n} {split} images first at the {label} point and a radiologist read only "
             f"the {read} it flagged, {cleared} ({pct(cleared / n)}) would need no human read."]
    if missed is not None:
        words.append(f"The price: {fn} of the {tp + fn} pneumonias ({pct(missed)}) would be among the cleared "
                     f"images, sent home unread; the radiologist would also read {fp} false alarms.")
    return {"source": MCKINNEY["source"], "second_reader_saving": MCKINNEY["second_reader_saving"], "n": n,
            "read": read, "cleared": cleared, "read_share": read / n if n else None,
            "cleared_share": cleared / n if n else None, "missed": fn, "missed_share": missed, "false_alarms": fp,
            "words": words}
