"""Step 6 API: fully connected vs convolution parameter counts and the quiz."""

import pytest

from ml2dl import nn
from ml2dl.lessons.convolution import convolution, quiz


def test_28_by_28_with_32(client):
    r = client.post("/api/convolution", json={"size": 28, "neurons": 32})
    assert r.status_code == 200
    body = r.json()
    assert body["fully_connected"] == {"weights": 25_088, "biases": 32, "total": 25_120}  # 28·28·32
    assert body["convolution"] == {"weights": 288, "biases": 32, "total": 320}          # 3·3·32
    assert body["ratio"] == pytest.approx(25_088 / 288)
    assert body["pixels"] == 784


def test_counts_equal_the_engine_layers():
    body = convolution(28, 32, 3)
    assert body["fully_connected"]["total"] == nn.Linear(28 * 28, 32).num_parameters()
    assert body["convolution"]["total"] == nn.Conv2d(1, 32, 3).num_parameters()
    body = convolution(16, 5, 5)
    assert body["convolution"]["total"] == nn.Conv2d(1, 5, 5).num_parameters() == 5 * 25 + 5


def test_step5_figure_224_into_128():
    assert convolution(224, 128)["fully_connected"]["weights"] == 6_422_528


def test_series_grows_for_fully_connected_and_stays_flat_for_convolution(client):
    body = client.post("/api/convolution", json={"size": 100, "neurons": 10}).json()
    s = body["series"]
    assert 100 in s["sizes"] and s["sizes"] == sorted(s["sizes"]) and s["sizes"][0] == 8 and s["sizes"][-1] == 512
    assert s["fully_connected"] == [n * n * 10 for n in s["sizes"]]
    assert set(s["convolution"]) == {90}


def test_quiz_answers(client):
    r = client.post("/api/convolution/quiz", json={"fc_answer": 1010, "conv_answer": 100})
    assert r.status_code == 200
    body = r.json()
    assert body["fully_connected"]["answer"] == 1010 and body["fully_connected"]["correct"] is True
    assert body["convolution"]["answer"] == 100 and body["convolution"]["correct"] is True
    assert "100 × 10 weights + 10 biases = 1,010" == body["fully_connected"]["working"]
    wrong = client.post("/api/convolution/quiz", json={"fc_answer": 1000, "conv_answer": 90}).json()
    assert wrong["fully_connected"]["correct"] is False and wrong["convolution"]["correct"] is False
    blank = client.post("/api/convolution/quiz", json={}).json()
    assert blank["fully_connected"]["correct"] is None
    # the figures, independently: a 100-input, 10-neuron layer; a 3×3 conv with 10 maps on 1 channel
    assert nn.Linear(100, 10).num_parameters() == 1010 and nn.Conv2d(1, 10, 3).num_parameters() == 100


@pytest.mark.parametrize("body, message", [
    ({"size": 2}, "size must be ≥ 4, got 2"),
    ({"size": 2000}, "size must be ≤ 1024, got 2000"),
    ({"neurons": 0}, "neurons must be ≥ 1, got 0"),
    ({"kernel": 12}, "kernel must be ≤ 11, got 12"),
    ({"size": 4, "kernel": 5}, "kernel (5) must fit in the image (size 4)"),
    ({"size": 28.5}, "size must be a whole number, got 28.5"),
])
def test_limits_give_422(client, body, message):
    r = client.post("/api/convolution", json=body)
    assert r.status_code == 422
    assert r.json()["message"] == message


def test_quiz_rejects_negative_answers(client):
    r = client.post("/api/convolution/quiz", json={"fc_answer": -1})
    assert r.status_code == 422 and r.json()["message"] == "fc_answer must be ≥ 0, got -1"
    with pytest.raises(ValueError):
        quiz(fc_answer=-5)
