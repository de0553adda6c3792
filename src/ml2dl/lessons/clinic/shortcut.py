"""cases, shortcut learning (Zech et al. 2018): a "hospital marker" that tells the label in training.

Zech et al. (PLOS Medicine 2018) found pneumonia in 34.2% of one hospital's X-rays and 1.2% of
another's, and a CNN could tell the hospitals apart from the films: a model can score "which hospital"
instead of "which disease". Here, on the phantom films:

* **hospital A** (training, validation, internal test): a bright 4 × 4 marker in the top-left corner
  on :data:`P_MARKED` [1] = 90% of pneumonia films and :data:`P_MARKED` [0] = 10% of normal ones;
* **a new hospital** (the same test films): the marker on half of the films, whatever the label.

Two models train through :func:`ml2dl.train.fit` on the same films, one with hospital A's markers and
one without (the control). For each, the AUC on the internal test and at the new hospital; for the
marked model, the share of its Grad-CAM inside the marker's corner (the corner is 16 / 784 = 2% of the
film). Every sentence is made from these numbers.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ml2dl import metrics as M
from ml2dl import train
from ml2dl.data import phantom_splits
from ml2dl.data.dataset import ImageDataset
from ml2dl.data.images import to_uint8
from ml2dl.explain import grad_cam
from ml2dl.files import jsonable
from ml2dl.train import Recipe, predict_proba

P_MARKED = (0.1, 0.9)  # P(marker | normal), P(marker | pneumonia) at hospital A
P_NEW = 0.5  # P(marker) at the new hospital, whatever the label
BOX = (slice(1, 5), slice(1, 5))  # the marker's rows and columns
SIZE, N_VAL, N_TEST = 28, 300, 300
SOURCE = ("Zech et al., PLOS Medicine 2018: pneumonia in 34.2% of one hospital's chest X-rays and 1.2% of another's; "
          "a CNN could tell the hospitals apart from the images, and its performance fell at hospitals it had not seen")


def marked(ds: ImageDataset, p_marked, rng: np.random.Generator) -> tuple[ImageDataset, np.ndarray]:
    """A copy of ``ds`` with the marker (value 1.0) stamped on each film with probability
    ``p_marked[label]`` (a pair) or ``p_marked`` (one number, whatever the label); returns (films, stamped)."""
    p = np.asarray(p_marked, dtype=np.float64)
    y = np.asarray(ds.labels).reshape(-1)
    chance = p[y] if p.ndim else np.full(y.shape, float(p))
    stamped = rng.random(y.size) < chance
    images = ds.images.copy()
    images[np.ix_(stamped, np.arange(images.shape[1]), np.arange(BOX[0].start, BOX[0].stop),
                  np.arange(BOX[1].start, BOX[1].stop))] = 1.0
    return ImageDataset(images, ds.labels, ds.class_names, source=ds.source + " + hospital marker", synthetic=True), stamped


def experiment(n_train: int, epochs: int, seed: int, on_event: Callable[[float, str], None]) -> dict:
    """Train the marked and the control model; their AUCs at both hospitals; where the marked one looks."""
    splits = phantom_splits(n_train, N_VAL, N_TEST, size=SIZE, seed=seed)
    rng = np.random.default_rng((seed, 77))
    train_a, train_marks = marked(splits.train, P_MARKED, rng)
    val_a, _ = marked(splits.val, P_MARKED, rng)
    test_a, marks_a = marked(splits.test, P_MARKED, rng)
    test_new, marks_new = marked(splits.test, P_NEW, rng)
    y = np.asarray(splits.test.labels).reshape(-1)
    recipe = Recipe(epochs=epochs, batch_size=32, lr=0.01, seed=seed)
    out, models = {}, {}
    for k, (name, tr, va) in enumerate((("marked", train_a, val_a), ("control", splits.train, splits.val))):
        model = train.build_model("strong", in_channels=1, image_size=SIZE, seed=seed, width=8)

        def progress(event, k=k, name=name):
            if event.stage in ("batch", "epoch"):
                done = ((event.epoch - 1) * event.batches + event.batch) / max(1, event.epochs * event.batches)
                on_event((k + done) / 2, f"{name} model: epoch {event.epoch} of {event.epochs}")

        train.fit(model, tr, va, recipe=recipe, callbacks=[progress])
        model.eval()
        s_internal = predict_proba(model, test_a.images if name == "marked" else splits.test.images).reshape(-1)
        s_new = predict_proba(model, test_new.images).reshape(-1)
        out[name] = {"auc_internal": M.roc_auc_score(y, s_internal), "auc_new": M.roc_auc_score(y, s_new),
                     "scores_internal": s_internal.tolist(), "scores_new": s_new.tolist()}
        models[name] = model
    # where the marked model looks on the new hospital's marked films
    model = models["marked"]
    idx = np.flatnonzero(marks_new)
    cams = grad_cam(model, test_new.images[idx], target=1)
    mass = cams.reshape(len(idx), -1).sum(axis=1)
    inside = cams[:, BOX[0], BOX[1]].reshape(len(idx), -1).sum(axis=1)
    share = float(np.mean(inside[mass > 0] / mass[mass > 0])) if np.any(mass > 0) else None
    s_new = np.asarray(out["marked"]["scores_new"])
    # the marker's pull: mean score of marked minus unmarked new-hospital films, per true label
    pull = {lab: float(s_new[(y == i) & marks_new].mean() - s_new[(y == i) & ~marks_new].mean())
            for i, lab in enumerate(("normal", "pneumonia")) if ((y == i) & marks_new).any() and ((y == i) & ~marks_new).any()}
    shown = [int(i) for i in np.concatenate([idx[y[idx] == 0][:3], idx[y[idx] == 1][:1]])]
    examples = [{"label": int(y[i]), "probability": float(s_new[i]), "image": to_uint8(test_new.images[i, 0]).tolist(),
                 "heatmap": np.round(cams[int(np.flatnonzero(idx == i)[0])], 3).tolist()} for i in shown]
    result = {"source": SOURCE, "n_train": n_train, "epochs": epochs, "seed": seed, "p_marked": list(P_MARKED),
              "p_new": P_NEW, "train_marked_share": {"normal": float(train_marks[splits.train.labels.reshape(-1) == 0].mean()),
                                                    "pneumonia": float(train_marks[splits.train.labels.reshape(-1) == 1].mean())},
              "labels": y.tolist(), "marks_internal": marks_a.tolist(), "marks_new": marks_new.tolist(),
              "marked": out["marked"], "control": out["control"], "cam_share_in_marker": share,
              "marker_area_share": 16 / SIZE ** 2, "pull": pull, "examples": examples}
    result["words"] = words(result)
    return jsonable(result)


def words(r: dict) -> list[str]:
    m, c = r["marked"], r["control"]
    drop_m, drop_c = m["auc_internal"] - m["auc_new"], c["auc_internal"] - c["auc_new"]
    out = [f"Trained at hospital A, where {r['train_marked_share']['pneumonia']:.0%} of pneumonia films and "
           f"{r['train_marked_share']['normal']:.0%} of normal ones carry the marker, the model scores AUC "
           f"{m['auc_internal']:.3f} on hospital A's test films and {m['auc_new']:.3f} at the new hospital "
           f"({f'{drop_m:.3f} lower' if drop_m > 0 else f'{-drop_m:.3f} higher'})."]
    out.append(f"The control, trained on the same films without markers, scores {c['auc_internal']:.3f} and "
               f"{c['auc_new']:.3f} ({drop_c:+.3f}): "
               + ("the marked model lost more at the new hospital." if drop_m > drop_c + 0.01 else
                  "the marked model lost no more than the control here."))
    if r["cam_share_in_marker"] is not None:
        ratio = r["cam_share_in_marker"] / r["marker_area_share"]
        out.append(f"On the new hospital's marked films, {r['cam_share_in_marker']:.0%} of the marked model's "
                   f"Grad-CAM lies in the marker's corner, {ratio:.1f}× its {r['marker_area_share']:.0%} share of the film.")
    if "normal" in r["pull"]:
        out.append(f"At the new hospital the marker alone moves a normal film's mean probability by "
                   f"{r['pull']['normal']:+.3f}.")
    return out
