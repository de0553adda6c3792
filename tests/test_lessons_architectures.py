"""lessons.architectures: shapes and parameter counts against hand-worked figures and PyTorch."""

import pytest

from ml2dl.lessons import architectures


def kinds():
    return {k["key"]: k for k in architectures.architectures()["kinds"]}


def test_feed_forward_on_the_row():
    k = kinds()["tabular"]
    assert k["input"]["shape"] == [3]  # height 193, weight 224, age 27
    m = k["model"]
    assert [l["params"] for l in m["layers"]] == [3 * 16 + 16, 0, 16 + 1]
    assert m["total_params"] == 81 and m["output_shape"] == [1]


def test_cnn_on_a_chest_image_is_step_9s_network():
    m = kinds()["image"]["model"]
    assert m["input_shape"] == [1, 28, 28]
    shapes = [l["output_shape"] for l in m["layers"]]
    assert shapes == [[8, 28, 28], [8, 28, 28], [8, 14, 14], [16, 14, 14], [16, 14, 14], [16, 7, 7], [784], [1]]
    # 3·3·1·8 + 8, 3·3·8·16 + 16, 16·7·7 + 1
    assert m["total_params"] == 80 + 1168 + 785
    torch = pytest.importorskip("torch")
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(784, 1))
    assert m["total_params"] == sum(p.numel() for p in net.parameters())


def test_rnn_on_a_patient_series():
    k = kinds()["sequence"]
    assert k["input"]["shape"] == [24, 3] and k["step"] == "rnn"
    m = k["model"]
    assert m["available"] and [l["output_shape"] for l in m["layers"]] == [[16], [1]]
    # PyTorch's W_ih (16×3), W_hh (16×16), b_ih, b_hh; then the head 16 + 1
    assert [l["params"] for l in m["layers"]] == [16 * 3 + 16 * 16 + 16 + 16, 17] and m["total_params"] == 353
    torch = pytest.importorskip("torch")
    assert sum(p.numel() for p in torch.nn.RNN(3, 16, batch_first=True).parameters()) == 336
