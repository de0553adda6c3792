"""Training: the loop (:func:`fit`), built-in architectures, run directories and tuning.

    from ml2dl.data import load_dataset
    from ml2dl.train import build_model, fit

    splits = load_dataset("pneumoniamnist_trainval.npz")
    model = build_model("strong", in_channels=1, image_size=28)
    result = fit(model, splits.train, splits.val, run_dir="runs/pneumonia")
    result.best_val_auc, result.history[-1]
"""

from .architectures import ARCHITECTURES, DEFAULT_ARCHITECTURE, build_model, lesson_cnn, strong_cnn
from .loop import (DEFAULT_RECIPE, FitResult, StopTraining, TrainEvent, as_arrays, balanced_pos_weight, fit,
                   predict_logits, predict_proba)
from .runs import RunDir, RunError

__all__ = [
    "fit", "FitResult", "TrainEvent", "StopTraining", "DEFAULT_RECIPE",
    "predict_logits", "predict_proba", "as_arrays", "balanced_pos_weight",
    "build_model", "lesson_cnn", "strong_cnn", "ARCHITECTURES", "DEFAULT_ARCHITECTURE",
    "RunDir", "RunError",
]
