"""Step 2 API: the stateless playground, against hand-written NumPy references."""

import json

import numpy as np
import pytest

from ml2dl.data import toy
from ml2dl.lessons import playground as lesson


def _run(client, settings, total_steps, per_request=100):
    """Train through the API, the state travelling through JSON like in the browser."""
    r = client.post("/api/playground/train", json={"settings": settings, "state": None, "steps": 0})
    assert r.status_code == 200, r.text
    body = r.json()
    history = []
    while body["step"] < total_steps:
        state = json.loads(json.dumps(body["state"]))
        r = client.post("/api/playground/train", json={"settings": settings, "state": state,
                                                       "steps": min(per_request, total_steps - body["step"]),
                                                       "include_points": False})
        assert r.status_code == 200, r.text
        body = r.json()
        history.append(body["metrics"]["test_accuracy"])
    return body, history


@pytest.mark.parametrize("problem", ["xor", "circle"])
def test_one_neuron_fails_on_curved_problems(client, problem):
    settings = {"problem": problem, "hidden": [], "activation": "tanh", "learning_rate": 0.3}
    body, history = _run(client, settings, 1000)
    assert body["step"] == 1000
    assert body["parameters"] == 3  # w1, w2, b: logistic regression
    assert max(history) < 0.75, history
    assert body["metrics"]["train_accuracy"] < 0.75
    line = body["line"]
    w = np.array(body["state"]["params"]["0.weight"])[0]
    assert line["w1"] == pytest.approx(w[0], abs=1e-4) and line["w2"] == pytest.approx(w[1], abs=1e-4)


@pytest.mark.parametrize("problem, hidden, steps", [("xor", [4], 600), ("circle", [8], 800), ("xor", [8], 500)])
def test_a_hidden_layer_of_tanh_neurons_solves_them(client, problem, hidden, steps):
    settings = {"problem": problem, "hidden": hidden, "activation": "tanh", "learning_rate": 0.3}
    body, _ = _run(client, settings, steps)
    assert body["metrics"]["test_accuracy"] > 0.9
    assert body["metrics"]["train_accuracy"] > 0.9
    assert body["percent"]["test_accuracy"] == pytest.approx(100 * body["metrics"]["test_accuracy"], abs=0.05)
    assert body["line"] is None


def test_linear_problem_one_neuron_is_enough(client):
    body, _ = _run(client, {"problem": "linear", "hidden": []}, 200)
    assert body["metrics"]["test_accuracy"] > 0.95


def test_full_batch_sgd_step_matches_hand_written_logistic_regression(client):
    """One neuron, batch = every training point: one step is w ← w − η·Xᵀ(σ(Xw + b) − y)/m."""
    settings = {"problem": "xor", "hidden": [], "learning_rate": 0.5, "points": 60, "batch_size": 30}
    start = client.post("/api/playground/train", json={"settings": settings, "steps": 0}).json()
    after = client.post("/api/playground/train", json={"settings": settings, "state": start["state"], "steps": 1}).json()
    X, y = toy.make_problem("xor", n=60, noise=0.1, seed=0)
    Xtr, _, ytr, _ = toy.split(X, y, test_fraction=0.5, seed=0)
    X64, y64 = Xtr.astype(np.float64), ytr.astype(np.float64)
    w = np.array(start["state"]["params"]["0.weight"], dtype=np.float64)[0]
    b = float(start["state"]["params"]["0.bias"][0])
    p = 1 / (1 + np.exp(-(X64 @ w + b)))
    w_ref = w - 0.5 * X64.T @ (p - y64) / len(y64)
    b_ref = b - 0.5 * np.mean(p - y64)
    assert np.array(after["state"]["params"]["0.weight"])[0] == pytest.approx(w_ref, abs=1e-5)
    assert after["state"]["params"]["0.bias"][0] == pytest.approx(b_ref, abs=1e-5)
    # the reported loss is the binary cross-entropy of the new weights, by hand
    p2 = 1 / (1 + np.exp(-(X64 @ w_ref + b_ref)))
    bce = -np.mean(y64 * np.log(p2) + (1 - y64) * np.log(1 - p2))
    assert after["metrics"]["train_loss"] == pytest.approx(bce, abs=1e-4)
    assert after["metrics"]["train_accuracy"] == pytest.approx(np.mean((p2 > 0.5) == (y64 == 1)), abs=1e-5)


