"""cases, fine-grained classes summed into a binary answer (Esteva et al., Nature 2017).

Esteva's network learned 757 fine-grained classes of skin disease and answered "malignant?" by
summing the probabilities of the malignant ones. Here, on phantom films with four kinds of
abnormality (:mod:`ml2dl.data.phantom_kinds`: lobar, multifocal, nodule, effusion), two models of
the same architecture train through :func:`ml2dl.train.fit` on the same films with the same budget
(epochs, batches, learning rate, seed; the last epoch is kept for both, no class weighting — the
films are half normal):

* **fine-grained** — K + 1 = 5 logits, cross-entropy on the kinds; its answer to "abnormal?" is

      P(abnormal) = Σ_{k = kinds} softmax(z)_k = 1 − softmax(z)_normal

* **binary** — one logit, trained on normal / abnormal; P(abnormal) = σ(z).

Both are judged on the same held-out films: AUC with its 95% bootstrap interval
(:func:`ml2dl.metrics.bootstrap_auc_ci`, seed 0), DeLong's paired interval of the difference
(the two AUCs share the films, so their errors are correlated: :func:`paired_delong`), accuracy
at P = 0.5, the share of each kind called abnormal, and the fine-grained model's 5 × 5 confusion.
Every sentence is made from these numbers, whichever way they come out.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Callable

import numpy as np

from ml2dl import metrics as M
from ml2dl import train
from ml2dl.data.dataset import ImageDataset
from ml2dl.data.images import to_uint8
from ml2dl.data.phantom import KINDS, SUBTYPE_NAMES, binary_labels, phantom_image, phantom_splits
from ml2dl.files import jsonable
from ml2dl.metrics.delong import delong_components
from ml2dl.train import Recipe, predict_class_proba, predict_proba

SIZE, N_VAL, N_TEST, WIDTH = 28, 200, 600, 8
N_BOOT = 1000
N_TRAIN_CHOICES, EPOCH_CHOICES = (200, 400, 800, 1600), (2, 4, 6)
SOURCE = ("Esteva et al., Nature 2017: skin lesions, 129,450 images of 2,032 diseases; the network was trained on "
          "757 fine-grained classes and gave binary answers (malignant or not) by summing the probabilities of "
          "the fine-grained classes under each answer")
PAPER = {"images": 129_450, "diseases": 2_032, "classes": 757}


def summed_abnormal(proba) -> np.ndarray:
    """P(abnormal) of a fine-grained model: the sum of the abnormal kinds' probabilities, (N, K+1) → (N,).

    Column 0 is "normal"; the sum of columns 1 … K equals 1 − P(normal) because a softmax row sums to 1.
    """
    return np.asarray(proba, dtype=np.float64)[:, 1:].sum(axis=1)


def paired_delong(y, s1, s2, *, alpha: float = 0.05) -> dict:
    """AUC(s1) − AUC(s2) on the same cases, with DeLong's paired standard error and interval.

        Var(Â₁ − Â₂) = (S10₁₁ + S10₂₂ − 2·S10₁₂) / m + (S01₁₁ + S01₂₂ − 2·S01₁₂) / n

    S10, S01 being the 2 × 2 sample covariances (ddof 1) of the two scores' structural components
    over the m positives and the n negatives (DeLong, DeLong & Clarke-Pearson 1988).
    """
    v10_1, v01_1 = delong_components(y, s1)
    v10_2, v01_2 = delong_components(y, s2)
    m, n = v10_1.size, v01_1.size
    diff = float(v10_1.mean() - v10_2.mean())
    s10, s01 = np.cov(np.vstack([v10_1, v10_2])), np.cov(np.vstack([v01_1, v01_2]))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    se = math.sqrt(max(float(var), 0.0))
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = 2 * (1 - NormalDist().cdf(abs(diff) / se)) if se > 0 else (1.0 if diff == 0 else 0.0)
    return {"diff": diff, "se": se, "low": diff - z * se, "high": diff + z * se, "p": p}


def experiment(n_train: int, epochs: int, seed: int, on_event: Callable[[float, str], None]) -> dict:
    """Train both models on the same films (see the module docstring); JSON-able result with ``words``."""
    splits = phantom_splits(n_train, N_VAL, N_TEST, size=SIZE, seed=seed, subtypes=True)
    binary = lambda ds: ImageDataset(ds.images, binary_labels(ds.labels), ("normal", "abnormal"),  # noqa: E731
                                     source=ds.source, synthetic=True)
    recipe = Recipe(epochs=epochs, batch_size=32, lr=0.01, seed=seed, class_weight=None)
    test = splits.test
    y_kind = np.asarray(test.labels).reshape(-1)
    y = binary_labels(y_kind)
    models = (("fine-grained", len(SUBTYPE_NAMES), splits.train, splits.val),
              ("binary", 1, binary(splits.train), binary(splits.val)))
    scores = {}
    for k, (name, outputs, tr, va) in enumerate(models):
        model = train.build_model("strong", in_channels=1, image_size=SIZE, seed=seed, width=WIDTH, outputs=outputs)

        def progress(event, k=k, name=name):
            if event.stage in ("batch", "epoch"):
                done = ((event.epoch - 1) * event.batches + event.batch) / max(1, event.epochs * event.batches)
                on_event((k + done) / 2, f"{name} model: epoch {event.epoch} of {event.epochs}")

        train.fit(model, tr, va, recipe=recipe, callbacks=[progress], restore_best=False)
        if outputs > 1:
            proba = predict_class_proba(model, test.images)
            scores[name] = summed_abnormal(proba)
            fine_call = proba.argmax(axis=1)
        else:
            scores[name] = predict_proba(model, test.images).astype(np.float64).reshape(-1)
    result = {"source": SOURCE, "paper": PAPER, "n_train": n_train, "epochs": epochs, "seed": seed,
              "n_test": int(y.size), "kinds": list(KINDS), "class_names": list(SUBTYPE_NAMES),
              "labels": y_kind.tolist(),
              "fine": judged(y, y_kind, scores["fine-grained"]), "binary": judged(y, y_kind, scores["binary"]),
              "difference": paired_delong(y, scores["fine-grained"], scores["binary"]),
              "confusion": np.bincount(len(SUBTYPE_NAMES) * y_kind + fine_call,
                                       minlength=len(SUBTYPE_NAMES) ** 2).reshape(5, 5).tolist(),
              "fine_accuracy": float(np.mean(fine_call == y_kind)),
              # one patient drawn normal and with each kind (the same seed gives the same patient)
              "examples": [{"kind": k, "image": to_uint8(phantom_image((seed, 9), SIZE, kind=k)).tolist()}
                           for k in SUBTYPE_NAMES]}
    result["words"] = words(result)
    return jsonable(result)


def judged(y, y_kind, scores) -> dict:
    """AUC with its bootstrap interval, accuracy at 0.5, and the share of each kind called abnormal."""
    low, high = M.bootstrap_auc_ci(y, scores, n_boot=N_BOOT, rng=0)
    called = scores >= 0.5
    per_kind = [float(np.mean(called[y_kind == k])) for k in range(1, len(SUBTYPE_NAMES))]
    return {"auc": M.roc_auc_score(y, scores), "low": low, "high": high,
            "accuracy": float(np.mean(called == (y == 1))), "specificity": float(np.mean(~called[y == 0])),
            "detected": per_kind, "scores": scores.tolist()}


def words(r: dict) -> list[str]:
    f, b, d = r["fine"], r["binary"], r["difference"]
    overlap = f["low"] <= b["high"] and b["low"] <= f["high"]
    better = "fine-grained" if d["diff"] > 0 else "binary"
    out = [f"On {r['n_test']} held-out films, the model trained on the {len(r['kinds'])} kinds and normal, its "
           f"probabilities of the kinds summed, scores AUC {f['auc']:.3f} (95% CI {f['low']:.3f}–{f['high']:.3f}); "
           f"the model trained on normal / abnormal scores {b['auc']:.3f} ({b['low']:.3f}–{b['high']:.3f})."]
    if round(d["diff"], 3) == 0:
        out.append("The two AUCs are equal to three decimals.")
    else:
        out.append(f"The {better} model is ahead by {abs(d['diff']):.3f} of AUC; "
                   + ("the two intervals overlap" if overlap else "the two intervals do not overlap")
                   + f", and the paired interval of the difference, {d['low']:+.3f} to {d['high']:+.3f}, "
                   + ("includes 0: this test cannot tell the two apart." if d["low"] <= 0 <= d["high"]
                      else "excludes 0."))
    out.append(f"At P(abnormal) = 0.5: accuracy {f['accuracy']:.1%} summed, {b['accuracy']:.1%} binary.")
    out.append(f"The fine-grained model {_misses(f, r['kinds'])}; the binary one {_misses(b, r['kinds'])}.")
    cm = np.asarray(r["confusion"])
    off = cm - np.diag(np.diag(cm))
    i, j = np.unravel_index(int(np.argmax(off)), off.shape)
    names = r["class_names"]
    out.append(f"Asked for the kind, the fine-grained model names the right one of {len(names)} for "
               f"{r['fine_accuracy']:.1%} of the films"
               + (f"; its most frequent confusion: {names[i]} called {names[j]} ({int(off[i, j])} films)." if off[i, j]
                  else "."))
    return out


def _misses(m: dict, kinds: list[str]) -> str:
    """Which kind of abnormal film a model calls normal most often at 0.5, in words."""
    worst = int(np.argmin(m["detected"]))
    if m["detected"][worst] >= 1.0:
        return "calls every abnormal film abnormal"
    return f"misses {kinds[worst]} films most ({1 - m['detected'][worst]:.0%} of them called normal)"
