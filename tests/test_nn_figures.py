"""Hand-worked figures from the curriculum, summary totals, checkpoints and argument errors."""

import math

import numpy as np
import pytest

from ml2dl import nn, optim


def test_neuron_default_figures():
    """w = (0.7, −0.5), x = (0.8, 0.3), b = 0.1 → z = 0.56 − 0.15 + 0.1 = 0.51, σ(z) = 0.6248."""
    neuron = nn.Linear(2, 1).double()
    neuron.weight.data[:] = [[0.7, -0.5]]
    neuron.bias.data[:] = [0.1]
    z = neuron(np.array([[0.8, 0.3]]))
    assert z[0, 0] == pytest.approx(0.51, abs=1e-12)
    y = nn.Sigmoid()(z)[0, 0]
    assert y == pytest.approx(1 / (1 + math.exp(-0.51)), rel=1e-12)
    assert round(y, 3) == 0.625


def test_sigmoid_at_zero_is_one_half():
    assert nn.Sigmoid()(np.array([0.0]))[0] == 0.5


@pytest.mark.parametrize("probs,expected", [((0.25, 0.60, 0.15), 0.511), ((0.05, 0.90, 0.05), 0.105)])
def test_cross_entropy_worked_examples(probs, expected):
    """One example's loss is −ln p(true class); with logits = ln p the softmax gives back p."""
    logits = np.log(np.array([probs]))
    loss = nn.CrossEntropyLoss()(logits, np.array([1]))
    assert loss == pytest.approx(-math.log(probs[1]), rel=1e-12)
    assert round(loss, 3) == expected


def test_binary_cross_entropy_by_hand():
    h = np.array([[0.9], [0.2]])
    y = np.array([[1.0], [0.0]])
    assert nn.BCELoss()(h, y) == pytest.approx(-(math.log(0.9) + math.log(0.8)) / 2, rel=1e-12)


def test_330_parameter_network():
    """10 inputs, two hidden layers of 10, 10 outputs: 3 × (10·10 + 10) = 330."""
    model = nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 10))
    summary = model.summary(print_table=False)
    assert summary.total_params == 330
    assert [r["params"] for r in summary.rows] == [110, 0, 110, 0, 110]
    assert [r["output_shape"] for r in summary.rows] == [(10,)] * 5


def test_summary_of_lesson_cnn(capsys):
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(1568, 64), nn.ReLU(), nn.Linear(64, 1))
    summary = model.summary((1, 28, 28))
    printed = capsys.readouterr().out
    # 16·9+16 = 160; 32·16·9+32 = 4,640; 1568·64+64 = 100,416; 64+1 = 65
    assert summary.total_params == 160 + 4640 + 100416 + 65 == 105281
    assert [r["output_shape"] for r in summary.rows][:7] == [
        (16, 28, 28), (16, 28, 28), (16, 14, 14), (32, 14, 14), (32, 14, 14), (32, 7, 7), (1568,)]
    assert "Total parameters: 105,281" in printed
    assert "(32, 7, 7)" in printed


def test_fully_connected_vs_conv_parameter_figures():
    assert nn.Linear(224 * 224, 128, bias=False, rng=0).num_parameters() == 6_422_528
    assert nn.Linear(28 * 28, 32, bias=False, rng=0).num_parameters() == 25_088
    assert nn.Conv2d(1, 32, 3, bias=False).num_parameters() == 288
    assert nn.Linear(100, 10).num_parameters() == 1010
    assert nn.Conv2d(1, 10, 3).num_parameters() == 100


def test_seeded_layers_are_reproducible():
    a = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4, 2)).reset_parameters(7)
    b = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4, 2)).reset_parameters(7)
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p1.data, p2.data)
    assert not np.array_equal(nn.Linear(3, 3, rng=1).weight.data, nn.Linear(3, 3, rng=2).weight.data)


@pytest.mark.parametrize("scheme,expected_std", [("he", math.sqrt(2 / 500)), ("xavier", math.sqrt(2 / 800))])
def test_he_and_xavier_spread(scheme, expected_std):
    layer = nn.Linear(500, 300, init=scheme, rng=0)
    assert np.std(layer.weight.data) == pytest.approx(expected_std, rel=0.03)
    assert np.all(layer.bias.data == 0)


def test_float32_by_default_float64_when_asked():
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
    assert model[0].weight.data.dtype == np.float32
    assert model(np.ones((1, 3), dtype=np.float32)).dtype == np.float32
    model.double()
    assert model(np.ones((1, 3))).dtype == np.float64


