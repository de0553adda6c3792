"""The report's HTML, section by section, from an :class:`~ml2dl.train.Evaluation`.

Every number shown is read from the evaluation; nothing here computes a metric. The page
is one self-contained file: inline CSS, figures as PNG data URIs, no script, no link.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..train.evaluation import N_BOOT, PUBLISHED_PNEUMONIAMNIST, PUBLISHED_SOURCE
from . import figures as F
from ._style import MAX_GALLERY, duration, esc, num, pct, point_title, threshold

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.2rem;
 border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem}
.sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right;vertical-align:top}
th:first-child,td:first-child,td.t,th.t{text-align:left}th{background:#f3f3f3}
tr.ours td{background:#fff4e6;font-weight:600}caption{caption-side:bottom;text-align:left;
 color:#555;font-size:.85rem;padding-top:.3rem}
img{max-width:100%;height:auto;display:block;margin:.6rem 0}
.note{background:#f6f8fa;border-left:4px solid #999;padding:.5rem .8rem}
.point{margin:.6rem 0}.normal{color:#1f77b4;font-weight:600}
.pneumonia{color:#c85f00;font-weight:600}.small{font-size:.85rem;color:#555}
dt{font-weight:600}dd{margin:0 0 .5rem 1rem}
"""

GLOSSARY = """
<dl>
<dt>Score</dt><dd>The model's output for one image: higher means more likely pneumonia.</dd>
<dt>Sensitivity</dt><dd>Of the images that truly show pneumonia, the share the model calls
pneumonia: TP / (TP + FN). Low sensitivity = missed pneumonia.</dd>
<dt>Specificity</dt><dd>Of the truly normal images, the share the model calls normal:
TN / (TN + FP). Low specificity = false alarms.</dd>
<dt>PPV and NPV</dt><dd>Of the images called pneumonia, the share that truly is (PPV =
TP / (TP + FP)); of those called normal, the share that truly is (NPV = TN / (TN + FN)).
Both depend on how common pneumonia is in the set, so they change from one population to
another even when sensitivity and specificity do not.</dd>
<dt>ROC curve and AUC</dt><dd>The ROC curve shows sensitivity against 1 − specificity for
every threshold. The AUC is the chance that a random pneumonia image scores higher than a
random normal one (0.5 = coin toss, 1 = perfect separation); it does not depend on a
threshold.</dd>
<dt>Operating point</dt><dd>One threshold, chosen for a purpose: a screening point misses
few pneumonias at the cost of false alarms; a high-specificity point raises few false alarms
before a risky action; the balanced point maximises sensitivity + specificity.</dd>
<dt>Calibration</dt><dd>Whether a score of 0.8 means "80% of such images show pneumonia".
The expected calibration error (ECE) is the average gap between predicted and observed
shares.</dd>
</dl>
"""


# --------------------------------------------------------------------------- #
# Sentences and tables
# --------------------------------------------------------------------------- #


def _rate_with_counts(rate: Any, count: Any, total: Any) -> str:
    if not isinstance(count, int):
        return "\u2014"
    return f"{pct(rate)} ({count} of {total})"


def point_sentence(name: str, p: dict[str, Any], split: str) -> str:
    """What one operating point does on ``split``, with the counts behind the rates."""
    if not isinstance(p.get("tp"), int):
        return (f'<p class="point"><b>{esc(point_title(name))}</b>: not available '
                f"(no threshold could be chosen).</p>")
    n_pos, n_neg = p["tp"] + p["fn"], p["tn"] + p["fp"]
    return (
        f'<p class="point"><b>{esc(point_title(name))}</b> '
        f"(threshold {threshold(p['threshold'])}; rule: {esc(p.get('rule', ''))}). "
        f"On the {split} split it found <span class=\"pneumonia\">{p['tp']} of {n_pos} "
        f"pneumonia images</span> (sensitivity {pct(p['sensitivity'])}) and correctly cleared "
        f"<span class=\"normal\">{p['tn']} of {n_neg} normal images</span> "
        f"(specificity {pct(p['specificity'])}): {p['fn']} pneumonia missed, "
        f"{p['fp']} normal images flagged.</p>"
    )


