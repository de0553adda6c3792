"""Step 4 API: parameter counts, checked against the engine's own summary()."""

import pytest

from ml2dl import nn
from ml2dl.lessons.layers import HIERARCHY, layers


def engine_total(sizes):
    """Build the network with the engine and ask it: the independent reference."""
    mods = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        mods += [nn.Linear(n_in, n_out, rng=0), nn.ReLU()]
    return nn.Sequential(*mods[:-1]).summary(print_table=False).total_params


def test_the_quiz_figure_is_330(client):
    r = client.post("/api/layers", json={"sizes": [10, 10, 10, 10]})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 330 == engine_total([10, 10, 10, 10])
    assert [l["params"] for l in body["layers"]] == [110, 110, 110]
    assert body["layers"][0] == {"index": 1, "kind": "hidden", "inputs": 10, "neurons": 10,
                                 "weights": 100, "biases": 10, "params": 110}
    assert body["layers"][-1]["kind"] == "output"
    assert body["hidden_layers"] == 2


@pytest.mark.parametrize("sizes", [[2, 1], [784, 128, 64, 1], [3, 7, 5, 2, 9], [1, 1]])
def test_totals_equal_the_engine_summary(client, sizes):
    body = client.post("/api/layers", json={"sizes": sizes}).json()
    assert body["total"] == engine_total(sizes)
    for row, (n_in, n_out) in zip(body["layers"], zip(sizes[:-1], sizes[1:])):
        assert row["params"] == n_in * n_out + n_out == nn.Linear(n_in, n_out).num_parameters()


def test_hand_worked_xray_network():
    # 784·128 + 128 = 100,480; 128·64 + 64 = 8,256; 64·1 + 1 = 65 → 108,801
    assert [r["params"] for r in layers([784, 128, 64, 1])["layers"]] == [100_480, 8_256, 65]
    assert layers([784, 128, 64, 1])["total"] == 108_801


def test_hierarchy_is_pixels_to_pathology(client):
    levels = [h["level"] for h in client.post("/api/layers", json={}).json()["hierarchy"]]
    assert levels == ["pixels", "edges", "textures", "anatomy", "pathology"] == [h["level"] for h in HIERARCHY]


@pytest.mark.parametrize("sizes, message", [
    ([10], "sizes must have at least 2 items, got 1"),
    ([1] * 11, "sizes must have at most 10 items, got 11"),
    ([10, 0, 1], "sizes[1] must be between 1 and 100000, got 0"),
    ([10, 200_000], "sizes[1] must be between 1 and 100000, got 200000"),
])
def test_limits_give_422(client, sizes, message):
    r = client.post("/api/layers", json={"sizes": sizes})
    assert r.status_code == 422
    assert r.json()["message"] == message


def test_lesson_checks_arguments():
    with pytest.raises(ValueError, match=r"sizes\[0\] must be an int in \[1, 100000\], got 2.5"):
        layers([2.5, 1])
    with pytest.raises(TypeError, match="sizes must be a list of ints"):
        layers("10,10")
