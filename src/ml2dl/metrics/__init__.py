"""Clinical metrics for a binary classifier: ROC, AUC, confusion, operating points.

Pure NumPy, in scikit-learn's style: pure functions, keyword-only options,
tuples for several results, ``*_score`` higher is better. Labels are
0 = normal (negative) and 1 = pneumonia (positive); a *score* is any number
that is larger for "more likely pneumonia" (a probability, a logit, ...).

The package, one idea per module:

* :mod:`~ml2dl.metrics.ranking` — :func:`roc_curve`, :func:`roc_auc_score`,
  :func:`precision_recall_curve`, :func:`average_precision_score`;
* :mod:`~ml2dl.metrics.confusion` — :func:`confusion_matrix`, :func:`accuracy_score`,
  :func:`binary_metrics` (one threshold), :func:`medmnist_metrics`;
* :mod:`~ml2dl.metrics.intervals` — :func:`bootstrap_auc_ci`, :func:`wilson_interval` (a proportion);
* :mod:`~ml2dl.metrics.delong` — :func:`delong_auc_ci` (the AUC's interval by formula);
* :mod:`~ml2dl.metrics.thresholds` — :func:`threshold_table` (every threshold at once, with
  intervals), :func:`predictive_values` (PPV and NPV at another prevalence);
* :mod:`~ml2dl.metrics.points` — :func:`operating_points` and the three thresholds
  behind them, :func:`apply_operating_points`;
* :mod:`~ml2dl.metrics.calibration` — :func:`reliability`, :func:`calibration_fit` (slope, intercept);
* :mod:`~ml2dl.metrics.decision` — :func:`net_benefit`, :func:`decision_curve`.

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
from .calibration import CalibrationFit, Reliability, calibration_fit, reliability
from .confusion import accuracy_score, binary_metrics, confusion_matrix, medmnist_metrics
from .decision import DecisionCurve, decision_curve, net_benefit
from .delong import DeLong, delong_auc_ci
from .intervals import bootstrap_auc_ci, wilson_interval
from .points import (apply_operating_points, operating_points, threshold_for_sensitivity,
                     threshold_for_specificity, youden_threshold)
from .ranking import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from .thresholds import predictive_values, threshold_table

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
    "calibration_fit",
    "CalibrationFit",
    "delong_auc_ci",
    "DeLong",
    "wilson_interval",
    "precision_recall_curve",
    "average_precision_score",
    "threshold_table",
    "predictive_values",
    "net_benefit",
    "decision_curve",
    "DecisionCurve",
]