def points_table(points_by_split: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Each operating point on each split: threshold, sensitivity, specificity (with counts), …"""
    rows = []
    names = list(next(iter(points_by_split.values())))
    n_splits = len(points_by_split)
    for name in names:
        for k, (split, points) in enumerate(points_by_split.items()):
            p = points[name]
            n_pos = p["tp"] + p["fn"] if isinstance(p.get("tp"), int) else None
            n_neg = p["tn"] + p["fp"] if isinstance(p.get("tn"), int) else None
            lead = (f'<td rowspan="{n_splits}">{esc(point_title(name))}</td>'
                    f'<td rowspan="{n_splits}">{threshold(p["threshold"])}</td>') if k == 0 else ""
            rows.append(
                f"<tr>{lead}"
                f'<td class="t">{split}</td>'
                f"<td>{_rate_with_counts(p['sensitivity'], p.get('tp'), n_pos)}</td>"
                f"<td>{_rate_with_counts(p['specificity'], p.get('tn'), n_neg)}</td>"
                f"<td>{pct(p['ppv'])}</td><td>{pct(p['npv'])}</td>"
                f"<td>{pct(p['accuracy'])}</td><td>{num(p['f1'])}</td></tr>"
            )
    return (
        "<table><thead><tr><th>Operating point</th><th>Threshold</th><th>Split</th>"
        "<th>Sensitivity (pneumonia found)</th><th>Specificity (normal cleared)</th>"
        "<th>PPV</th><th>NPV</th><th>Accuracy</th><th>F1</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody><caption>A case is called pneumonia when its score is at or above the "
        "threshold. Thresholds were chosen on the validation split and used unchanged on "
        "the test split.</caption></table>"
    )


def summary_table(splits) -> str:
    """Images, AUC with its interval, MedMNIST's accuracy and the ECE of each split."""
    rows = "".join(
        f"<tr><td>{name}</td><td>{s.n} ({s.n_normal} normal, {s.n_pneumonia} "
        f"pneumonia)</td><td>{num(s.auc)}</td>"
        f"<td>{num(s.auc_ci95[0])} \u2013 {num(s.auc_ci95[1])}</td>"
        f"<td>{pct(s.acc)}</td>"
        f"<td>{num(s.calibration.ece if s.calibration is not None else None)}</td></tr>"
        for name, s in splits.items()
    )
    return (
        "<table><thead><tr><th>Split</th><th>Images</th><th>AUC</th><th>AUC 95% CI</th>"
        "<th>Accuracy at score &gt; 0.5</th><th>Calibration error (ECE)</th></tr></thead>"
        f"<tbody>{rows}</tbody><caption>95% confidence interval: percentile bootstrap over "
        f"{N_BOOT} resamples of the images. Accuracy at score &gt; 0.5 follows MedMNIST's "
        "rule. ECE is shown when scores are probabilities (0 = perfectly calibrated)."
        "</caption></table>"
    )


def published_table(ours, ours_split: str) -> str:
    """Published PneumoniaMNIST results beside this model's (``ours``: its SplitMetrics)."""
    rows = "".join(
        f"<tr><td>{esc(r['model'])}</td><td>{r['auc']:.3f}</td><td>{r['acc']:.3f}</td>"
        '<td class="t">published</td></tr>'
        for r in PUBLISHED_PNEUMONIAMNIST
    )
    rows += (f'<tr class="ours"><td>This model</td><td>{num(ours.auc)}</td>'
             f"<td>{num(ours.acc)}</td><td class=\"t\">computed here, "
             f"{ours_split} split</td></tr>")
    warn = ""
    if ours_split == "validation":
        warn = ('<p class="note">This model\'s figures are on the <b>validation</b> split, '
                "which also chose the thresholds and the best epoch: they are not comparable "
                "with the published test-split figures.</p>")
    elif ours_split != "test":
        warn = (f'<p class="note">This model\'s figures are on the <b>{esc(ours_split)}</b> '
                "split, which the model learned from: they are not comparable with the "
                "published test-split figures.</p>")
    return (
        "<table><thead><tr><th>Model</th><th>AUC</th><th>ACC (score &gt; 0.5)</th>"
        f'<th class="t">Source</th></tr></thead><tbody>{rows}</tbody><caption>Published '
        "figures, "
        f"copied (not recomputed) from {esc(PUBLISHED_SOURCE)}. A comparison is fair only "
        "on that same test split, with the same rule (AUC of the pneumonia score; accuracy "
        f"counting score &gt; 0.5 as pneumonia).</caption></table>{warn}"
    )


def history_table(history: list[dict[str, Any]]) -> str:
    """Every per-epoch row, every key as a column."""
    keys: list[str] = []
    for h in history:
        keys += [k for k in h if k not in keys]

    def cell(v):
        if isinstance(v, (float, np.floating)):
            return num(float(v), 4) if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
        return esc(v)

    head = "".join(f"<th>{esc(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{cell(h.get(k, ''))}</td>" for k in keys) + "</tr>"
                   for h in history)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def training_sentence(history: list[dict[str, Any]], best_epoch: int | None) -> str:
    """"N epochs in X." from fit's ``epoch_seconds``, and the epoch of the checkpoint evaluated."""
    seconds = [h["epoch_seconds"] for h in history
               if isinstance(h.get("epoch_seconds"), (int, float))]
    total = f" in {duration(sum(seconds))}" if seconds else ""
    best = (f" The model evaluated is the checkpoint of epoch {best_epoch} (the dotted line)."
            if best_epoch is not None else "")
    return f"<p>{len(history)} epochs{total}.{best}</p>"


