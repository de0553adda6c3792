"""Saliency and Grad-CAM: hand-worked cases, a linear model, and PyTorch as the reference."""

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.explain import grad_cam, input_gradient, last_conv_index, overlay, resize_maps, saliency
from ml2dl.train import build_model


def test_saliency_of_a_linear_model_is_its_weight_map():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 5 * 5, 1, rng=1))
    w = model[1].weight.data.reshape(2, 5, 5)
    x = rng.random((3, 2, 5, 5), dtype=np.float32)
    grads = input_gradient(model, x)
    for g in grads:  # z = w·x + b, so ∂z/∂x = w whatever the image
        np.testing.assert_array_equal(g, w)
    np.testing.assert_array_equal(input_gradient(model, x, target=0)[0], -w)
    np.testing.assert_array_equal(saliency(model, x)[1], np.abs(w).max(axis=0))


def cam_model():
    """1×1 conv with filters a = (1, −1), biases (0, 1) → ReLU → global average → z = 2·m₁ + 1·m₂."""
    model = nn.Sequential(nn.Conv2d(1, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 1))
    model[0].weight.data[...] = np.array([1.0, -1.0]).reshape(2, 1, 1, 1)
    model[0].bias.data[...] = [0.0, 1.0]
    model[4].weight.data[...] = [[2.0, 1.0]]
    model[4].bias.data[...] = 0.0
    return model


def test_grad_cam_worked_by_hand():
    # A₁ = x, A₂ = 1 − x (all positive), α = (2, 1) / (h·w) = (0.5, 0.25)
    # CAM = ReLU(0.5·x + 0.25·(1 − x)) = 0.25 + 0.25·x
    x = np.array([[0.1, 0.2], [0.3, 0.4]], dtype=np.float64)[None, None]
    model = cam_model().double()
    assert last_conv_index(model) == 1  # the ReLU after the last conv, before the pooling head
    cam = grad_cam(model, x, size=False, normalize=False)
    np.testing.assert_allclose(cam[0], [[0.275, 0.300], [0.325, 0.350]], rtol=1e-12)
    np.testing.assert_allclose(grad_cam(model, x, size=False)[0], np.array([[0.275, 0.3], [0.325, 0.35]]) / 0.35,
                               rtol=1e-12)
    # for "normal" (−z) both weights are negative: no positive evidence anywhere
    np.testing.assert_array_equal(grad_cam(model, x, target=0, size=False), np.zeros((1, 2, 2)))


def test_grad_cam_shape_range_and_side_effects():
    model = build_model("strong", width=4, seed=0)
    for p in model.parameters():
        p.grad[...] = 0.5  # pretend we are in the middle of accumulating gradients
    model.train()
    x = np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32)
    for target in (0, 1):
        cams = grad_cam(model, x, target=target)
        assert cams.shape == (5, 28, 28)
        assert cams.min() >= 0 and cams.max() <= 1
    assert grad_cam(model, x[0]).shape == (1, 28, 28)  # one image (C, H, W)
    assert grad_cam(model, x, size=False).shape == (5, 7, 7)
    assert grad_cam(model, x, size=(56, 56)).shape == (5, 56, 56)
    assert saliency(model, x).shape == (5, 28, 28)
    assert model.training
    assert all(np.all(p.grad == 0.5) for p in model.parameters())


def test_grad_cam_and_saliency_match_pytorch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    model = build_model("strong", width=4, seed=1)
    for layer in model:  # batch-norm statistics as after training, not the identity
        if isinstance(layer, nn.BatchNorm2d):
            layer.running_mean = rng.normal(0, 0.1, layer.num_features).astype(np.float32)
            layer.running_var = rng.uniform(0.5, 2.0, layer.num_features).astype(np.float32)
    model.double()
    x = rng.random((3, 1, 28, 28))
    k = last_conv_index(model)

    tmodel = model.to_torch().double().eval()
    feats = {}

    def keep(module, inputs, output):
        output.retain_grad()
        feats["A"] = output

    tmodel[k].register_forward_hook(keep)
    nonzero = 0
    for target, sign in ((1, 1.0), (0, -1.0)):
        xt = torch.tensor(x, requires_grad=True)
        (sign * tmodel(xt)).sum().backward()
        A = feats["A"]
        alpha = A.grad.mean(dim=(2, 3))
        ref = torch.relu((alpha[:, :, None, None] * A).sum(dim=1)).detach()
        ours = grad_cam(model, x, target=target, size=False, normalize=False)
        np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-10, atol=1e-14)
        nonzero += int(ref.abs().max() > 0)
        up = F.interpolate(ref[:, None], size=(28, 28), mode="bilinear", align_corners=False)[:, 0]
        np.testing.assert_allclose(grad_cam(model, x, target=target, normalize=False), up.numpy(),
                                   rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(input_gradient(model, x, target=target), xt.grad.numpy(), rtol=1e-10,
                                   atol=1e-14)
    assert nonzero >= 1


def test_resize_maps_keeps_constants_and_matches_nearest_corners():
    maps = np.arange(4.0).reshape(1, 2, 2)
    big = resize_maps(maps, (4, 4))
    assert big.shape == (1, 4, 4)
    np.testing.assert_allclose(big[0, 0], [0, 0.25, 0.75, 1])  # (k + 0.5)/2 − 0.5 → 0, 0.25, 0.75, 1 (clamped)
    np.testing.assert_allclose(resize_maps(np.full((2, 3, 3), 7.0), 9), 7.0)


def test_explain_checks_its_arguments():
    linear = nn.Sequential(nn.Flatten(), nn.Linear(4, 1))
    with pytest.raises(InputError, match="no Conv2d"):
        grad_cam(linear, np.zeros((1, 1, 2, 2), np.float32))
    two = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    with pytest.raises(InputError, match="one output logit"):
        saliency(two, np.zeros((1, 1, 2, 2), np.float32))
    with pytest.raises(InputError, match=r"target \(1 = pneumonia, 0 = normal\) must be one of 1, 0; got 2"):
        saliency(linear, np.zeros((1, 1, 2, 2), np.float32), target=2)
    with pytest.raises(InputError, match=r"shape \(N, C, H, W\)"):
        saliency(linear, np.zeros((2, 2), np.float32))
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1))
    with pytest.raises(InputError, match=r"layer must be an int in \[0, 2\], got 3"):
        grad_cam(cnn, np.zeros((1, 1, 2, 2), np.float32), layer=3)
    with pytest.raises(InputError, match="model must be an nn.Sequential, got list"):
        grad_cam([cnn], np.zeros((1, 1, 2, 2), np.float32))


def test_overlay_is_the_image_where_the_heatmap_is_zero():
    img = np.linspace(0, 1, 16).reshape(4, 4)
    heat = np.zeros((4, 4))
    heat[0, 0] = 1.0
    pic = overlay(img, heat)
    assert pic.shape == (4, 4, 3) and pic.dtype == np.uint8
    np.testing.assert_array_equal(pic[1:, :, 0], np.round(255 * img[1:]).astype(np.uint8))
    assert not np.array_equal(pic[0, 0], np.round(255 * img[0, 0]).astype(np.uint8).repeat(3))