def test_boundary_and_neuron_maps_match_a_numpy_forward_pass(client):
    settings = {"problem": "circle", "hidden": [3, 2], "activation": "tanh"}
    body, _ = _run(client, settings, 50)
    prm = {k: np.array(v, dtype=np.float64) for k, v in body["state"]["params"].items()}
    axis, pts = toy.grid(48, toy.PLOT_RANGE)
    h1 = np.tanh(pts @ prm["0.weight"].T + prm["0.bias"])
    h2 = np.tanh(h1 @ prm["2.weight"].T + prm["2.bias"])
    prob = 1 / (1 + np.exp(-(h2 @ prm["4.weight"].T + prm["4.bias"])))[:, 0]
    got = np.array(body["boundary"]["probability"])
    assert got.shape == (48, 48)
    assert got == pytest.approx(prob.reshape(48, 48), abs=1e-3)  # rows = x₂, columns = x₁
    assert body["boundary"]["axis"] == pytest.approx(axis, abs=1e-4)
    # each hidden neuron's map is its activation on a 16×16 grid, divided by the layer's largest |value|
    _, coarse = toy.grid(16, toy.PLOT_RANGE)
    a1 = np.tanh(coarse @ prm["0.weight"].T + prm["0.bias"])
    assert len(body["neurons"]) == 2 and [len(l) for l in body["neurons"]] == [3, 2]
    for j in range(3):
        assert body["neurons"][0][j]["scale"] == pytest.approx(np.abs(a1).max(), abs=1e-4)
        ref = a1[:, j] / np.abs(a1).max()
        assert np.array(body["neurons"][0][j]["values"]).ravel() == pytest.approx(ref, abs=0.0051)
    assert body["parameters"] == 2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1
    assert body["layers"] == [2, 3, 2, 1]


def test_state_round_trip_is_exact_however_steps_are_cut(client):
    settings = {"problem": "spiral", "hidden": [6, 6], "activation": "relu", "optimizer": "adam", "learning_rate": 0.01}
    start = client.post("/api/playground/train", json={"settings": settings, "steps": 0}).json()
    one = client.post("/api/playground/train", json={"settings": settings, "state": start["state"], "steps": 40}).json()
    two = start
    for _ in range(4):
        two = client.post("/api/playground/train", json={"settings": settings, "state": json.loads(json.dumps(two["state"])),
                                                         "steps": 10}).json()
    assert one["step"] == two["step"] == 40
    for k, v in one["state"]["params"].items():
        assert np.array(two["state"]["params"][k]) == pytest.approx(np.array(v), abs=1e-6)
    assert one["state"]["optimizer"]["step_count"] == 40


def test_history_records_each_request_and_points_are_the_data(client):
    settings = {"problem": "xor", "points": 100, "test_fraction": 0.3}
    body = client.post("/api/playground/train", json={"settings": settings, "steps": 0}).json()
    assert len(body["points"]["train"]["label"]) == 70 and len(body["points"]["test"]["label"]) == 30
    X, y = toy.make_problem("xor", n=100, noise=0.1, seed=0)
    Xtr, _, ytr, _ = toy.split(X, y, test_fraction=0.3, seed=0)
    assert body["points"]["train"]["x1"] == pytest.approx(Xtr[:, 0], abs=1e-4)
    assert body["points"]["train"]["label"] == ytr.tolist()
    for _ in range(3):
        body = client.post("/api/playground/train", json={"settings": settings, "state": body["state"], "steps": 7,
                                                          "include_points": False}).json()
    assert "points" not in body
    assert body["state"]["history"]["step"] == [0, 7, 14, 21]


def test_learning_rate_may_change_mid_run_but_not_the_network(client):
    settings = {"problem": "xor", "hidden": [4]}
    body = client.post("/api/playground/train", json={"settings": settings, "steps": 5}).json()
    ok = client.post("/api/playground/train", json={"settings": {**settings, "learning_rate": 0.03},
                                                     "state": body["state"], "steps": 5})
    assert ok.status_code == 200 and ok.json()["step"] == 10
    bad = client.post("/api/playground/train", json={"settings": {**settings, "hidden": [5]}, "state": body["state"], "steps": 5})
    assert bad.status_code == 422
    assert "different settings" in bad.json()["message"]


