"""What an evaluation holds: :class:`Evaluation` and the :class:`SplitMetrics` of each split.

Built by :func:`ml2dl.train.evaluate` (from a model and data) or
:func:`ml2dl.train.evaluate_scores` (from labels and scores); rendered by
:func:`ml2dl.report.write_report`; :meth:`Evaluation.to_json` is ``metrics.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import metrics as M
from ..files import json_text

__all__ = ["Evaluation", "SplitMetrics", "Misclassified", "PUBLISHED_PNEUMONIAMNIST", "PUBLISHED_SOURCE"]

N_BOOT = 1000  # bootstrap resamples of the AUC interval
CI_SEED = 0  # the interval is reproducible: the same scores give the same interval
MAX_MISCLASSIFIED = 24  # the most confident mistakes kept (each with a Grad-CAM)
SPLIT_NAMES = {"train": "train", "val": "validation", "validation": "validation", "test": "test"}

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


@dataclass(frozen=True, eq=False)
class SplitMetrics:
    """Every number of one split, from its labels and scores (see :meth:`compute`).

    Attributes:
        name: ``"train"``, ``"validation"`` or ``"test"``.
        y_true: (N,) int64 labels, 0 = normal, 1 = pneumonia. ``y_score``: (N,) float64 scores.
        auc: ROC AUC; ``auc_ci95``: its 95% percentile-bootstrap interval (1000 resamples, seed 0).
        acc: MedMNIST's ACC, mean([score > 0.5] == y).
        at_half: :func:`ml2dl.metrics.binary_metrics` at threshold 0.5 (score ≥ 0.5).
        roc: ``(fpr, tpr, thresholds)`` of :func:`ml2dl.metrics.roc_curve`.
        calibration: :func:`ml2dl.metrics.reliability` (10 bins), or None when the scores
            are not probabilities in [0, 1].
        operating_points: the chosen thresholds applied to this split
            (:func:`ml2dl.metrics.apply_operating_points`), ``{}`` without points.
    """

    name: str
    y_true: np.ndarray
    y_score: np.ndarray
    auc: float
    auc_ci95: tuple[float, float]
    acc: float
    at_half: dict
    roc: tuple[np.ndarray, np.ndarray, np.ndarray]
    calibration: M.Reliability | None
    operating_points: dict

    @classmethod
    def compute(cls, name: str, y_true, y_score, points: dict | None = None) -> "SplitMetrics":
        """Compute everything for one split; ``points`` (chosen elsewhere) are applied unchanged."""
        roc = M.roc_curve(y_true, y_score)  # checks labels and scores first
        y = np.asarray(y_true).reshape(-1).astype(np.int64)
        s = np.asarray(y_score, dtype=np.float64).reshape(-1)
        mm = M.medmnist_metrics(y, s)
        probabilities = bool(s.min() >= 0.0 and s.max() <= 1.0)
        return cls(name=name, y_true=y, y_score=s, auc=mm["auc"],
                   auc_ci95=M.bootstrap_auc_ci(y, s, n_boot=N_BOOT, rng=CI_SEED), acc=mm["acc"],
                   at_half=M.binary_metrics(y, s, threshold=0.5), roc=roc,
                   calibration=M.reliability(y, s) if probabilities else None,
                   operating_points=M.apply_operating_points(points, y, s) if points else {})

    @property
    def n(self) -> int:
        return int(self.y_true.shape[0])

    @property
    def n_normal(self) -> int:
        return int(np.sum(self.y_true == 0))

    @property
    def n_pneumonia(self) -> int:
        return int(np.sum(self.y_true == 1))

    def summary(self) -> dict:
        """This split's entry under ``"splits"`` in ``metrics.json``."""
        rel = self.calibration
        return {"n": self.n, "n_normal": self.n_normal, "n_pneumonia": self.n_pneumonia,
                "auc": self.auc, "auc_ci95": list(self.auc_ci95),
                "auc_ci_method": f"percentile bootstrap, {N_BOOT} resamples, seed {CI_SEED}",
                "acc_medmnist": self.acc, "ece": rel.ece if rel is not None else None,
                "at_threshold_0.5": {k: v for k, v in self.at_half.items() if k != "threshold"},
                "reliability": None if rel is None else
                {"centres": rel.centres, "observed": rel.observed, "counts": rel.counts}}


