"""Step 5 API: the pixel shuffle, the neighbourhoods, the FC-vs-CNN experiment (tiny budget)."""

import json
import time
from pathlib import Path

import numpy as np
import pytest

from ml2dl.lessons import images as lesson

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pneumoniamnist_trainval.npz"
TINY = lesson.Budget(n_train=64, n_val=32, epochs=1, batch_size=32)  # the client fixture's budget


def _wait_done(client, path="/api/images/experiment", timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        snap = client.get(path).json()
        if snap["status"] in ("done", "failed", "cancelled"):
            return snap
        assert time.monotonic() < deadline, snap
        time.sleep(0.1)


def test_view_is_the_image_and_its_shuffled_twin(client):
    body = client.get("/api/images/view?index=3").json()
    data = lesson.load_chest_data(None, n_train=TINY.n_train, n_val=TINY.n_val)
    original = np.array(body["original"])
    assert original.shape == (28, 28)
    assert (original == np.clip(np.rint(data.val_images[3, 0] * 255), 0, 255)).all()
    perm = np.array(body["perm"])
    assert sorted(perm) == list(range(784))
    assert (perm == np.random.default_rng(0).permutation(784)).all()  # one fixed permutation
    shuffled = np.array(body["shuffled"])
    assert (shuffled.ravel() == original.ravel()[perm]).all()
    moved_to = np.array(body["moved_to"])
    assert (shuffled.ravel()[moved_to] == original.ravel()).all()  # original pixel i sits at moved_to[i]
    assert body["label"] == int(data.val_labels[3]) and body["label_name"] in ("normal", "pneumonia")
    assert body["synthetic"] is True and body["count"] == TINY.n_val


def test_neighbourhoods_and_their_differences_by_slow_loops(client):
    body = client.get("/api/images/view").json()
    for which in ("original", "shuffled"):
        img = np.array(body[which])
        for p in (0, 27, 29, 400, 783):
            r, c = divmod(p, 28)
            expected = []
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    rr, cc = r + dr, c + dc
                    expected.append(int(img[rr, cc]) if 0 <= rr < 28 and 0 <= cc < 28 else None)
            assert body["neighbourhoods"][which][p] == expected
        diffs = [abs(int(img[r, c]) - int(img[r + 1, c])) for r in range(27) for c in range(28)]
        diffs += [abs(int(img[r, c]) - int(img[r, c + 1])) for r in range(28) for c in range(27)]
        assert body["neighbour_difference"][which] == pytest.approx(np.mean(diffs), abs=0.005)
    assert body["neighbour_index"][29] == [0, 1, 2, 28, 29, 30, 56, 57, 58]
    assert body["neighbour_index"][0][:4] == [-1, -1, -1, -1]
    # neighbours are alike in an image, unrelated after the shuffle
    assert body["neighbour_difference"]["original"] < body["neighbour_difference"]["shuffled"] / 2


def test_fully_connected_parameter_figure():
    fc = lesson.fc_parameter_count(224, 224, 128)
    assert fc["weights"] == 6_422_528 and fc["parameters"] == 6_422_656
    assert lesson.fc_parameter_count(28, 28, 128)["weights"] == 100_352
    with pytest.raises(ValueError, match="neurons must be an int in 1..4096, got 0"):
        lesson.fc_parameter_count(28, 28, 0)


def test_a_fully_connected_net_cannot_tell_shuffled_pixels_apart():
    """Same start (re-plugged like the pixels), same batches: the same numbers, shuffled or not."""
    data = lesson.load_chest_data(None, n_train=64, n_val=32)
    perm = lesson.pixel_permutation(784)
    _, x, xv = lesson.standardise(data.train_images, data.val_images)
    xs, xvs = lesson.shuffle_pixels(x, perm), lesson.shuffle_pixels(xv, perm)
    a, b = lesson.fc_net(0), lesson.fc_net(0)
    b[1].weight.data[...] = b[1].weight.data[:, perm]
    for model, images in ((a, x), (b, xs)):
        lesson.train_binary(model, images, data.train_labels, epochs=2, batch_size=16, lr=3e-3, seed=0)
    assert lesson.predict_logits(b, xvs) == pytest.approx(lesson.predict_logits(a, xv), abs=1e-4)
    # Up to float rounding: the sums run in another order, and Adam divides by √v, so a weight
    # whose gradient is almost 0 can carry a rounding difference of ~1e-5 (one Adam step is lr = 3e-3).
    assert b[1].weight.data == pytest.approx(a[1].weight.data[:, perm], abs=5e-5)
    # ...whereas the CNN's shuffled twin computes something else entirely
    c, d = lesson.small_cnn(0), lesson.small_cnn(0)
    assert np.abs(lesson.predict_logits(c, xv) - lesson.predict_logits(d, xvs)).max() > 1e-2


def test_experiment_runs_in_the_background_and_is_cached(open_client, tmp_path):
    with open_client(tmp_path) as client:
        assert client.get("/api/images/experiment").json()["status"] == "none"
        first = client.post("/api/images/experiment").json()
        assert first["status"] in ("queued", "running", "done")
        again = client.post("/api/images/experiment").json()
        assert again["key"] == first["key"]  # joined, not started twice
        snap = _wait_done(client)
        assert snap["status"] == "done", snap
        res = snap["result"]
        assert [(a["model"], a["pixels"]) for a in res["arms"]] == list(lesson.ARMS)
        for arm in res["arms"]:
            assert 0 <= arm["accuracy"] <= 1 and arm["percent"] == pytest.approx(100 * arm["accuracy"], abs=0.05)
            assert len(arm["train_loss"]) == TINY.epochs
        assert res["arms"][0]["parameters"] == 784 * 64 + 64 + 64 + 1
        assert res["arms"][2]["parameters"] == 8 * 9 + 8 + 16 * 8 * 9 + 16 + 16 * 49 + 1
        # the FC net does exactly as well on shuffled pixels
        assert res["summary"]["fc"]["change_points"] == 0.0
        assert res["n_train"] == 64 and res["n_val"] == 32
        # the moved-images test starts from the unmoved accuracy of the same trained networks
        assert res["translation"]["shifts"] == [0, 1, 2, 3, 4]
        for arm in res["arms"][::2]:  # fc and cnn on original pixels
            assert res["translation"]["curves"][arm["model"]][0]["percent"] == arm["percent"]
        assert res["findings"]["shuffle"]["fc"].startswith("Exactly the same accuracy")
        assert set(res["findings"]["shift"]) == {"fc", "cnn", "comparison"}
        assert res["baseline"]["accuracy"] == pytest.approx(0.5)  # phantoms: balanced classes
        # progress as server-sent events: the final event carries the result
        r = client.get("/api/images/progress")
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]
        assert events[-1]["status"] == "done" and events[-1]["result"]["arms"] == res["arms"]
    # a restarted server answers from the disk cache at once
    with open_client(tmp_path) as client:
        snap = client.get("/api/images/experiment").json()
        assert snap["status"] == "done" and snap["cached"] is True and snap["result"] == res