# --------------------------------------------------------------------------- #
# Sections, in reading order
# --------------------------------------------------------------------------- #


def summary_section(ev) -> list[str]:
    """The answer first: AUC with its interval, and what each operating point does."""
    s, split = ev.scores, ev.split
    parts = ["<h2>Summary</h2>",
             f"<p>On the <b>{split}</b> split ({s.n} images: {s.n_pneumonia} "
             f"pneumonia, {s.n_normal} normal) the model separates the two groups with an "
             f"<b>AUC of {num(s.auc)}</b> (95% CI {num(s.auc_ci95[0])} \u2013 "
             f"{num(s.auc_ci95[1])}).</p>"]
    if ev.points:
        parts += [point_sentence(n, p, split) for n, p in ev.points.items()]
    else:
        parts.append('<p class="note">No operating points: thresholds are chosen on a '
                     "validation split, and none was given.</p>")
    if split == "validation":
        parts.append('<p class="note">Only validation predictions were given. The '
                     "validation split chose the thresholds (and usually the best epoch), "
                     "so these figures are optimistic; judge the model on a held-out test "
                     "split.</p>")
    return parts


def discrimination_section(ev) -> list[str]:
    by_split = ev.points_by_split()
    parts = ["<h2>How well does the score separate pneumonia from normal?</h2>",
             summary_table(ev.splits),
             F.img(F.roc_figure(ev), "ROC curve with the operating points marked")]
    if by_split:
        hollow = (", hollow markers the same thresholds on the validation split"
                  if len(by_split) > 1 else "")
        parts.append('<p class="small">Each marker is one operating point (one '
                     f"threshold). Filled markers: the {ev.split} split{hollow}.</p>")
    return parts


def points_section(ev) -> list[str]:
    by_split = ev.points_by_split()
    if not by_split:
        return []
    parts = ["<h2>Operating points: what happens at each threshold</h2>", points_table(by_split)]
    cm_split = ev.split if ev.split in by_split else "validation"
    if any(isinstance(p.get("tp"), int) for p in by_split[cm_split].values()):
        parts.append(F.img(F.confusion_figure(by_split[cm_split], cm_split),
                           f"Confusion matrices at each operating point ({cm_split} split)"))
    return parts


def calibration_section(ev) -> list[str]:
    s = ev.scores
    return ["<h2>Can the score be read as a probability?</h2>",
            F.img(F.scores_figure(s), "Distribution of scores by true class and reliability "
                                      f"diagram ({ev.split})"),
            "<p>Left: how the scores of truly normal and truly pneumonia images spread; the "
            "less the two colours overlap, the better. "
            + ("Right: of the images given a score in each bin, the share that truly shows "
               "pneumonia; bars on the dotted diagonal mean the scores are calibrated.</p>"
               if s.calibration is not None else
               "The scores are not between 0 and 1, so they are not probabilities and no "
               "reliability diagram is drawn.</p>")]


def training_section(ev) -> list[str]:
    if not ev.history:
        return []
    parts = ["<h2>Training</h2>", training_sentence(ev.history, ev.best_epoch)]
    fig = F.history_figure(ev.history, ev.best_epoch)
    if fig is not None:
        parts.append(F.img(fig, "Training curves: loss and validation AUC per epoch"))
    parts.append("<details><summary>Per-epoch log</summary>" + history_table(ev.history)
                 + "</details>")
    return parts


def errors_section(ev) -> list[str]:
    items = ev.misclassified
    if not items:
        return []
    shown = items[:MAX_GALLERY]
    return ["<h2>Images the model got wrong</h2>",
            f"<p>The {len(shown)} most confident of {ev.misclassified_total} misclassified images. The frame and caption "
            "colour give the true class; the score is the model's pneumonia score. Where a "
            "heat map is given, the second picture shows which pixels drove the score "
            "(bright = more influence).</p>",
            F.img(F.gallery_figure(shown), "Gallery of misclassified images with heat-map overlays")]


def render_page(ev) -> str:
    """The whole report page for the evaluation ``ev``."""
    parts = [f"<h1>{esc(ev.title)}</h1>",
             f'<p class="sub">Evaluation report \u00b7 generated {esc(ev.created_utc)} (UTC) by '
             "ml2dl. Blue = <span class=\"normal\">normal</span>, orange = "
             "<span class=\"pneumonia\">pneumonia</span>.</p>"]
    parts += summary_section(ev)
    parts += discrimination_section(ev)
    parts += points_section(ev)
    parts += calibration_section(ev)
    parts += training_section(ev)
    parts += errors_section(ev)
    parts.append("<h2>Comparison with published PneumoniaMNIST results</h2>")
    parts.append(published_table(ev.scores, ev.split))
    if ev.dataset_note:
        parts.append(f"<h2>About the data</h2><p>{esc(ev.dataset_note)}</p>")
    parts.append("<h2>How to read this report</h2>" + GLOSSARY)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(ev.title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