@dataclass(frozen=True, eq=False)
class Misclassified:
    """One image the model got wrong at the reported operating point.

    ``image``: (H, W) grey in [0, 1]; ``heatmap``: (h, w) in [0, 1], the Grad-CAM of the
    wrong call (what misled the model), or None; ``label``: the truth (0 normal,
    1 pneumonia); ``score``: the model's pneumonia score; ``index``: its place in the split.
    """

    image: np.ndarray
    heatmap: np.ndarray | None
    label: int
    score: float
    index: int | None = None


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A classifier evaluated on one split; what ``ml2dl evaluate``, the report and
    ``metrics.json`` show (:meth:`to_json` is the file).

    Attributes:
        split: the split evaluated (``"train"``, ``"validation"`` or ``"test"``).
        splits: :class:`SplitMetrics` by split name: the split evaluated and, when it is
            another one, the validation split the thresholds were chosen on.
        operating_points: the points as chosen (rule, threshold and their metrics on the
            split that chose them); ``points`` has them applied to ``split``.
        points_chosen_on: where they came from: ``"val (after training)"`` (the run's
            ``operating_points.json``), ``"val"`` (chosen here) or ``"given"``.
        operating_point: the point reported; its threshold decides what is misclassified.
        best_epoch: the epoch of the checkpoint evaluated, as ``best.npz`` records it.
        history: the run's per-epoch rows (``history.json``).
        misclassified: the most confident mistakes (at most 24), each with its Grad-CAM.
    """

    split: str
    splits: dict[str, SplitMetrics]
    operating_points: dict
    points_chosen_on: str | None = None
    operating_point: str = "screening"
    best_epoch: int | None = None
    history: list = field(default_factory=list)
    misclassified: list = field(default_factory=list)
    title: str = "Evaluation"
    dataset_note: str | None = None
    created_utc: str = ""

    # The split evaluated, at hand ------------------------------------------------------
    @property
    def scores(self) -> SplitMetrics:
        return self.splits[self.split]

    @property
    def y_true(self) -> np.ndarray:
        return self.scores.y_true

    @property
    def y_score(self) -> np.ndarray:
        return self.scores.y_score

    @property
    def auc(self) -> float:
        return self.scores.auc

    @property
    def auc_ci95(self) -> tuple[float, float]:
        return self.scores.auc_ci95

    @property
    def acc(self) -> float:
        """MedMNIST's ACC: accuracy with score > 0.5 called pneumonia."""
        return self.scores.acc

    @property
    def calibration(self) -> M.Reliability | None:
        return self.scores.calibration

    @property
    def points(self) -> dict:
        """The operating points applied, unchanged, to the split evaluated."""
        return self.scores.operating_points

    @property
    def point(self) -> dict | None:
        """The reported operating point on the split evaluated (None without points)."""
        return self.points.get(self.operating_point)

    @property
    def misclassified_total(self) -> int:
        """How many images of the split evaluated are wrong at the reported point's threshold
        (score ≥ threshold called pneumonia); the gallery shows the most confident of them."""
        point = self.point
        threshold = None if point is None else point.get("threshold")
        if threshold is None or not np.isfinite(threshold):
            return len(self.misclassified)
        called = np.asarray(self.y_score).reshape(-1) >= threshold
        return int(np.sum(called != (np.asarray(self.y_true).reshape(-1) == 1)))

    def points_by_split(self) -> dict[str, dict]:
        """``{split: {name: point}}``: validation first (where the points were chosen), then
        the split evaluated. Without validation scores the chosen points' own figures stand
        for validation."""
        if not self.operating_points:
            return {}
        out = {}
        if "validation" in self.splits:
            out["validation"] = self.splits["validation"].operating_points
        elif self.points_chosen_on != "given":
            out["validation"] = self.operating_points
        out[self.split] = self.points
        return out

    # metrics.json ----------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The content of ``metrics.json`` as Python values (NaN stays NaN until :meth:`to_json`)."""
        by_split = self.points_by_split()
        return {
            "title": self.title,
            "created_utc": self.created_utc,
            "split": self.split,
            "splits": {name: s.summary() for name, s in self.splits.items()},
            "operating_points": {
                name: {"rule": p.get("rule", ""), "threshold": p["threshold"],
                       **{split: {k: v for k, v in pts[name].items() if k != "rule"}
                          for split, pts in by_split.items()}}
                for name, p in self.operating_points.items()},
            "operating_point": self.operating_point,
            "operating_points_chosen_on": self.points_chosen_on,
            "best_epoch": self.best_epoch,
            "history": self.history,
            "published_pneumoniamnist_test": {"source": PUBLISHED_SOURCE,
                                              "results": list(PUBLISHED_PNEUMONIAMNIST)},
            "misclassified_shown": min(len(self.misclassified), MAX_MISCLASSIFIED),
            "misclassified_total": self.misclassified_total,
            "misclassified": [{"index": m.index, "label": m.label, "score": m.score}
                              for m in self.misclassified],
            "dataset_note": self.dataset_note,
        }

    def to_json(self) -> str:
        """``metrics.json``: strict JSON (NaN and ±inf as ``null``), indented."""
        return json_text(self.to_dict())