def test_cancel_only_detaches_the_student_the_shared_job_runs_to_completion(open_client, tmp_path):
    budget = lesson.Budget(n_train=64, n_val=32, epochs=2, batch_size=8)
    with open_client(tmp_path, training_budget=budget) as client:
        client.post("/api/images/experiment")
        snap = client.post("/api/images/experiment/cancel").json()
        if snap["status"] in ("queued", "running"):
            assert snap["detached"] is True and "keeps running for the others" in snap["message"]
        else:  # it had already finished
            assert snap["status"] == "done"
        assert _wait_done(client)["status"] == "done"


def test_view_index_limits(client):
    r = client.get("/api/images/view?index=32")
    assert r.status_code == 422 and r.json()["message"] == "index must be an int in 0..31, got 32"
    r = client.get("/api/images/view?index=-1")
    assert r.status_code == 422 and r.json()["message"].startswith("index must be ≥ 0, got ")


@pytest.mark.skipif(not DATA.is_file(), reason=f"needs {DATA}")
def test_real_chest_xrays_with_data(open_client, tmp_path):
    with open_client(tmp_path, data_path=DATA) as client:
        body = client.get("/api/images/view?index=5").json()
    assert body["synthetic"] is False and "PneumoniaMNIST" in body["source"]
    npz = np.load(DATA)
    data = lesson.load_chest_data(DATA, n_train=TINY.n_train, n_val=TINY.n_val)
    # the held-out images are images of the file's val split, with their labels
    i = int(np.flatnonzero((npz["val_images"] == np.array(body["original"], dtype=np.uint8)).all(axis=(1, 2)))[0])
    assert npz["val_labels"][i, 0] == body["label"] == data.val_labels[5]
