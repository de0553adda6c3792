"""Step 8 API: max / average pooling against a slow obvious loop, and the size progression."""

import numpy as np
import pytest

from ml2dl.lessons.pooling import pooling, progression


def slow_pool(grid, reduce):
    n = len(grid)
    return [[reduce([grid[i + a][j + b] for a in (0, 1) for b in (0, 1)]) for j in range(0, n, 2)]
            for i in range(0, n, 2)]


@pytest.mark.parametrize("size, seed", [(4, 0), (8, 0), (10, 3), (16, 42)])
def test_pooling_matches_a_slow_loop(client, size, seed):
    r = client.post("/api/pooling", json={"size": size, "seed": seed})
    assert r.status_code == 200
    body = r.json()
    grid = body["grid"]
    assert np.array(grid).shape == (size, size)
    assert body["max"] == slow_pool(grid, max)
    assert np.allclose(body["avg"], slow_pool(grid, lambda v: sum(v) / 4))
    winners = np.array(body["winners"])
    assert winners.sum() == body["kept"] == (size // 2) ** 2
    assert body["dropped"] == size * size - body["kept"]
    for w in body["windows"]:
        r_, c_ = w["winner"]
        assert winners[r_, c_] == 1 and grid[r_][c_] == w["max"] == max(grid[a][b] for a, b in w["cells"])
        assert w["avg"] == pytest.approx(sum(grid[a][b] for a, b in w["cells"]) / 4)


def test_hand_worked_window():
    # 4×4 grid, seed 0: first window = rows 0-1, cols 0-1
    body = pooling(4, 0)
    g = body["grid"]
    first = [g[0][0], g[0][1], g[1][0], g[1][1]]
    assert body["max"][0][0] == max(first) and body["avg"][0][0] == sum(first) / 4
    assert body["windows"][0]["cells"] == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_ties_keep_the_first_maximum():
    # the engine's rule (as PyTorch): on a tie the first maximum in row-major order survives
    body = pooling(4, 0)
    for w in body["windows"]:
        values = [body["grid"][a][b] for a, b in w["cells"]]
        assert w["winner"] == w["cells"][values.index(max(values))]


def test_seed_reproduces_and_changes_the_grid(client):
    a = client.post("/api/pooling", json={"size": 8, "seed": 5}).json()["grid"]
    b = client.post("/api/pooling", json={"size": 8, "seed": 5}).json()["grid"]
    c = client.post("/api/pooling", json={"size": 8, "seed": 6}).json()["grid"]
    assert a == b and a != c
    assert all(float(v).is_integer() and 0 <= v <= 99 for row in a for v in row)


def test_progression_224_to_7(client):
    assert client.post("/api/pooling", json={}).json()["progression"] == [224, 112, 56, 28, 14, 7]
    assert progression(28) == [28, 14, 7, 3, 1]
    assert progression(7) == [7, 3, 1]


def test_matches_torch_when_installed():
    torch = pytest.importorskip("torch")
    body = pooling(12, 9)
    x = torch.tensor(body["grid"], dtype=torch.float64)[None, None]
    assert np.array_equal(torch.nn.functional.max_pool2d(x, 2)[0, 0].numpy(), body["max"])
    assert np.allclose(torch.nn.functional.avg_pool2d(x, 2)[0, 0].numpy(), body["avg"])


@pytest.mark.parametrize("body, message", [
    ({"size": 5}, "size must be even so 2×2 windows tile the grid, got 5"),
    ({"size": 18}, "size must be ≤ 16, got 18"),
    ({"size": 2}, "size must be ≥ 4, got 2"),
    ({"seed": -1}, "seed must be ≥ 0, got -1"),
    ({"start": 1}, "start must be ≥ 2, got 1"),
])
def test_limits_give_422(client, body, message):
    r = client.post("/api/pooling", json=body)
    assert r.status_code == 422
    assert r.json()["message"] == message


def test_lesson_checks_arguments():
    with pytest.raises(ValueError, match="size must be even"):
        pooling(7)
