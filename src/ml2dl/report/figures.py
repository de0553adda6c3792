"""The report's figures: matplotlib drawn with Agg (no display, no pyplot state), embedded as PNG.

Each ``*_figure`` function draws numbers an :class:`~ml2dl.train.Evaluation` already holds
and returns the :class:`~matplotlib.figure.Figure`; :func:`img` turns a figure into an
``<img>`` tag holding a base64 PNG data URI, so the report opens offline.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._style import (CLASS_COLORS, CLASS_NAMES, INK, MUTED, PNEUMONIA_COLOR, POINT_MARKERS, esc, pct,
                     point_title, threshold)


def figure(width: float, height: float) -> Figure:
    """A figure of ``width`` × ``height`` inches rendered by Agg."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)  # render with Agg: no display, no global pyplot state
    return fig


def png_data_uri(fig: Figure) -> str:
    """``data:image/png;base64,...`` of the figure at 110 dpi (no timestamp: same plot, same bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def img(fig: Figure, alt: str) -> str:
    """An ``<img>`` tag holding the figure as a PNG data URI."""
    return f'<img src="{png_data_uri(fig)}" alt="{esc(alt)}">'


def history_figure(history: list[dict[str, Any]], best_epoch: int | None) -> Figure | None:
    """Loss, AUC and learning rate per epoch; a dotted line at ``best_epoch`` (the checkpoint's).

    None when the rows hold nothing to draw.
    """
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
    fig = figure(3.6 * len(panels), 3.0)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
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
    return fig


def roc_figure(evaluation) -> Figure:
    """Left: the whole ROC curve of each split. Right (with operating points): a zoom on
    them, labelled. Filled markers: the split evaluated; hollow: validation."""
    eval_split = evaluation.split
    marked = [(split, name, p["sensitivity"], p["specificity"])
              for split, points in evaluation.points_by_split().items() for name, p in points.items()
              if all(isinstance(p.get(k), float) and math.isfinite(p[k])
                     for k in ("sensitivity", "specificity"))]
    fig = figure(10.0 if marked else 5.2, 5.0)
    axes = fig.subplots(1, 2 if marked else 1, squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.plot([0, 1], [0, 1], ":", color=MUTED, lw=1, label="chance (AUC 0.5)")
        for name, s in evaluation.splits.items():
            main = name == eval_split
            ax.plot(s.roc[0], s.roc[1], "-" if main else "--", color=INK if main else MUTED,
                    lw=2 if main else 1.2, label=f"{name} (AUC {s.auc:.3f})")
        for split, name, sens, spec in marked:
            main = split == eval_split
            ax.plot(1 - spec, sens, POINT_MARKERS.get(name, "D"), ms=9 if main else 7,
                    mfc=INK if main else "white", mec=INK, mew=1.3, zorder=5,
                    label=f"{point_title(name)} ({split})")
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
        _zoom_on_points(axes[1], marked, eval_split)
    return fig


def _zoom_on_points(ax, marked, eval_split) -> None:
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
        ax.annotate(f"{point_title(name)}\nsensitivity {pct(sens)}\nspecificity {pct(spec)}",
                    (1 - spec, sens), xytext=(0.60, 0.40 - 0.15 * k),
                    textcoords="axes fraction", fontsize=8, va="center",
                    arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 0.8,
                                "shrinkA": 0, "shrinkB": 5},
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": MUTED, "lw": 0.5})


def confusion_figure(points: dict[str, dict[str, Any]], split: str) -> Figure:
    """One 2×2 matrix per operating point (rows: truth; cells shaded by their share of the row)."""
    names = [n for n, p in points.items() if isinstance(p.get("tp"), int)]
    fig = figure(3.3 * len(names), 3.2)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        p = points[name]
        cm = np.array([[p["tn"], p["fp"]], [p["fn"], p["tp"]]])
        for i in range(2):  # rows: truth; shade each cell by its share of the row
            row_total = cm[i].sum()
            for j in range(2):
                share = cm[i, j] / row_total if row_total else 0.0
                ax.add_patch(_rect(j, i, CLASS_COLORS[i], 0.12 + 0.75 * share))
                ax.text(j, i, f"{cm[i, j]}\n({pct(share) if row_total else '—'})",
                        ha="center", va="center", fontsize=11,
                        color="white" if share > 0.6 else INK)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(1.5, -0.5)
        ax.set_xticks([0, 1], ["called\nnormal", "called\npneumonia"])
        ax.set_yticks([0, 1], ["truly\nnormal", "truly\npneumonia"])
        for tick, color in zip(ax.get_yticklabels(), CLASS_COLORS):
            tick.set_color(color)
        ax.set_title(f"{point_title(name)}\nthreshold {threshold(p['threshold'])}", fontsize=10)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    fig.suptitle(f"Confusion matrices on the {split} split", fontsize=11)
    return fig


def _rect(x, y, color, alpha):
    return Rectangle((x - 0.48, y - 0.48), 0.96, 0.96, facecolor=color, alpha=alpha,
                     edgecolor="none")


def scores_figure(split) -> Figure:
    """Histograms of the scores by true class; beside them the reliability diagram when the
    scores are probabilities. ``split``: a :class:`~ml2dl.train.SplitMetrics`."""
    y, s, rel = split.y_true, split.y_score, split.calibration
    n_panels = 2 if rel is not None else 1
    fig = figure(4.6 * n_panels, 3.6)
    axes = fig.subplots(1, n_panels, squeeze=False)[0]
    ax = axes[0]
    bins = np.linspace(0, 1, 21) if rel is not None else 20
    for label in (0, 1):
        ax.hist(s[y == label], bins=bins, color=CLASS_COLORS[label], alpha=0.55,
                label=f"truly {CLASS_NAMES[label]} (n={int(np.sum(y == label))})")
    ax.set_xlabel("model score (pneumonia)")
    ax.set_ylabel("number of images")
    ax.set_title(f"Scores by true class ({split.name})")
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
    return fig


def gallery_figure(items) -> Figure:
    """Misclassified images (:class:`~ml2dl.train.Misclassified`), framed in the colour of
    their true class, each beside its heat map when there is one."""
    with_heat = any(it.heatmap is not None for it in items)
    per_item = 2 if with_heat else 1
    items_per_row = 4 if with_heat else 8
    rows = math.ceil(len(items) / items_per_row)
    cols = items_per_row * per_item
    fig = figure(1.25 * cols, 1.55 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for k, it in enumerate(items):
        r, c0 = divmod(k, items_per_row)
        color = CLASS_COLORS[it.label]
        ax = axes[r, c0 * per_item]
        ax.imshow(it.image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"truly {CLASS_NAMES[it.label]}\nscore {it.score:.2f}", fontsize=7.5,
                     color=color)
        _frame(ax, color)
        if with_heat:
            ax2 = axes[r, c0 * per_item + 1]
            if it.heatmap is not None:
                h, w = it.image.shape
                ax2.imshow(it.image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
                ax2.imshow(it.heatmap, cmap="inferno", vmin=0, vmax=1, alpha=0.45,
                           interpolation="bilinear", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
                ax2.set_title("where it looked", fontsize=7.5, color=MUTED)
                _frame(ax2, color)
            else:
                ax2.text(0.5, 0.5, "no heat map", ha="center", va="center", fontsize=7,
                         color=MUTED, transform=ax2.transAxes)
    return fig


def _frame(ax, color):
    ax.axis("on")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(2)
