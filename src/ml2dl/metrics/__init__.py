"""Clinical metrics for a binary classifier: ROC, AUC, confusion, operating points.

Pure NumPy, in scikit-learn's style: pure functions, keyword-only options,
tuples for several results, ``*_score`` higher is better. Labels are
0 = normal (negative) and 1 = pneumonia (positive); a *score* is any number
that is larger for "more likely pneumonia" (a probability, a logit, ...).

The package, one idea per module:

* :mod:`~ml2dl.metrics.ranking` — :func:`roc_curve`, :func:`roc_auc_score`;
* :mod:`~ml2dl.metrics.confusion` — :func:`confusion_matrix`, :func:`accuracy_score`,
  :func:`binary_metrics` (one threshold), :func:`medmnist_metrics`;
* :mod:`~ml2dl.metrics.intervals` — :func:`bootstrap_auc_ci`;
* :mod:`~ml2dl.metrics.points` — :func:`operating_points` and the three thresholds
  behind them, :func:`apply_operating_points`;
* :mod:`~ml2dl.metrics.calibration` — :func:`reliability`.

Conventions used everywhere:

* A case is **called positive when score >= threshold** (scikit-learn's ROC
  convention). The one exception is :func:`medmnist_metrics`, which copies
  MedMNIST's evaluator: ACC counts ``score > 0.5`` (strictly greater).
* Counts: tp (pneumonia called pneumonia), fn (pneumonia missed),
  tn (normal called normal), fp (normal called pneumonia).
* Degenerate input (one class only, or a ratio with a zero denominator) gives
  NaN together with an :class:`UndefinedMetricWarning`; malformed input
  (wrong shapes, labels other than 0/1, NaN scores) raises
  :class:`ml2dl.checks.InputError` (a ``ValueError``).

Example
-------
>>> import numpy as np
>>> y = np.array([0, 0, 1, 1]); s = np.array([0.1, 0.4, 0.35, 0.8])
>>> roc_auc_score(y, s)
0.75
>>> binary_metrics(y, s, threshold=0.35)["sensitivity"]
1.0
"""

from ._inputs import UndefinedMetricWarning
from .calibration import Reliability, reliability
from .confusion import accuracy_score, binary_metrics, confusion_matrix, medmnist_metrics
from .intervals import bootstrap_auc_ci
from .points import (apply_operating_points, operating_points, threshold_for_sensitivity,
                     threshold_for_specificity, youden_threshold)
from .ranking import roc_auc_score, roc_curve

__all__ = [
    "UndefinedMetricWarning",
    "roc_curve",
    "roc_auc_score",
    "confusion_matrix",
    "accuracy_score",
    "binary_metrics",
    "bootstrap_auc_ci",
    "threshold_for_sensitivity",
    "threshold_for_specificity",
    "youden_threshold",
    "operating_points",
    "apply_operating_points",
    "medmnist_metrics",
    "reliability",
    "Reliability",
]
