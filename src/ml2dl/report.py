"""One self-contained HTML report (plus ``metrics.json``) for a trained classifier.

The report is written for a clinician: plain headings, each operating point's
sensitivity and specificity with the counts behind them, and every plot
embedded as a base64 PNG so the file opens offline, can be e-mailed, and
contains no external link. Blue = normal, orange = pneumonia.

>>> write_report("runs/cnn", title="Small CNN on PneumoniaMNIST",   # doctest: +SKIP
...              history=history, val={"y_true": yv, "y_score": sv},
...              test={"y_true": yt, "y_score": st})
PosixPath('runs/cnn/report.html')

Operating points are chosen on the validation split
(:func:`ml2dl.metrics.operating_points`) and applied unchanged to the test split.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import math
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import metrics as M
from .files import atomic_write

__all__ = ["write_report", "PUBLISHED_PNEUMONIAMNIST", "PUBLISHED_SOURCE"]

NORMAL_COLOR = "#1f77b4"  # blue = normal, everywhere in ml2dl
PNEUMONIA_COLOR = "#ff7f0e"  # orange = pneumonia
CLASS_NAMES = ("normal", "pneumonia")
CLASS_COLORS = (NORMAL_COLOR, PNEUMONIA_COLOR)
INK = "#222222"
MUTED = "#808080"

# Published PneumoniaMNIST test-split results (MedMNIST's evaluator: AUC of the
# class-1 score; ACC of score > 0.5). Copied, not computed.
PUBLISHED_PNEUMONIAMNIST = (
    {"model": "ResNet-18 (28\u00d728 input)", "auc": 0.944, "acc": 0.854},
    {"model": "ResNet-50 (224\u00d7224 input)", "auc": 0.962, "acc": 0.884},
    {"model": "AutoKeras", "auc": 0.947, "acc": 0.878},
    {"model": "Google AutoML Vision", "auc": 0.991, "acc": 0.946},
)
PUBLISHED_SOURCE = ("MedMNIST v2: Yang et al., \u201cMedMNIST v2 \u2014 A large-scale lightweight "
                    "benchmark for 2D and 3D biomedical image classification\u201d, Scientific "
                    "Data 10, 41 (2023); PneumoniaMNIST official test split, 624 images")

POINT_TITLES = {
    "screening": "Screening (high sensitivity)",
    "high_specificity": "High specificity",
    "balanced": "Balanced (Youden)",
}
POINT_MARKERS = {"screening": "^", "high_specificity": "s", "balanced": "o"}
N_BOOT = 1000
CI_SEED = 0  # the AUC interval in a report is reproducible
MAX_GALLERY = 24


# --------------------------------------------------------------------------- #
# Small helpers: checks, formatting, files
# --------------------------------------------------------------------------- #


def _split_arrays(split: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(split, dict) or "y_true" not in split or "y_score" not in split:
        got = sorted(split) if isinstance(split, dict) else type(split).__name__
        raise ValueError(f"{name} must be a dict with 'y_true' and 'y_score' arrays, got {got}")
    y, s = M._check_pair(split["y_true"], split["y_score"])
    return y.astype(int), s


def _check_misclassified(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"misclassified must be a list of dicts, got {type(items).__name__}")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not {"image", "label", "score"} <= set(item):
            raise ValueError(f"misclassified[{i}] must be a dict with image, heatmap, label, "
                             f"score; got {item!r:.80}")
        image = np.asarray(item["image"], dtype=np.float64)
        if image.ndim != 2 or not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
            raise ValueError(f"misclassified[{i}]['image'] must be a 2-D array of values in "
                             f"[0, 1], got shape {image.shape}")
        heat = item.get("heatmap")
        if heat is not None:
            heat = np.asarray(heat, dtype=np.float64)
            if heat.ndim != 2 or not np.isfinite(heat).all() or heat.min() < 0 or heat.max() > 1:
                raise ValueError(f"misclassified[{i}]['heatmap'] must be None or a 2-D array "
                                 f"of values in [0, 1], got shape {heat.shape}")
        label, score = item["label"], item["score"]
        if np.ndim(label) != 0 or label not in (0, 1):
            raise ValueError(f"misclassified[{i}]['label'] must be 0 or 1, got {label!r}")
        if not isinstance(score, (int, float, np.number)) or not math.isfinite(float(score)):
            raise ValueError(f"misclassified[{i}]['score'] must be a finite number, "
                             f"got {score!r}")
        out.append({"image": image, "heatmap": heat, "label": int(label), "score": float(score)})
    return out


def _jsonable(obj: Any) -> Any:
    """NumPy → Python, NaN/inf → None (so the file is strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "\u2014"  # an em dash: not defined
    return f"{x:.{digits}f}"


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "\u2014"
    return f"{100 * x:.1f}%"


def _threshold(t: Any) -> str:
    if t is None or (isinstance(t, float) and math.isnan(t)):
        return "\u2014"
    if isinstance(t, float) and math.isinf(t):
        return "above every score"
    return f"{t:.3g}"


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _png(fig: Figure, alt: str) -> str:
    """Render a figure to an <img> tag holding a base64 PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_esc(alt)}">'


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # render with Agg: no display, no global pyplot state
    return fig


def _point_title(name: str) -> str:
    return POINT_TITLES.get(name, name.replace("_", " ").capitalize())


# --------------------------------------------------------------------------- #
# Figures
# --------------------------------------------------------------------------- #


def _fig_history(history: list[dict[str, Any]]) -> str | None:
    def series(key):
        pts = [(h["epoch"] if "epoch" in h else i + 1, h[key]) for i, h in enumerate(history)
               if h.get(key) is not None]
        return ([p[0] for p in pts], [p[1] for p in pts]) if pts else None

    panels = []
    if series("train_loss") or series("val_loss"):
        panels.append("loss")
    if series("val_auc") or series("train_auc"):
        panels.append("auc")
    if series("lr"):
        panels.append("lr")
    if not panels:
        return None
    fig = _figure(3.6 * len(panels), 3.0)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    best = series("val_auc")
    best_epoch = best[0][int(np.argmax(best[1]))] if best else None
    for ax, panel in zip(axes, panels):
        if panel == "loss":
            for key, label, style in (("train_loss", "training", "-"),
                                      ("val_loss", "validation", "--")):
                s = series(key)
                if s:
                    ax.plot(*s, style, color=INK if key == "train_loss" else MUTED, label=label,
                            marker=".")
            ax.set_title("Loss (lower is better)")
            ax.set_ylabel("loss")
        elif panel == "auc":
            for key, label, style in (("train_auc", "training", "-"),
                                      ("val_auc", "validation", "--")):
                s = series(key)
                if s:
                    ax.plot(*s, style, color=INK if key == "train_auc" else MUTED, label=label,
                            marker=".")
            ax.set_title("AUC (higher is better)")
            ax.set_ylabel("AUC")
        else:
            ax.plot(*series("lr"), color=INK, marker=".")
            ax.set_title("Learning rate")
            ax.set_yscale("log")
        if best_epoch is not None and panel != "lr":
            ax.axvline(best_epoch, color=MUTED, lw=0.8, ls=":", label=f"best epoch ({best_epoch})")
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if panel != "lr":
            ax.legend(fontsize=8)
    return _png(fig, "Training curves: loss and validation AUC per epoch")


def _fig_roc(splits: dict[str, tuple[np.ndarray, np.ndarray]],
             points_by_split: dict[str, dict[str, dict[str, Any]]], eval_split: str) -> str:
    """Left: the whole ROC curve. Right (with operating points): a zoom on them, labelled."""
    marked = [(split, name, p["sensitivity"], p["specificity"])
              for split, points in points_by_split.items() for name, p in points.items()
              if all(isinstance(p.get(k), float) and math.isfinite(p[k])
                     for k in ("sensitivity", "specificity"))]
    fig = _figure(10.0 if marked else 5.2, 5.0)
    axes = fig.subplots(1, 2 if marked else 1, squeeze=False)[0]
    curves = {name: M.roc_curve(y, s)[:2] for name, (y, s) in splits.items()}
    for i, ax in enumerate(axes):
        ax.plot([0, 1], [0, 1], ":", color=MUTED, lw=1, label="chance (AUC 0.5)")
        for name, (fpr, tpr) in curves.items():
            main = name == eval_split
            ax.plot(fpr, tpr, "-" if main else "--", color=INK if main else MUTED,
                    lw=2 if main else 1.2,
                    label=f"{name} (AUC {M.roc_auc_score(*splits[name]):.3f})")
        for split, name, sens, spec in marked:
            main = split == eval_split
            ax.plot(1 - spec, sens, POINT_MARKERS.get(name, "D"), ms=9 if main else 7,
                    mfc=INK if main else "white", mec=INK, mew=1.3, zorder=5,
                    label=f"{_point_title(name)} ({split})")
        ax.set_xlabel("1 \u2212 specificity (share of normal images flagged)")
        ax.set_ylabel("sensitivity (share of pneumonia found)")
        ax.grid(alpha=0.3)
        if i == 0:
            ax.set_xlim(-0.01, 1.01)
            ax.set_ylim(-0.01, 1.01)
            ax.set_aspect("equal")
            ax.set_title("ROC curve")
            ax.legend(loc="lower right", fontsize=7)
    if marked:
        ax = axes[1]
        xs = [1 - spec for *_, spec in marked]
        ys = [sens for _, _, sens, _ in marked]
        pad_x = max(0.05, 0.6 * (max(xs) - min(xs)))
        pad_y = max(0.05, 0.6 * (max(ys) - min(ys)))
        ax.set_xlim(max(-0.01, min(xs) - pad_x), min(1.01, max(xs) + pad_x))
        ax.set_ylim(max(-0.01, min(ys) - pad_y), min(1.01, max(ys) + pad_y))
        ax.set_title("Zoom on the operating points")
        # Labels sit in a column in the lower right, below the curve, highest
        # sensitivity on top so that the leader lines do not cross.
        main_points = sorted(((sens, spec, name) for split, name, sens, spec in marked
                              if split == eval_split), reverse=True)
        for k, (sens, spec, name) in enumerate(main_points):
            ax.annotate(f"{_point_title(name)}\nsensitivity {_pct(sens)}\n"
                        f"specificity {_pct(spec)}",
                        (1 - spec, sens), xytext=(0.60, 0.40 - 0.15 * k),
                        textcoords="axes fraction", fontsize=8, va="center",
                        arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 0.8,
                                    "shrinkA": 0, "shrinkB": 5},
                        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": MUTED,
                              "lw": 0.5})
    return _png(fig, "ROC curve with the operating points marked")


def _fig_confusion(points: dict[str, dict[str, Any]], split: str) -> str:
    names = [n for n, p in points.items() if isinstance(p.get("tp"), int)]
    fig = _figure(3.3 * len(names), 3.2)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        p = points[name]
        cm = np.array([[p["tn"], p["fp"]], [p["fn"], p["tp"]]])
        for i in range(2):  # rows: truth; shade each cell by its share of the row
            row_total = cm[i].sum()
            for j in range(2):
                share = cm[i, j] / row_total if row_total else 0.0
                ax.add_patch(_rect(j, i, CLASS_COLORS[i], 0.12 + 0.75 * share))
                ax.text(j, i, f"{cm[i, j]}\n({_pct(share) if row_total else '—'})",
                        ha="center", va="center", fontsize=11,
                        color="white" if share > 0.6 else INK)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(1.5, -0.5)
        ax.set_xticks([0, 1], ["called\nnormal", "called\npneumonia"])
        ax.set_yticks([0, 1], ["truly\nnormal", "truly\npneumonia"])
        for tick, color in zip(ax.get_yticklabels(), CLASS_COLORS):
            tick.set_color(color)
        ax.set_title(f"{_point_title(name)}\nthreshold {_threshold(p['threshold'])}", fontsize=10)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    fig.suptitle(f"Confusion matrices on the {split} split", fontsize=11)
    return _png(fig, f"Confusion matrices at each operating point ({split} split)")


def _rect(x, y, color, alpha):
    return Rectangle((x - 0.48, y - 0.48), 0.96, 0.96, facecolor=color, alpha=alpha,
                     edgecolor="none")


def _fig_scores(y: np.ndarray, s: np.ndarray, split: str, rel: M.Reliability | None) -> str:
    n_panels = 2 if rel is not None else 1
    fig = _figure(4.6 * n_panels, 3.6)
    axes = fig.subplots(1, n_panels, squeeze=False)[0]
    ax = axes[0]
    bins = np.linspace(0, 1, 21) if rel is not None else 20
    for label in (0, 1):
        ax.hist(s[y == label], bins=bins, color=CLASS_COLORS[label], alpha=0.55,
                label=f"truly {CLASS_NAMES[label]} (n={int(np.sum(y == label))})")
    ax.set_xlabel("model score (pneumonia)")
    ax.set_ylabel("number of images")
    ax.set_title(f"Scores by true class ({split})")
    ax.legend(fontsize=8)
    if rel is not None:
        ax = axes[1]
        width = 1.0 / len(rel.centres)
        ok = rel.counts > 0
        ax.bar(rel.centres[ok], rel.observed[ok], width=width * 0.9, color=PNEUMONIA_COLOR,
               alpha=0.7, edgecolor=INK, lw=0.5, label="observed share with pneumonia")
        ax.plot([0, 1], [0, 1], ":", color=INK, label="perfect calibration")
        for c, o, n in zip(rel.centres[ok], rel.observed[ok], rel.counts[ok]):
            ax.text(c, o + 0.015, str(n), ha="center", va="bottom", fontsize=7, color=INK)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.12)
        ax.set_xlabel("predicted probability of pneumonia")
        ax.set_ylabel("observed share with pneumonia")
        ax.set_title(f"Reliability (ECE {rel.ece:.3f}; numbers = images per bin)", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
    return _png(fig, f"Distribution of scores by true class and reliability diagram ({split})")


def _fig_gallery(items: list[dict[str, Any]]) -> str:
    with_heat = any(it["heatmap"] is not None for it in items)
    per_item = 2 if with_heat else 1
    items_per_row = 4 if with_heat else 8
    rows = math.ceil(len(items) / items_per_row)
    cols = items_per_row * per_item
    fig = _figure(1.25 * cols, 1.55 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for k, it in enumerate(items):
        r, c0 = divmod(k, items_per_row)
        image = it["image"]
        color = CLASS_COLORS[it["label"]]
        ax = axes[r, c0 * per_item]
        ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"truly {CLASS_NAMES[it['label']]}\nscore {it['score']:.2f}", fontsize=7.5,
                     color=color)
        _frame(ax, color)
        if with_heat:
            ax2 = axes[r, c0 * per_item + 1]
            if it["heatmap"] is not None:
                h, w = image.shape
                ax2.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
                ax2.imshow(it["heatmap"], cmap="inferno", vmin=0, vmax=1, alpha=0.45,
                           interpolation="bilinear", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
                ax2.set_title("where it looked", fontsize=7.5, color=MUTED)
                _frame(ax2, color)
            else:
                ax2.text(0.5, 0.5, "no heat map", ha="center", va="center", fontsize=7,
                         color=MUTED, transform=ax2.transAxes)
    return _png(fig, "Gallery of misclassified images with heat-map overlays")


def _frame(ax, color):
    ax.axis("on")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(2)


# --------------------------------------------------------------------------- #
# Numbers
# --------------------------------------------------------------------------- #


def _split_summary(y: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    mm = M.medmnist_metrics(y, s)
    low, high = M.bootstrap_auc_ci(y, s, n_boot=N_BOOT, rng=CI_SEED)
    probabilities = bool(s.min() >= 0.0 and s.max() <= 1.0)
    return {
        "n": int(y.shape[0]),
        "n_normal": int(np.sum(y == 0)),
        "n_pneumonia": int(np.sum(y == 1)),
        "auc": mm["auc"],
        "auc_ci95": [low, high],
        "auc_ci_method": f"percentile bootstrap, {N_BOOT} resamples, seed {CI_SEED}",
        "acc_medmnist": mm["acc"],
        "ece": M.reliability(y, s).ece if probabilities else None,
    }


# --------------------------------------------------------------------------- #
# HTML
# --------------------------------------------------------------------------- #

_CSS = """
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


def _rate_with_counts(rate: Any, num: Any, den: Any) -> str:
    if not isinstance(num, int):
        return "\u2014"
    return f"{_pct(rate)} ({num} of {den})"


def _point_sentence(name: str, p: dict[str, Any], split: str) -> str:
    if not isinstance(p.get("tp"), int):
        return (f'<p class="point"><b>{_esc(_point_title(name))}</b>: not available '
                f"(no threshold could be chosen).</p>")
    n_pos, n_neg = p["tp"] + p["fn"], p["tn"] + p["fp"]
    return (
        f'<p class="point"><b>{_esc(_point_title(name))}</b> '
        f"(threshold {_threshold(p['threshold'])}; rule: {_esc(p.get('rule', ''))}). "
        f"On the {split} split it found <span class=\"pneumonia\">{p['tp']} of {n_pos} "
        f"pneumonia images</span> (sensitivity {_pct(p['sensitivity'])}) and correctly cleared "
        f"<span class=\"normal\">{p['tn']} of {n_neg} normal images</span> "
        f"(specificity {_pct(p['specificity'])}): {p['fn']} pneumonia missed, "
        f"{p['fp']} normal images flagged.</p>"
    )


def _points_table(points_by_split: dict[str, dict[str, dict[str, Any]]]) -> str:
    rows = []
    names = list(next(iter(points_by_split.values())))
    n_splits = len(points_by_split)
    for name in names:
        for k, (split, points) in enumerate(points_by_split.items()):
            p = points[name]
            n_pos = p["tp"] + p["fn"] if isinstance(p.get("tp"), int) else None
            n_neg = p["tn"] + p["fp"] if isinstance(p.get("tn"), int) else None
            lead = (f'<td rowspan="{n_splits}">{_esc(_point_title(name))}</td>'
                    f'<td rowspan="{n_splits}">{_threshold(p["threshold"])}</td>') if k == 0 else ""
            rows.append(
                f"<tr>{lead}"
                f'<td class="t">{split}</td>'
                f"<td>{_rate_with_counts(p['sensitivity'], p.get('tp'), n_pos)}</td>"
                f"<td>{_rate_with_counts(p['specificity'], p.get('tn'), n_neg)}</td>"
                f"<td>{_pct(p['ppv'])}</td><td>{_pct(p['npv'])}</td>"
                f"<td>{_pct(p['accuracy'])}</td><td>{_num(p['f1'])}</td></tr>"
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


def _summary_table(summaries: dict[str, dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{split}</td><td>{s['n']} ({s['n_normal']} normal, {s['n_pneumonia']} "
        f"pneumonia)</td><td>{_num(s['auc'])}</td>"
        f"<td>{_num(s['auc_ci95'][0])} \u2013 {_num(s['auc_ci95'][1])}</td>"
        f"<td>{_pct(s['acc_medmnist'])}</td><td>{_num(s['ece'])}</td></tr>"
        for split, s in summaries.items()
    )
    return (
        "<table><thead><tr><th>Split</th><th>Images</th><th>AUC</th><th>AUC 95% CI</th>"
        "<th>Accuracy at score &gt; 0.5</th><th>Calibration error (ECE)</th></tr></thead>"
        f"<tbody>{rows}</tbody><caption>95% confidence interval: percentile bootstrap over "
        f"{N_BOOT} resamples of the images. Accuracy at score &gt; 0.5 follows MedMNIST's "
        "rule. ECE is shown when scores are probabilities (0 = perfectly calibrated)."
        "</caption></table>"
    )


def _published_table(ours: dict[str, Any] | None, ours_split: str | None) -> str:
    rows = "".join(
        f"<tr><td>{_esc(r['model'])}</td><td>{r['auc']:.3f}</td><td>{r['acc']:.3f}</td>"
        '<td class="t">published</td></tr>'
        for r in PUBLISHED_PNEUMONIAMNIST
    )
    if ours is not None:
        rows += (f'<tr class="ours"><td>This model</td><td>{_num(ours["auc"])}</td>'
                 f"<td>{_num(ours['acc_medmnist'])}</td><td class=\"t\">computed here, "
                 f"{ours_split} split</td></tr>")
    warn = ""
    if ours is not None and ours_split != "test":
        warn = ('<p class="note">This model\'s figures are on the <b>validation</b> split, '
                "which also chose the thresholds and the best epoch: they are not comparable "
                "with the published test-split figures.</p>")
    return (
        "<table><thead><tr><th>Model</th><th>AUC</th><th>ACC (score &gt; 0.5)</th>"
        f'<th class="t">Source</th></tr></thead><tbody>{rows}</tbody><caption>Published '
        "figures, "
        f"copied (not recomputed) from {_esc(PUBLISHED_SOURCE)}. A comparison is fair only "
        "on that same test split, with the same rule (AUC of the pneumonia score; accuracy "
        f"counting score &gt; 0.5 as pneumonia).</caption></table>{warn}"
    )


def _history_table(history: list[dict[str, Any]]) -> str:
    keys: list[str] = []
    for h in history:
        keys += [k for k in h if k not in keys]

    def cell(v):
        if isinstance(v, (float, np.floating)):
            return _num(float(v), 4) if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"
        return _esc(v)

    head = "".join(f"<th>{_esc(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{cell(h.get(k, ''))}</td>" for k in keys) + "</tr>"
                   for h in history)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_GLOSSARY = """
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
# The report
# --------------------------------------------------------------------------- #


def write_report(out_dir: str | os.PathLike, *, title: str,
                 history: Sequence[dict[str, Any]] | None = None,
                 val: dict[str, Any] | None = None, test: dict[str, Any] | None = None,
                 points: dict[str, dict[str, Any]] | None = None,
                 misclassified: Sequence[dict[str, Any]] | None = None,
                 dataset_note: str | None = None) -> Path:
    """Write ``out_dir/report.html`` (self-contained) and ``out_dir/metrics.json``.

    Args:
        out_dir: folder to write into (created if missing).
        title: the report's heading.
        history: per-epoch dicts, e.g. ``{"epoch", "train_loss", "val_loss",
            "val_auc", "lr", "seconds"}``; any subset of keys is drawn.
        val, test: ``{"y_true": (N,) 0/1, "y_score": (N,) pneumonia scores}``.
        points: operating points from :func:`ml2dl.metrics.operating_points`
            (chosen on validation). If omitted and ``val`` is given they are chosen
            on ``val`` with the default targets (sensitivity 97.5%, specificity 98%).
            They are applied unchanged to ``test``.
        misclassified: dicts ``{image: 2-D array in [0, 1], heatmap: 2-D array in
            [0, 1] or None, label: 0/1 (the truth), score: float}``; the first
            24 are shown.
        dataset_note: a sentence on the data and its licence/attribution.

    Returns:
        The path of ``report.html``. Both files are written atomically.
    """
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"title must be a non-empty string, got {title!r}")
    history = list(history or [])
    for i, h in enumerate(history):
        if not isinstance(h, dict):
            raise ValueError(f"history[{i}] must be a dict of per-epoch values, got {h!r:.60}")
    splits: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if val is not None:
        splits["validation"] = _split_arrays(val, "val")
    if test is not None:
        splits["test"] = _split_arrays(test, "test")
    items = _check_misclassified(misclassified) if misclassified is not None else []
    if points is not None and not isinstance(points, dict):
        raise ValueError(f"points must be the dict from operating_points, got "
                         f"{type(points).__name__}")
    if points is None and "validation" in splits:
        points = M.operating_points(*splits["validation"])

    eval_split = "test" if "test" in splits else ("validation" if splits else None)
    points_by_split: dict[str, dict[str, dict[str, Any]]] = {}
    if points:
        points_by_split["validation"] = (M.apply_operating_points(points, *splits["validation"])
                                         if "validation" in splits else points)
        if "test" in splits:
            points_by_split["test"] = M.apply_operating_points(points, *splits["test"])
    summaries = {name: _split_summary(y, s) for name, (y, s) in splits.items()}

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    record = {
        "title": title,
        "created_utc": created,
        "splits": summaries,
        "operating_points": {
            name: {"rule": points[name].get("rule", ""), "threshold": points[name]["threshold"],
                   **{split: {k: v for k, v in pts[name].items() if k not in ("rule",)}
                      for split, pts in points_by_split.items()}}
            for name in (points or {})
        },
        "history": history,
        "published_pneumoniamnist_test": {"source": PUBLISHED_SOURCE,
                                          "results": list(PUBLISHED_PNEUMONIAMNIST)},
        "misclassified_shown": min(len(items), MAX_GALLERY),
        "dataset_note": dataset_note,
    }
    text = json.dumps(_jsonable(record), indent=2, allow_nan=False, ensure_ascii=False)
    atomic_write(out / "metrics.json", lambda f: f.write(text + "\n"), binary=False)

    page = _render_html(title, created, history, splits, summaries, points_by_split, eval_split,
                        items, dataset_note)
    path = out / "report.html"
    atomic_write(path, lambda f: f.write(page), binary=False)
    return path


def _render_html(title, created, history, splits, summaries, points_by_split, eval_split, items,
                 dataset_note) -> str:
    parts = [f"<h1>{_esc(title)}</h1>",
             f'<p class="sub">Evaluation report \u00b7 generated {_esc(created)} (UTC) by ml2dl. '
             "Blue = <span class=\"normal\">normal</span>, orange = "
             "<span class=\"pneumonia\">pneumonia</span>.</p>"]

    # 1. The answer first.
    parts.append("<h2>Summary</h2>")
    if eval_split is None:
        parts.append("<p>No predictions were given, so there is nothing to evaluate.</p>")
    else:
        s = summaries[eval_split]
        parts.append(
            f"<p>On the <b>{eval_split}</b> split ({s['n']} images: {s['n_pneumonia']} "
            f"pneumonia, {s['n_normal']} normal) the model separates the two groups with an "
            f"<b>AUC of {_num(s['auc'])}</b> (95% CI {_num(s['auc_ci95'][0])} \u2013 "
            f"{_num(s['auc_ci95'][1])}).</p>")
        if eval_split in points_by_split:
            parts += [_point_sentence(n, p, eval_split)
                      for n, p in points_by_split[eval_split].items()]
        else:
            parts.append('<p class="note">No operating points: thresholds are chosen on a '
                         "validation split, and none was given.</p>")
        if eval_split == "validation":
            parts.append('<p class="note">Only validation predictions were given. The '
                         "validation split chose the thresholds (and usually the best epoch), "
                         "so these figures are optimistic; judge the model on a held-out test "
                         "split.</p>")

    # 2. Discrimination.
    if splits:
        parts.append("<h2>How well does the score separate pneumonia from normal?</h2>")
        parts.append(_summary_table(summaries))
        parts.append(_fig_roc(splits, points_by_split, eval_split))
        if points_by_split:
            hollow = (", hollow markers the same thresholds on the validation split"
                      if len(points_by_split) > 1 else "")
            parts.append('<p class="small">Each marker is one operating point (one '
                         f"threshold). Filled markers: the {eval_split} split{hollow}.</p>")

    # 3. Operating points.
    if points_by_split:
        parts.append("<h2>Operating points: what happens at each threshold</h2>")
        parts.append(_points_table(points_by_split))
        cm_split = eval_split if eval_split in points_by_split else "validation"
        if any(isinstance(p.get("tp"), int) for p in points_by_split[cm_split].values()):
            parts.append(_fig_confusion(points_by_split[cm_split], cm_split))

    # 4. Scores and calibration.
    if splits:
        y, s = splits[eval_split]
        probabilities = bool(s.min() >= 0.0 and s.max() <= 1.0)
        rel = M.reliability(y, s) if probabilities else None
        parts.append("<h2>Can the score be read as a probability?</h2>")
        parts.append(_fig_scores(y, s, eval_split, rel))
        parts.append(
            "<p>Left: how the scores of truly normal and truly pneumonia images spread; the "
            "less the two colours overlap, the better. "
            + ("Right: of the images given a score in each bin, the share that truly shows "
               "pneumonia; bars on the dotted diagonal mean the scores are calibrated.</p>"
               if rel is not None else
               "The scores are not between 0 and 1, so they are not probabilities and no "
               "reliability diagram is drawn.</p>"))

    # 5. Training.
    if history:
        parts.append("<h2>Training</h2>")
        seconds = [h["seconds"] for h in history if isinstance(h.get("seconds"), (int, float))]
        total = f" in {sum(seconds) / 60:.1f} minutes" if seconds else ""
        parts.append(f"<p>{len(history)} epochs{total}.</p>")
        fig = _fig_history(history)
        if fig:
            parts.append(fig)
        parts.append("<details><summary>Per-epoch log</summary>"
                     + _history_table(history) + "</details>")

    # 6. Errors.
    if items:
        shown = items[:MAX_GALLERY]
        parts.append("<h2>Images the model got wrong</h2>")
        parts.append(
            f"<p>{len(shown)} of {len(items)} misclassified images. The frame and caption "
            "colour give the true class; the score is the model's pneumonia score. Where a "
            "heat map is given, the second picture shows which pixels drove the score "
            "(bright = more influence).</p>")
        parts.append(_fig_gallery(shown))

    # 7. Published results.
    parts.append("<h2>Comparison with published PneumoniaMNIST results</h2>")
    parts.append(_published_table(summaries.get(eval_split) if eval_split else None, eval_split))

    # 8. Data and glossary.
    if dataset_note:
        parts.append(f"<h2>About the data</h2><p>{_esc(dataset_note)}</p>")
    parts.append("<h2>How to read this report</h2>" + _GLOSSARY)

    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
