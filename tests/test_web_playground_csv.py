"""Step 2's "my own data": a CSV upload, then training on it like on the built-in problems."""

import json

import numpy as np
import pytest

from ml2dl.data import toy
from ml2dl.web.schemas import TrainResult


def _csv(rows, header="glucose,age,label"):
    return ((header + "\n") if header else "") + "".join(f"{a},{b},{c}\n" for a, b, c in rows)


def _upload(client, text, name="points.csv"):
    return client.post("/api/playground/csv", files={"file": (name, text.encode() if isinstance(text, str) else text, "text/csv")})


def _separable(n=120, seed=0):
    """Two clouds in the units of a lab sheet: label 1 has the higher glucose (a line separates them)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    glucose = np.where(y == 1, 160, 90) + rng.normal(0, 12, n)
    age = rng.uniform(20, 80, n)
    return [(round(g, 1), round(a, 1), int(c)) for g, a, c in zip(glucose, age, y)]


def test_an_uploaded_csv_is_scaled_onto_the_plane_split_and_trained(client):
    rows = _separable()
    up = _upload(client, _csv(rows))
    assert up.status_code == 200, up.text
    d = up.json()
    X = np.array([r[:2] for r in rows])
    y = np.array([r[2] for r in rows])
    assert d["names"] == ["glucose", "age"] and d["header"] is True
    assert d["rows"] == 120 and d["counts"] == [60, 60]
    assert np.array(d["ranges"]) == pytest.approx(np.array([[X[:, 0].min(), X[:, 0].max()], [X[:, 1].min(), X[:, 1].max()]]))
    assert d["chars"] == len(d["data"]) and d["link_limit"] == 8000
    settings = {"problem": "csv", "data": d["data"], "hidden": [], "learning_rate": 0.3, "seed": 3}
    first = client.post("/api/playground/train", json={"settings": settings, "steps": 0}).json()
    # the points: x' = 2 (x − min) / (max − min) − 1 per column, then the stratified split of seed 3
    scaled = 2 * (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)) - 1
    Xtr, Xte, ytr, yte = toy.split(scaled, y, test_fraction=0.5, seed=3)
    pts = first["points"]
    assert np.array(pts["train"]["x1"]) == pytest.approx(Xtr[:, 0], abs=1e-4)
    assert np.array(pts["test"]["x2"]) == pytest.approx(Xte[:, 1], abs=1e-4)
    assert pts["train"]["label"] == ytr.tolist() and pts["test"]["label"] == yte.tolist()
    assert first["dataset"] == {"names": ["glucose", "age"], "ranges": d["ranges"], "rows": 120, "counts": [60, 60],
                                "train": 60, "test": 60}
    TrainResult.model_validate(first)  # every key documented
    body = first
    for _ in range(3):
        body = client.post("/api/playground/train", json={"settings": settings, "state": json.loads(json.dumps(body["state"])),
                                                          "steps": 100, "include_points": False}).json()
    assert body["step"] == 300 and "dataset" not in body
    assert body["percent"]["test_accuracy"] >= 95  # one neuron: a line on glucose separates the clouds
    assert body["best_line"]["train_percent"] >= 95


def test_the_same_file_gives_the_same_data_and_no_header_names_the_columns_x1_x2(client):
    rows = _separable(40)
    a, b = _upload(client, _csv(rows, header=None)).json(), _upload(client, _csv(rows, header=None)).json()
    assert a["data"] == b["data"] and a["names"] == ["x1", "x2"] and a["header"] is False


@pytest.mark.parametrize("text, status, message", [
    ("", 422, "the file is empty: expected lines of x1,x2,label (two numbers and a label 0 or 1)"),
    ("a,b,label\n1,2,0\n3,4,1\n5,6\n", 422, "line 4: expected 3 columns (x1, x2, label), got 2: '5,6'"),
    ("a,b,label\n1,2,0\n3,x,1\n", 422, "line 3: b must be a number, got 'x'"),
    ("1,2,0\n3,-inf,1\n", 422, "line 2: x2 must be a finite number, got '-inf'"),
    ("1,2,0\n3,4,0.5\n", 422, "line 2: the label must be 0 or 1, got '0.5'"),
    ("1,2,0\n3,4,0\n5,6,0\n", 422, "the labels must include both 0 and 1 (two classes to separate), got only 0s (3 rows)"),
    ("".join(f"{i},{i},{i % 2}\n" for i in range(1001)), 413, "the file must have at most 1,000 rows of points, got 1,001"),
    ("1" * (64 * 1024 + 10), 413, "the file must be at most 64 KB, got 64.0 KB or more"),
])
def test_every_bad_file_is_a_4xx_naming_the_line(client, text, status, message):
    r = _upload(client, text)
    assert r.status_code == status
    assert r.json()["message"] == message


def test_problem_csv_needs_its_data_and_refuses_damaged_data(client):
    r = client.post("/api/playground/train", json={"settings": {"problem": "csv"}, "steps": 0})
    assert r.status_code == 422 and "data must be given when problem is 'csv'" in r.json()["message"]
    r = client.post("/api/playground/train", json={"settings": {"problem": "csv", "data": "AAAAAAAA"}, "steps": 0})
    assert r.status_code == 422 and "data must be a data set this page encoded" in r.json()["message"]
    r = client.post("/api/playground/train", json={"settings": {"problem": "csv", "data": "not base64!"}, "steps": 0})
    assert r.status_code == 422 and r.json()["message"] == "settings.data: String should match pattern '^[A-Za-z0-9_-]+$', got 'not base64!'"


def test_a_state_trained_on_other_data_is_refused(client):
    a = _upload(client, _csv(_separable(40, seed=1))).json()["data"]
    b = _upload(client, _csv(_separable(40, seed=2))).json()["data"]
    body = client.post("/api/playground/train", json={"settings": {"problem": "csv", "data": a}, "steps": 1}).json()
    assert len(body["state"]["run"]["data"]) == 16  # a digest: the state does not carry the points
    r = client.post("/api/playground/train", json={"settings": {"problem": "csv", "data": b}, "state": body["state"], "steps": 1})
    assert r.status_code == 422 and "different settings" in r.json()["message"]
    # the built-in problems ignore data
    xor = client.post("/api/playground/train", json={"settings": {"problem": "xor", "data": a}, "steps": 0}).json()
    assert "data" not in xor["state"]["run"] and "dataset" not in xor


def test_options_give_the_csv_limits(client):
    o = client.get("/api/playground/options").json()
    assert o["csv"] == {"max_bytes": 65536, "max_rows": 1000, "link_limit": 8000}
    assert "csv" in o["settings"]["problem"]["choices"]
