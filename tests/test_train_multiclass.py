"""fit() on K classes: cross-entropy through the one loop, checked against PyTorch and scikit-learn."""

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.data.dataset import ImageDataset
from ml2dl.train import RunDir, build_model, fit, predict_logits
from ml2dl.train.scoring import balanced_class_weights, ovr_auc, predict_class_proba, softmax, validate

SIZE, K = 12, 5


@pytest.fixture(scope="module")
def data():
    return phantom_splits(70, 40, 0, size=SIZE, seed=2, subtypes=True)


def small(seed=0):
    """No batch norm, no dropout: a model whose few steps PyTorch can repeat exactly."""
    return nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 8), nn.Tanh(), nn.Linear(8, K)).reset_parameters(rng=seed)


RECIPE = dict(epochs=2, batch_size=16, lr=0.01, optimizer="adamw", weight_decay=1e-3, schedule="constant",
              augment=None, precise_bn=0, class_weight="balanced", seed=4)


def test_a_few_epochs_match_pytorch(data):
    torch = pytest.importorskip("torch")
    model = small()
    tmodel = model.to_torch()
    result = fit(model, data.train, data.val, restore_best=False, **RECIPE)
    x, y = data.train.images, data.train.labels
    w = balanced_class_weights(y, K)
    assert w == pytest.approx(len(y) / (K * np.bincount(y, minlength=K)))
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(w, dtype=torch.float32))
    opt = torch.optim.AdamW(tmodel.parameters(), lr=0.01, weight_decay=1e-3)
    for epoch in (1, 2):  # fit's order: a permutation drawn from (seed, epoch, 0), batches of 16
        order = np.random.default_rng([4, epoch, 0]).permutation(len(x))
        total = 0.0
        for b in range(0, len(x), 16):
            idx = order[b:b + 16]
            loss = loss_fn(tmodel(torch.tensor(x[idx])), torch.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        assert result.history[epoch - 1]["train_loss"] == pytest.approx(total / len(x), rel=1e-5)
    theirs = dict(tmodel.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.data, theirs[name].detach().numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
    # validation: the weighted cross-entropy, the macro one-vs-rest AUC and the arg-max accuracy
    with torch.no_grad():
        z = tmodel(torch.tensor(data.val.images))
        val_loss = loss_fn(z, torch.tensor(data.val.labels)).item()
    row = result.history[-1]
    assert row["val_loss"] == pytest.approx(val_loss, rel=1e-5)
    assert row["val_accuracy"] == pytest.approx(float(np.mean(z.numpy().argmax(1) == data.val.labels)))
    assert result.classes == K and result.pos_weight is None and result.operating_points is None


def test_validation_figures_match_scikit_learn(data):
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = data.val.labels
    z = rng.standard_normal((len(y), K)) + 1.5 * np.eye(K)[y]  # informative, imperfect logits
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert ovr_auc(y, p) == pytest.approx(metrics.roc_auc_score(y, p, multi_class="ovr", average="macro"), rel=1e-12)
    # validate() on a model that outputs those logits
    model = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, K))
    model.layers[1].weight.data[...] = 0
    model.layers[1].bias.data[...] = np.array([0.2, -0.1, 0.0, 0.3, -0.4])
    w = balanced_class_weights(y, K)
    v = validate(model, data.val.images, y, classes=K, class_weights=w)
    const = softmax(np.tile([[0.2, -0.1, 0.0, 0.3, -0.4]], (len(y), 1)))
    by_hand = -np.sum(np.array(w)[y] * np.log(const[np.arange(len(y)), y])) / np.sum(np.array(w)[y])
    assert v["val_loss"] == pytest.approx(by_hand, rel=1e-6)
    assert v["val_accuracy"] == pytest.approx(np.mean(y == 3))  # every image called class 3
    assert v["val_auc"] == pytest.approx(0.5)  # constant scores rank nothing
    assert predict_logits(model, data.val.images).shape == (len(y), K)
    np.testing.assert_allclose(predict_class_proba(model, data.val.images), const, rtol=1e-6)


def test_k_class_fit_learns_and_keeps_a_run(data, tmp_path):
    model = build_model("strong", in_channels=1, image_size=SIZE, width=4, outputs=K, seed=0)
    result = fit(model, data.train, data.val, epochs=2, batch_size=16, run_dir=tmp_path / "run")
    cfg = RunDir(tmp_path / "run").config()
    assert cfg["recipe"]["classes"] == K and len(cfg["recipe"]["class_weights"]) == K
    assert cfg["train"] == {"n": 70, "counts": np.bincount(data.train.labels, minlength=K).tolist()}
    assert all(r["val_auc"] is not None and 0 <= r["val_accuracy"] <= 1 for r in result.history)
    # resuming is refused for a binary model on the run of a 5-class one
    binary = phantom_splits(70, 40, 0, size=SIZE, seed=2)
    with pytest.raises(InputError, match="classes"):
        fit(build_model("strong", in_channels=1, image_size=SIZE, width=4, seed=0), binary.train, binary.val,
            epochs=3, batch_size=16, run_dir=tmp_path / "run", resume=True)


def test_k_class_errors_say_what_was_expected(data):
    with pytest.raises(InputError, match=r"5-class classifier: the model must give 5 logits per image, shape \(16, 5\), "
                                         r"got shape \(16, 1\)"):
        fit(build_model("strong", in_channels=1, image_size=SIZE, width=2), data.train, data.val, epochs=1,
            batch_size=16)
    wrong = ImageDataset(data.val.images[:3], np.array([0, 5, 1]), data.val.class_names + ("x",))
    with pytest.raises(InputError, match=r"val labels must be class indices 0 … 4 \(5 classes\), got values \[0, 1, 5\]"):
        fit(small(), data.train, wrong, epochs=1)
    with pytest.raises(InputError, match="class_weight of a 5-class task must be 'balanced' or None, got 2.0"):
        fit(small(), data.train, data.val, epochs=1, class_weight=2.0)
    # a pair of arrays is a binary task, as before: labels 0/1
    with pytest.raises(InputError, match=r"labels must be 0/1"):
        fit(small(), (data.train.images, data.train.labels), None, epochs=1)
