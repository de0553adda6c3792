"""Every layer and loss against central differences, in float64."""

import numpy as np
import pytest

from ml2dl import nn
from gradcheck import check_loss, check_module

pytestmark = pytest.mark.usefixtures("engine_parts")  # sequential, and in parts on threads



@pytest.mark.parametrize("n_in,n_out,bias", [(3, 2, True), (5, 7, False), (1, 1, True)])
def test_linear(n_in, n_out, bias, rng):
    check_module(nn.Linear(n_in, n_out, bias=bias, rng=0), rng.standard_normal((4, n_in)))


@pytest.mark.parametrize("cin,cout,k,stride,padding,hw", [
    (1, 2, 3, 1, 0, (6, 6)),
    (2, 3, 3, 1, 1, (5, 5)),
    (2, 2, 3, 2, 1, (7, 6)),
    (3, 2, 1, 1, 0, (4, 4)),
    (1, 2, (2, 3), (2, 1), (1, 0), (6, 7)),
    (2, 1, 5, 3, 2, (9, 8)),
    (1, 1, 4, 2, 0, (8, 8)),
])
def test_conv2d(cin, cout, k, stride, padding, hw, rng):
    conv = nn.Conv2d(cin, cout, k, stride=stride, padding=padding, rng=1)
    check_module(conv, rng.standard_normal((2, cin, *hw)))


def test_conv2d_without_bias(rng):
    check_module(nn.Conv2d(2, 2, 3, padding=1, bias=False, rng=2), rng.standard_normal((2, 2, 4, 4)))


@pytest.mark.parametrize("cls", [nn.MaxPool2d, nn.AvgPool2d])
@pytest.mark.parametrize("k,stride,hw", [(2, None, (6, 6)), (3, 2, (7, 7)), (2, 1, (5, 4)), (2, None, (5, 7)), ((2, 3), (1, 2), (6, 7))])
def test_pooling(cls, k, stride, hw, rng):
    check_module(cls(k, stride), rng.standard_normal((2, 3, *hw)))


@pytest.mark.parametrize("size", [1, 2, 3])
def test_adaptive_avg_pool(size, rng):
    check_module(nn.AdaptiveAvgPool2d(size), rng.standard_normal((2, 3, 7, 5)))


@pytest.mark.parametrize("layer", [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(0.1), nn.Identity(),
                                   nn.Softmax(dim=1), nn.Flatten()])
def test_elementwise_and_shape_layers(layer, rng):
    x = rng.standard_normal((4, 3, 2, 2))
    if isinstance(layer, (nn.ReLU, nn.LeakyReLU)):
        x = x + np.sign(x) * 0.01  # keep clear of the kink at 0
    check_module(layer, x)


def test_step_gradient_is_zero(rng):
    step = nn.Step()
    x = rng.standard_normal((3, 4))
    y = step(x)
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert np.all(step.backward(np.ones_like(x)) == 0)


def test_dropout_with_replayed_mask(rng):
    drop = nn.Dropout(0.3)
    check_module(drop, rng.standard_normal((5, 6)), reset=lambda: setattr(drop, "rng", np.random.default_rng(7)))


@pytest.mark.parametrize("layer,shape", [(nn.BatchNorm1d(3), (6, 3)), (nn.BatchNorm1d(2), (4, 2, 5)),
                                         (nn.BatchNorm2d(3), (4, 3, 3, 2))])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm(layer, shape, training, rng):
    layer.double()
    layer.weight.data[:] = rng.standard_normal((layer.num_features,))
    layer.bias.data[:] = rng.standard_normal((layer.num_features,))
    layer.running_mean[:] = rng.standard_normal((layer.num_features,))
    layer.running_var[:] = 1 + rng.random(layer.num_features)
    layer.train(training)
    check_module(layer, rng.standard_normal(shape) * 2 + 1)


def test_sequential_cnn(rng):
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, rng=0), nn.BatchNorm2d(3), nn.Tanh(), nn.AvgPool2d(2),
                          nn.Conv2d(3, 4, 3, stride=2, padding=1, rng=1), nn.Sigmoid(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(4, 2, rng=2))
    check_module(model, rng.standard_normal((3, 1, 8, 8)))


@pytest.mark.parametrize("pos_weight", [None, 2.5])
def test_bce_with_logits(pos_weight, rng):
    check_loss(nn.BCEWithLogitsLoss(pos_weight=pos_weight), rng.standard_normal((6, 1)) * 3, rng.integers(0, 2, (6, 1)))


def test_bce(rng):
    check_loss(nn.BCELoss(), rng.uniform(0.05, 0.95, (6, 1)), rng.integers(0, 2, (6, 1)))


def test_cross_entropy(rng):
    check_loss(nn.CrossEntropyLoss(), rng.standard_normal((5, 4)), rng.integers(0, 4, 5))


def test_mse(rng):
    check_loss(nn.MSELoss(), rng.standard_normal((4, 3)), rng.standard_normal((4, 3)))


@pytest.mark.parametrize("targets", [np.array([1, -1, 1, -1, 1]), np.array([1, 0, 1, 0, 0])])
def test_hinge(targets):
    scores = np.array([0.3, 0.2, 2.0, -1.5, -0.4])  # margins away from the kink at 1
    check_loss(nn.HingeLoss(), scores.reshape(-1, 1), targets.reshape(-1, 1))
