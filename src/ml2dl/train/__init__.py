"""Training: the one loop (:func:`fit`), its :class:`Recipe`, architectures, run directories, tuning,
and the one evaluation of a trained model (:func:`evaluate`).

    from ml2dl.data import load_dataset
    from ml2dl.train import Recipe, build_model, evaluate, fit

    splits = load_dataset("pneumoniamnist_trainval.npz")
    model = build_model("strong", in_channels=1, image_size=28)
    result = fit(model, splits.train, splits.val, recipe=Recipe(epochs=10), run_dir="runs/pneumonia")
    result.best_val_auc, result.history[-1]
    ev = evaluate(result.model, splits, split="val", run="runs/pneumonia")  # AUC, operating points, ...

Modules: :mod:`.recipe` (the settings), :mod:`.loop` (:func:`fit` and its named parts),
:mod:`.parts` (optimizer, schedule, augmentation, batch-norm statistics), :mod:`.scoring`
(data checks, predictions, validation metrics), :mod:`.state` (:class:`TrainState`, what
resume needs), :mod:`.runs` (the run directory), :mod:`.evaluate` and :mod:`.evaluation`
(:class:`Evaluation`: what ``ml2dl evaluate``, the report and ``metrics.json`` show),
:mod:`.tune`, :mod:`.architectures`.
"""

from .architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE, build_model, lesson_cnn, strong_cnn
from .evaluate import evaluate, evaluate_scores
from .evaluation import Evaluation, Misclassified, SplitMetrics
from .events import FitResult, StopTraining, TrainEvent
from .loop import fit, gradient_step
from .recipe import Recipe
from .runs import RunDir, RunError
from .scoring import as_arrays, balanced_pos_weight, predict_class_proba, predict_logits, predict_proba
from .state import TrainState

__all__ = [
    "fit", "gradient_step", "Recipe", "FitResult", "TrainEvent", "StopTraining", "TrainState",
    "predict_logits", "predict_proba", "predict_class_proba", "as_arrays", "balanced_pos_weight",
    "build_model", "lesson_cnn", "strong_cnn", "ARCHITECTURES", "DEFAULT_ARCHITECTURE",
    "RunDir", "RunError",
    "evaluate", "evaluate_scores", "Evaluation", "SplitMetrics", "Misclassified",
]