def test_a_too_large_learning_rate_is_reported_as_diverged(client):
    settings = {"problem": "circle", "hidden": [8, 8, 8, 8], "activation": "linear", "learning_rate": 10, "noise": 0.5}
    body = client.post("/api/playground/train", json={"settings": settings, "steps": 100}).json()
    assert body["diverged"] is True
    assert body["step"] < 100
    assert all(np.isfinite(v) for v in body["metrics"].values())
    for v in body["state"]["params"].values():
        assert np.all(np.isfinite(np.array(v, dtype=np.float64)))


@pytest.mark.parametrize("payload, message", [
    ({"steps": 101}, "steps must be ≤ 100, got 101"),
    ({"settings": {"hidden": [4, 4, 4, 4, 4]}}, "settings.hidden must have at most 4 items, got 5"),
    ({"settings": {"hidden": [9]}}, "settings.hidden[0] must be between 1 and 8 neurons, got 9"),
    ({"settings": {"hidden": [0]}}, "settings.hidden[0] must be between 1 and 8 neurons, got 0"),
    ({"settings": {"learning_rate": 0}}, "settings.learning_rate must be > 0, got 0"),
    ({"settings": {"problem": "moons"}}, "settings.problem must be one of 'linear', 'xor', 'circle', 'spiral' or 'csv', got 'moons'"),
    ({"settings": {"noise": 2}}, "settings.noise must be ≤ 0.5, got 2"),
    ({"resolution": 65}, "resolution must be ≤ 64, got 65"),
    ({"state": {"version": 99}}, "state.version must be one of 1, got 99; state.run is required, got nothing; "
                                 "state.step is required, got nothing; state.params is required, got nothing; "
                                 "state.optimizer is required, got nothing; and 1 more"),
])
def test_limits_give_422_with_expected_and_received(client, payload, message):
    r = client.post("/api/playground/train", json=payload)
    assert r.status_code == 422
    assert r.json()["message"] == message


def test_a_tampered_state_is_refused(client):
    body = client.post("/api/playground/train", json={"steps": 0}).json()
    state = body["state"]
    state["params"]["0.weight"] = [[1.0, 2.0]]  # wrong shape for a hidden layer of 4
    r = client.post("/api/playground/train", json={"state": state, "steps": 1})
    assert r.status_code == 422 and "malformed" in r.json()["message"]


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.update(step=10**30), "state.step must be ≤ 1000000000"),
    (lambda s: s.update(step=True), "step must hold numbers, got True"),
    (lambda s: s["params"].update({"0.weight": [[True, 1.0]] * 4}), "state.params.0.weight"),
    (lambda s: s["params"].update({"0.weight": [[1e39, 1.0]] * 4}), "must be ≤ 3.4e+38"),
    (lambda s: s["params"].update({"0.weight": [[0.0] * 2] * 5000}), "must have at most 8 items, got 5000"),
    (lambda s: s["params"].update({"evil": [1.0]}), "state.params.evil"),
    (lambda s: s["optimizer"].update(step_count=-1), "state.optimizer.step_count must be ≥ 0, got -1"),
    (lambda s: s["optimizer"].update(betas=[0.9, 1.5]), "state.optimizer.betas[1] must be < 1, got 1.5"),
    (lambda s: s["optimizer"].update(v=[[[-1.0, 0.0]] * 4, None, None, None]), "must be ≥ 0, got -1"),
    (lambda s: s["history"].update(step=list(range(401))), "state.history.step must have at most 400 items, got 401"),
    (lambda s: s["run"].update(seed="0" * 50_000), "state.run.seed must be a whole number, got '0000"),
])
def test_every_tampered_state_is_a_422_saying_what_was_expected(client, change, expected):
    state = client.post("/api/playground/train", json={"settings": {"optimizer": "adam"}, "steps": 1}).json()["state"]
    change(state)
    r = client.post("/api/playground/train", json={"settings": {"optimizer": "adam"}, "state": state, "steps": 1})
    assert r.status_code == 422, r.text[:300]
    assert expected in r.json()["message"] and len(r.content) < 4000


