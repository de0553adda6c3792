"""Step 9 API: the CNN trains in the background; every stage's output against a SciPy forward pass."""

import time
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from ml2dl import nn
from ml2dl.lessons import images as data_lesson
from ml2dl.lessons import pipeline as lesson

TINY = data_lesson.Budget(n_train=64, n_val=32, epochs=1, batch_size=32)  # the client's budget


@pytest.fixture(scope="module")
def trained(open_client, tmp_path_factory):
    cache = tmp_path_factory.mktemp("pipeline-cache")
    with open_client(cache, training_budget=TINY) as client:
        assert client.get("/api/pipeline/status").json()["status"] == "none"
        r = client.get("/api/pipeline/explain?index=0")
        assert r.status_code == 409 and "not trained yet" in r.json()["detail"]
        client.post("/api/pipeline/train")
        deadline = time.monotonic() + 120
        while (snap := client.get("/api/pipeline/status").json())["status"] not in ("done", "failed", "cancelled"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert snap["status"] == "done", snap
        yield client, snap["result"], cache


def _reference_forward(weights, image, mean, std):
    """The pipeline CNN by hand: SciPy correlations, NumPy ReLU / 2×2 max / dot product."""
    x = (image.astype(np.float64) - mean) / std

    def conv(inputs, w, b):  # inputs (C, H, W), w (O, C, 3, 3): cross-correlation with zero padding
        return np.stack([sum(ndimage.correlate(inputs[c], w[o, c], mode="constant") for c in range(len(inputs))) + b[o]
                         for o in range(len(w))])

    def pool(a):
        c, h, w_ = a.shape
        return a.reshape(c, h // 2, 2, w_ // 2, 2).max(axis=(2, 4))

    c1 = conv(x[None], weights["0.weight"], weights["0.bias"])
    r1 = np.maximum(c1, 0)
    p1 = pool(r1)
    c2 = conv(p1, weights["3.weight"], weights["3.bias"])
    r2 = np.maximum(c2, 0)
    p2 = pool(r2)
    z = float(weights["7.weight"][0] @ p2.ravel() + weights["7.bias"][0])
    return [x[None], c1, r1, p1, c2, r2, p2], z


def test_training_writes_a_checkpoint_and_reports_accuracy(trained):
    _, result, cache = trained
    path = cache / "pipeline" / result["checkpoint"]
    model, meta = nn.load(path, with_metadata=True)
    assert [type(l).__name__ for l in model.layers] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d",
                                                         "Flatten", "Linear"]
    assert result["parameters"] == model.num_parameters() == 80 + 1168 + 785
    assert meta["mean"] == pytest.approx(result["mean"]) and meta["std"] == pytest.approx(result["std"])
    data = data_lesson.load_chest_data(None, n_train=TINY.n_train, n_val=TINY.n_val)
    assert result["mean"] == pytest.approx(float(data.train_images.mean()), rel=1e-5)
    _, _, x_val = data_lesson.standardise(data.train_images, data.val_images)
    assert result["accuracy"] == pytest.approx(data_lesson.accuracy(model, x_val, data.val_labels), abs=1e-4)
    assert len(result["train_loss"]) == TINY.epochs and result["n_train"] == 64


def test_every_stage_matches_a_hand_written_forward_pass(trained):
    client, result, cache = trained
    examples = client.get("/api/pipeline/examples").json()
    index = examples["examples"][1]["index"]
    body = client.get(f"/api/pipeline/explain?index={index}").json()
    model = nn.load(cache / "pipeline" / result["checkpoint"])
    weights = {k: v.astype(np.float64) for k, v in model.state_dict().items()}
    data = data_lesson.load_chest_data(None, n_train=TINY.n_train, n_val=TINY.n_val)
    outputs, z = _reference_forward(weights, data.val_images[index, 0], result["mean"], result["std"])
    stages = {s["name"]: s for s in body["stages"]}
    assert list(stages) == ["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "linear", "output"]
    for name, ref in zip(["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2"], outputs):
        assert stages[name]["shape"] == list(ref.shape)
        assert np.array(stages[name]["maps"]) == pytest.approx(ref, abs=2e-3), name
        assert stages[name]["map_max"] == pytest.approx(ref.reshape(len(ref), -1).max(axis=1), abs=1e-3)
        assert stages[name]["scale"]["signed"] == bool(ref.min() < 0)
    assert stages["conv1"]["shape"] == [8, 28, 28] and stages["pool2"]["shape"] == [16, 7, 7]
    assert np.array(stages["flatten"]["values"]) == pytest.approx(outputs[-1].ravel(), abs=2e-3)
    assert np.array(stages["conv1"]["kernels"]) == pytest.approx(weights["0.weight"][:, 0], abs=1e-3)
    assert body["logit"] == pytest.approx(z, abs=1e-3)
    contributions = np.array(stages["linear"]["contributions"])
    per_map = (weights["7.weight"][0].reshape(16, 49) * outputs[-1].reshape(16, 49)).sum(axis=1)
    assert contributions == pytest.approx(per_map, abs=1e-3)
    assert contributions.sum() + stages["linear"]["bias"] == pytest.approx(z, abs=2e-3)
    assert body["probability"] == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-4)
    assert body["prediction"] == int(body["probability"] > 0.5)
    assert body["label"] == int(data.val_labels[index]) and body["correct"] == (body["prediction"] == body["label"])
    assert body["training"]["accuracy"] == result["accuracy"]


def test_examples_are_held_out_normal_and_pneumonia(trained):
    client, _, _ = trained
    body = client.get("/api/pipeline/examples").json()
    labels = [e["label"] for e in body["examples"]]
    assert labels == [0, 1] * 4
    data = data_lesson.load_chest_data(None, n_train=TINY.n_train, n_val=TINY.n_val)
    for e in body["examples"]:
        assert int(data.val_labels[e["index"]]) == e["label"]
        assert (np.array(e["image"]) == np.clip(np.rint(data.val_images[e["index"], 0] * 255), 0, 255)).all()
    assert body["synthetic"] is True
    assert [s["name"] for s in body["stages"]][0] == "input"


def test_second_train_request_reuses_the_model(trained):
    client, result, _ = trained
    snap = client.post("/api/pipeline/train").json()
    assert snap["status"] == "done" and snap["result"]["checkpoint"] == result["checkpoint"]


def test_explain_limits(trained):
    client, _, _ = trained
    r = client.get("/api/pipeline/explain?index=32")
    assert r.status_code == 422 and r.json()["message"] == "index must be an int in 0..31, got 32"
    assert client.get("/api/pipeline/explain").status_code == 422


def test_forward_stages_checks_the_image():
    model = lesson.build_model(0)
    with pytest.raises(ValueError, match=r"image must be 28×28, got shape \(32, 32\)"):
        lesson.forward_stages(model, np.zeros((32, 32)), 0.5, 0.2)


def test_missing_checkpoint_is_retrained(client, tmp_path):
    client.post("/api/pipeline/train")
    deadline = time.monotonic() + 60
    while client.get("/api/pipeline/status").json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (ckpt,) = (tmp_path / "pipeline").glob("*.npz")
    ckpt.unlink()
    assert client.get("/api/pipeline/explain?index=0").status_code == 409
    snap = client.post("/api/pipeline/train").json()
    assert snap["status"] in ("queued", "running", "done")
    while client.get("/api/pipeline/status").json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert Path(ckpt).is_file()
    assert client.get("/api/pipeline/explain?index=0").status_code == 200