def test_checkpoint_round_trip(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.3), nn.Linear(4 * 4 * 4, 1, rng=1))
    x = np.random.default_rng(0).random((8, 1, 8, 8), dtype=np.float32)
    model.train()
    model(x)  # moves the running statistics
    model.eval()
    path = nn.save(model, tmp_path / "m.npz", metadata={"threshold": 0.42})
    loaded, meta = nn.load(path, with_metadata=True)
    loaded.eval()
    np.testing.assert_array_equal(loaded(x), model(x))
    assert meta == {"threshold": 0.42}
    assert [type(l).__name__ for l in loaded] == [type(l).__name__ for l in model]
    assert not list(tmp_path.glob("*.tmp"))


def test_corrupt_or_foreign_checkpoint_gives_clear_error(tmp_path):
    good = nn.save(nn.Sequential(nn.Linear(2, 1)), tmp_path / "good.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:100])
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.ones(3))
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    for path in (truncated, foreign, text):
        with pytest.raises(nn.CheckpointError, match=str(path.name)):
            nn.load(path)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        nn.load(tmp_path / "missing.npz")


def test_failed_save_keeps_previous_checkpoint(tmp_path):
    path = nn.save(nn.Sequential(nn.Linear(2, 1, rng=0)), tmp_path / "m.npz")
    before = path.read_bytes()

    class Weird(nn.Module):
        pass

    with pytest.raises(TypeError):
        nn.save(nn.Sequential(Weird()), path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("make,message", [
    (lambda: nn.Conv2d(1, 8, kernel_size=0), "kernel_size must be a positive int, got 0"),
    (lambda: nn.Conv2d(1, 8, 3, stride=-1), "stride must be a positive int, got -1"),
    (lambda: nn.Conv2d(1, 8, 3, padding=-2), "padding must be a non-negative int, got -2"),
    (lambda: nn.Linear(0, 3), "in_features must be a positive int, got 0"),
    (lambda: nn.MaxPool2d(0), "kernel_size must be a positive int, got 0"),
    (lambda: nn.Dropout(1.5), r"p must be a number in \[0, 1\), got 1.5"),
    (lambda: nn.BatchNorm2d(0), "num_features must be a positive int, got 0"),
    (lambda: optim.SGD(nn.Linear(2, 1).parameters(), lr=-1), "lr must be a positive number, got -1"),
    (lambda: optim.Adam(nn.Linear(2, 1).parameters(), betas=(0.9, 1.5)), r"betas\[1\] must be a number"),
    (lambda: optim.SGD([], lr=0.1), "empty parameter list"),
])
def test_bad_arguments_say_expected_and_received(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_mismatched_layers_name_the_shapes():
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.Flatten(), nn.Linear(100, 1))
    with pytest.raises(ValueError, match=r"layer 2 .*expects input of shape \(N, 100\), got shape \(2, 6272\)"):
        model(np.zeros((2, 1, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Conv2d\(in_channels=3\) expects input of shape \(N, 3, H, W\), got shape \(2, 1, 8, 8\)"):
        nn.Conv2d(3, 4, 3)(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        nn.Conv2d(1, 1, 5)(np.zeros((1, 1, 3, 3)))


def test_wrong_target_shapes_for_losses():
    with pytest.raises(ValueError, match=r"target must have the prediction's shape \(4, 1\), got shape \(3,\)"):
        nn.BCEWithLogitsLoss()(np.zeros((4, 1)), np.zeros(3))
    with pytest.raises(ValueError, match=r"integer class targets of shape \(4,\), got shape \(4, 3\)"):
        nn.CrossEntropyLoss()(np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 3\), got values from 0 to 5"):
        nn.CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 5]))
    with pytest.raises(ValueError, match=r"HingeLoss expects targets in \{-1, \+1\} or \{0, 1\}"):
        nn.HingeLoss()(np.zeros((2, 1)), np.array([[2.0], [1.0]]))
    # an (N,) target for (N, 1) logits is accepted
    assert nn.BCEWithLogitsLoss()(np.zeros((4, 1)), np.ones(4)) == pytest.approx(math.log(2))


def test_hinge_targets_zero_one_equal_minus_one_plus_one():
    s = np.array([[0.3], [-2.0], [0.9]])
    assert nn.HingeLoss()(s, np.array([[1], [0], [0]])) == nn.HingeLoss()(s, np.array([[1], [-1], [-1]]))
    assert nn.HingeLoss()(s, np.array([[1], [-1], [-1]])) == pytest.approx((0.7 + 0 + 1.9) / 3)


def test_one_cycle_shape():
    opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    sched = optim.OneCycleLR(opt, max_lr=1.0, total_steps=100)
    lrs = [sched.lr_at(t) for t in range(100)]
    assert lrs[0] == pytest.approx(1.0 / 25)
    assert max(lrs) == pytest.approx(1.0, rel=1e-3)
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    with pytest.raises(ValueError, match="more than total_steps"):
        sched.lr_at(101)


def test_to_torch_without_torch_gives_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="to_torch\\(\\) needs PyTorch"):
        nn.Sequential(nn.Linear(2, 1)).to_torch()