def test_lesson_settings_check_their_arguments():
    with pytest.raises(ValueError, match="hidden must have at most 4 layers, got 5"):
        lesson.Settings(hidden=(1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match=r"steps must be an int in \[0, 100\], got 101"):
        lesson.train(None, lesson.Settings(), 101)


def test_options_give_the_limits_the_request_models_enforce(client):
    o = client.get("/api/playground/options").json()
    st, req = o["settings"], o["request"]
    assert st["noise"] == {"default": 0.1, "min": 0, "max": 0.5}
    assert st["seed"] == {"default": 0, "min": 0, "max": 9999}
    assert st["learning_rate"] == {"default": 0.3, "min_exclusive": 0, "max": 10}
    assert st["hidden"]["max_items"] == lesson.MAX_HIDDEN_LAYERS
    assert st["problem"]["choices"] == list(lesson.PROBLEMS)
    assert req["steps"] == {"default": 10, "min": 0, "max": lesson.MAX_STEPS}
    assert req["resolution"] == {"default": 48, "min": 8, "max": lesson.MAX_GRID}
    assert o["max_neurons"] == lesson.MAX_NEURONS
    # each limit is the edge: on it is accepted, one past it is refused
    edge = {"settings": {"noise": st["noise"]["max"], "hidden": [o["max_neurons"]] * st["hidden"]["max_items"]},
            "steps": 1, "resolution": req["resolution"]["min"]}
    assert client.post("/api/playground/train", json=edge).status_code == 200
    for past in ({"steps": req["steps"]["max"] + 1}, {"resolution": req["resolution"]["max"] + 1},
                 {"settings": {"seed": st["seed"]["max"] + 1}}, {"settings": {"hidden": [o["max_neurons"] + 1]}}):
        assert client.post("/api/playground/train", json=past).status_code == 422, past


def test_best_line_is_what_a_slow_search_over_lines_finds(client):
    body = client.post("/api/playground/train", json={"settings": {"problem": "xor", "hidden": []}, "state": None,
                                                      "steps": 0}).json()
    data = lesson.make_data(lesson.Settings(problem="xor", hidden=()))
    X, y = data.X_train.astype(np.float64), data.y_train > 0.5
    best = 0.0
    for theta in np.arange(360) * np.pi / 360:  # the same directions, every cut tried by brute force
        p = X @ np.array([np.cos(theta), np.sin(theta)])
        for t in np.concatenate([p - 1e-9, [p.max() + 1]]):
            acc = np.mean((p > t) == y)
            best = max(best, acc, 1 - acc)
    assert body["best_line"]["train_percent"] == pytest.approx(round(100 * best, 1))
    assert 65 < body["best_line"]["train_percent"] < 80  # XOR: a line gets about 72 %, not 50 %
    linear = client.post("/api/playground/train", json={"settings": {"problem": "linear", "hidden": []}, "state": None,
                                                        "steps": 0}).json()
    assert linear["best_line"]["train_percent"] > 95


def test_divergence_without_overflow_is_reported():
    h = {"step": [0, 60], "train_loss": [0.69, 1.2], "test_loss": [0.7, 1.2], "train_accuracy": [0.5, 0.5],
         "test_accuracy": [0.5, 0.5]}
    assert lesson.loss_rose(h) == {"kind": "rose", "start": 0.69, "now": 1.2, "steps": 60}
    h["step"], h["train_loss"] = [0, 120], [0.69, 0.693]
    assert lesson.loss_rose(h)["kind"] == "stalled"
    h["train_loss"] = [0.69, 0.3]
    assert lesson.loss_rose(h) is None
    # through the API, from step 0 as the page runs it: ReLU with Adam at η = 1 on XOR stalls at chance
    settings = lesson.Settings(problem="xor", hidden=(4,), activation="relu", optimizer="adam", learning_rate=1.0)
    r = lesson.train(None, settings, steps=0)
    for _ in range(2):
        r = lesson.train(r["state"], settings, steps=100)
    assert r["loss_rose"]["kind"] in ("rose", "stalled") and r["percent"]["test_accuracy"] < 60
