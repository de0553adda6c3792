"""cases, pre-training (Gulshan 2016 and Esteva 2017 started from ImageNet weights): does learning on a
large synthetic set first help a model that then sees only a few hundred real X-rays?

Three models of the same architecture, each trained through :func:`ml2dl.train.fit`, judged on the same
real test images (the server's MedMNIST file or folder; its validation split when it has no test):

* **pre-trained only** — trained on ``n_synthetic`` phantom films, never shown a real X-ray;
* **pre-trained, then fine-tuned** — the same weights trained further on ``n_real`` real X-rays;
* **from scratch** — trained on the same ``n_real`` real X-rays from a random start.

Each AUC comes with its 95% bootstrap interval (:func:`ml2dl.metrics.bootstrap_auc_ci`, seed 0).
Whichever way it comes out, the sentences say what was measured.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ml2dl import metrics as M
from ml2dl import train
from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.files import jsonable
from ml2dl.train import Recipe, predict_proba

from . import data as clinic_data

SOURCE = ("Gulshan et al. 2016 and Esteva et al. 2017 both started from an Inception-v3 pre-trained on ImageNet "
          "(over a million everyday photographs) and fine-tuned it on their medical images")


def real_source(data_path):
    """The server's real data (its MedMNIST file, else its folder); InputError when it has none."""
    offered = [s for s in clinic_data.sources(data_path) if not s.synthetic]
    if not offered:
        raise InputError("pre-training needs real X-rays: expected a server started with a MedMNIST file or an image "
                         "folder (ml2dl serve --data …), got only the synthetic films")
    return offered[0]


def experiment(data_path, *, n_real: int, n_synthetic: int, epochs: int, seed: int,
               on_event: Callable[[float, str], None]) -> dict:
    src = real_source(data_path)
    real = clinic_data.load(src, n_real, seed)
    judge = real.test if real.test is not None else real.val
    split = "test" if real.test is not None else "validation"
    phantoms = phantom_splits(n_synthetic, 300, 0, size=clinic_data.IMAGE_SIZE, seed=seed)
    recipe = Recipe(epochs=epochs, batch_size=32, lr=0.01, seed=seed)
    y = np.asarray(judge.labels).reshape(-1)
    stages = (("pre-training on synthetic films", 0), ("fine-tuning on real X-rays", 1), ("training from scratch", 2))

    def fit(model, tr, va, stage):
        label, k = stages[stage]

        def progress(event):
            if event.stage in ("batch", "epoch"):
                done = ((event.epoch - 1) * event.batches + event.batch) / max(1, event.epochs * event.batches)
                on_event((k + done) / 3, f"{label}: epoch {event.epoch} of {event.epochs}")

        train.fit(model, tr, va, recipe=recipe, callbacks=[progress])
        model.eval()
        return predict_proba(model, judge.images).astype(np.float64).reshape(-1)

    def judged(scores) -> dict:
        low, high = M.bootstrap_auc_ci(y, scores, n_boot=1000, rng=0)
        return {"auc": M.roc_auc_score(y, scores), "low": low, "high": high, "scores": scores.tolist()}

    c, h = (int(v) for v in real.val.images.shape[1:3])
    make = lambda: train.build_model("strong", in_channels=c, image_size=h, seed=seed, width=8)  # noqa: E731
    model = make()
    out = {"pretrained": judged(fit(model, phantoms.train, phantoms.val, 0))}
    out["finetuned"] = judged(fit(model, real.train, real.val, 1))  # the same weights, trained on
    out["scratch"] = judged(fit(make(), real.train, real.val, 2))
    result = {"source": SOURCE, "data": src.label, "split": split, "n_test": int(y.size), "n_real": n_real,
              "n_synthetic": n_synthetic, "epochs": epochs, "seed": seed, "labels": y.tolist(), **out}
    result["words"] = words(result)
    return jsonable(result)


def words(r: dict) -> list[str]:
    f, s, p = r["finetuned"], r["scratch"], r["pretrained"]
    diff = f["auc"] - s["auc"]
    overlap = f["low"] <= s["high"] and s["low"] <= f["high"]
    out = [f"On {r['n_test']} real {r['split']} X-rays: fine-tuned after pre-training, AUC {f['auc']:.3f} "
           f"({f['low']:.3f}–{f['high']:.3f}); from scratch on the same {r['n_real']} real X-rays, {s['auc']:.3f} "
           f"({s['low']:.3f}–{s['high']:.3f}).",
           f"Pre-training on {r['n_synthetic']} synthetic films {'added' if diff > 0 else 'cost'} {abs(diff):.3f} of AUC here; "
           + ("the two intervals overlap, so this test cannot tell the two apart." if overlap
              else "the intervals do not overlap."),
           f"Never shown a real X-ray, the pre-trained model alone scores {p['auc']:.3f} ({p['low']:.3f}–{p['high']:.3f})"
           + (": below 0.5, it ranks real X-rays the wrong way round — what it learned on the films does not transfer "
              "as it is." if p["high"] < 0.5 else "." )]
    return out
