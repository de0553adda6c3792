"""One self-contained HTML report (plus ``metrics.json``) of an evaluated classifier.

The report is written for a clinician: plain headings, each operating point's
sensitivity and specificity with the counts behind them, and every plot
embedded as a base64 PNG so the file opens offline, can be e-mailed, and
contains no external link. Blue = normal, orange = pneumonia.

>>> from ml2dl.train import evaluate                                    # doctest: +SKIP
>>> ev = evaluate(model, splits, split="test", run="runs/cnn")          # doctest: +SKIP
>>> write_report("runs/cnn/eval-test", ev)                              # doctest: +SKIP
PosixPath('runs/cnn/eval-test/report.html')

The report only renders: every number comes from the :class:`~ml2dl.train.Evaluation`
(figures in :mod:`~ml2dl.report.figures`, HTML in :mod:`~ml2dl.report.sections`), and
``metrics.json`` is :meth:`Evaluation.to_json <ml2dl.train.Evaluation.to_json>`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..checks import InputError
from ..files import atomic_write_text
from ..train.evaluation import PUBLISHED_PNEUMONIAMNIST, PUBLISHED_SOURCE, Evaluation
from ._style import POINT_TITLES
from .sections import render_page

__all__ = ["write_report", "PUBLISHED_PNEUMONIAMNIST", "PUBLISHED_SOURCE", "POINT_TITLES"]


def write_report(out_dir: str | os.PathLike, evaluation: Evaluation) -> Path:
    """Write ``out_dir/report.html`` (self-contained) and ``out_dir/metrics.json``.

    Args:
        out_dir: folder to write into (created if missing).
        evaluation: what to show, from :func:`ml2dl.train.evaluate` (or
            :func:`ml2dl.train.evaluate_scores`).

    Returns:
        The path of ``report.html``. Both files are written atomically: the page is
        rendered before anything is written, so an error leaves the folder as it was.
    """
    if not isinstance(evaluation, Evaluation):
        raise InputError(f"evaluation must be an ml2dl.train.Evaluation (from evaluate), got "
                         f"{type(evaluation).__name__}")
    page = render_page(evaluation)
    text = evaluation.to_json()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "metrics.json", text)
    return atomic_write_text(out / "report.html", page)
