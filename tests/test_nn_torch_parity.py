"""Forward outputs, input gradients and parameter gradients against PyTorch, in float64."""

import numpy as np
import pytest

from ml2dl import nn, optim

torch = pytest.importorskip("torch", reason="PyTorch is the reference for parity tests; not installed")

pytestmark = pytest.mark.usefixtures("engine_parts")  # sequential, and in parts on threads
RTOL, ATOL = 1e-8, 1e-10

def to_t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def compare_model(rng, model, x, *, train=True):
    """Same weights in torch via to_torch(); compare outputs, dL/dx and every parameter gradient."""
    model.double().train(train)
    tmodel = model.to_torch().train(train)
    out = model(x)
    g = rng.standard_normal(out.shape)
    model.zero_grad()
    gx = model.backward(g)
    xt = to_t(x, grad=True)
    out_t = tmodel(xt)
    out_t.backward(to_t(g))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg="forward")
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg="input gradient")
    tparams = dict(tmodel.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)
    tbuffers = dict(tmodel.named_buffers())
    for name, b in model.named_buffers():
        np.testing.assert_allclose(b, tbuffers[name].numpy(), rtol=RTOL, atol=ATOL, err_msg=name)


LAYERS = [
    (lambda: nn.Linear(5, 3, rng=0), (4, 5)),
    (lambda: nn.Linear(5, 3, bias=False, rng=0), (4, 5)),
    (lambda: nn.Conv2d(2, 3, 3, rng=0), (2, 2, 6, 7)),
    (lambda: nn.Conv2d(2, 4, 3, stride=2, padding=1, rng=0), (3, 2, 9, 8)),
    (lambda: nn.Conv2d(1, 2, (3, 2), stride=(1, 2), padding=(2, 1), rng=0), (2, 1, 5, 6)),
    (lambda: nn.Conv2d(3, 2, 5, padding=2, bias=False, rng=0), (2, 3, 7, 7)),
    (lambda: nn.Conv2d(3, 2, (3, 2), padding=(2, 0), rng=0), (2, 3, 6, 5)),  # dL/dx as a flipped convolution
    (lambda: nn.MaxPool2d(2), (2, 3, 6, 6)),
    (lambda: nn.MaxPool2d(3, stride=2), (2, 3, 7, 8)),
    (lambda: nn.MaxPool2d(2), (2, 1, 5, 5)),
    (lambda: nn.AvgPool2d(2), (2, 3, 6, 6)),
    (lambda: nn.AvgPool2d(3, stride=1), (2, 2, 5, 6)),
    (lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 5, 4)),
    (lambda: nn.AdaptiveAvgPool2d(3), (2, 3, 7, 5)),
    (lambda: nn.Flatten(), (2, 3, 2, 2)),
    (lambda: nn.Sigmoid(), (3, 4)),
    (lambda: nn.Tanh(), (3, 4)),
    (lambda: nn.ReLU(), (3, 4)),
    (lambda: nn.LeakyReLU(0.2), (3, 4)),
    (lambda: nn.Softmax(dim=1), (3, 4)),
    (lambda: nn.Identity(), (3, 4)),
    (lambda: nn.Step(), (3, 4)),
    (lambda: nn.BatchNorm1d(4), (6, 4)),
    (lambda: nn.BatchNorm1d(3), (4, 3, 5)),
    (lambda: nn.BatchNorm2d(3), (4, 3, 5, 5)),
]


@pytest.mark.parametrize("make,shape", LAYERS, ids=lambda v: repr(v()) if callable(v) else str(v))
@pytest.mark.parametrize("train", [True, False])
def test_layer_matches_torch(make, shape, train, rng):
    layer = make()
    x = rng.standard_normal(shape) * 2
    if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
        layer.double()
        layer.weight.data[:] = rng.standard_normal(layer.num_features)
        layer.bias.data[:] = rng.standard_normal(layer.num_features)
        layer.running_var[:] = 0.5 + rng.random(layer.num_features)
    compare_model(rng, nn.Sequential(layer), x, train=train)


def test_whole_models_match_torch(rng):
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1, rng=0), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, rng=1), nn.BatchNorm2d(16), nn.LeakyReLU(), nn.AvgPool2d(2),
        nn.Conv2d(16, 16, 3, stride=2, padding=1, rng=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(16, 10, rng=3), nn.Tanh(), nn.Linear(10, 1, rng=4))
    compare_model(rng, cnn, rng.standard_normal((4, 1, 16, 16)))
    mlp = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 8, rng=1), nn.Tanh(), nn.Linear(8, 1, rng=2),
                        nn.Sigmoid())
    compare_model(rng, mlp, rng.standard_normal((20, 2)))


LOSSES = [
    (lambda: nn.BCEWithLogitsLoss(), lambda: torch.nn.BCEWithLogitsLoss(), "binary"),
    (lambda: nn.BCEWithLogitsLoss(pos_weight=0.4), lambda: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(0.4, dtype=torch.float64)), "binary"),
    (lambda: nn.BCELoss(), lambda: torch.nn.BCELoss(), "prob"),
    (lambda: nn.MSELoss(), lambda: torch.nn.MSELoss(), "real"),
    (lambda: nn.CrossEntropyLoss(), lambda: torch.nn.CrossEntropyLoss(), "classes"),
    (lambda: nn.CrossEntropyLoss(weight=[0.5, 2.0, 1.0, 3.0]),
     lambda: torch.nn.CrossEntropyLoss(weight=torch.tensor([0.5, 2.0, 1.0, 3.0], dtype=torch.float64)), "classes"),
    (lambda: nn.HingeLoss(), lambda: (lambda s, y: torch.clamp(1 - (2 * y - 1) * s, min=0).mean()), "binary"),
]


@pytest.mark.parametrize("ours,theirs,kind", LOSSES)
def test_loss_matches_torch(ours, theirs, kind, rng):
    if kind == "classes":
        pred, target = rng.standard_normal((7, 4)) * 3, rng.integers(0, 4, 7)
        target_t = torch.tensor(target)
    else:
        pred = rng.standard_normal((7, 1)) * 3
        target = rng.integers(0, 2, (7, 1)).astype(np.float64) if kind != "real" else rng.standard_normal((7, 1))
        if kind == "prob":
            pred = 1 / (1 + np.exp(-pred))
        target_t = to_t(target)
    fn, ref = ours(), theirs()
    loss = fn(pred, target)
    grad = fn.backward()
    pt = to_t(pred, grad=True)
    lt = ref(pt, target_t)
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=RTOL)
    np.testing.assert_allclose(grad, pt.grad.numpy(), rtol=RTOL, atol=ATOL)


def test_bce_with_logits_is_stable_for_huge_logits():
    fn = nn.BCEWithLogitsLoss()
    pred = np.array([[1000.0], [-1000.0], [30.0]])
    target = np.array([[0.0], [1.0], [1.0]])
    ref = torch.nn.BCEWithLogitsLoss()(to_t(pred), to_t(target)).item()
    assert fn(pred, target) == pytest.approx(ref, rel=1e-12)
    assert np.all(np.isfinite(fn.backward()))


def _training_run(rng, make_opt, make_topt, steps=20, scheduler=None, tscheduler=None):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 4 * 4, 6, rng=1), nn.Tanh(), nn.Linear(6, 1, rng=2)).double()
    tmodel = model.to_torch()
    x = rng.standard_normal((16, 1, 8, 8))
    y = rng.integers(0, 2, (16, 1)).astype(np.float64)
    loss_fn, tloss = nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()
    opt, topt = make_opt(model.parameters()), make_topt(tmodel.parameters())
    sched = scheduler(opt) if scheduler else None
    tsched = tscheduler(topt) if tscheduler else None
    for _ in range(steps):
        loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        opt.step()
        opt.zero_grad()
        topt.zero_grad()
        tloss(tmodel(to_t(x)), to_t(y)).backward()
        topt.step()
        if sched:
            sched.step()
            tsched.step()
            assert opt.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)
    tparams = dict(tmodel.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.data, tparams[name].detach().numpy(), rtol=1e-8, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("kw", [dict(momentum=0.9), dict(momentum=0.9, nesterov=True, weight_decay=1e-3),
                                dict(momentum=0.0, weight_decay=0.01)])
def test_sgd_20_steps_match_torch(kw, rng):
    _training_run(rng, lambda p: optim.SGD(p, lr=0.05, **kw), lambda p: torch.optim.SGD(p, lr=0.05, **kw))


@pytest.mark.parametrize("ours,theirs,kw", [
    (optim.Adam, torch.optim.Adam, dict(lr=0.01)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=1e-2)),
    (optim.AdamW, torch.optim.AdamW, dict(lr=0.01)),
    (optim.AdamW, torch.optim.AdamW, dict(lr=0.02, weight_decay=0.1, eps=1e-6)),
])
def test_adam_20_steps_match_torch(ours, theirs, kw, rng):
    _training_run(rng, lambda p: ours(p, **kw), lambda p: theirs(p, **kw))


def test_adamw_with_one_cycle_matches_torch(rng):
    _training_run(rng, lambda p: optim.AdamW(p, lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01), steps=20,
                  scheduler=lambda o: optim.OneCycleLR(o, max_lr=0.02, total_steps=20),
                  tscheduler=lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.02, total_steps=20))


def test_sgd_with_step_and_cosine_schedules_match_torch(rng):
    _training_run(rng, lambda p: optim.SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                  scheduler=lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
                  tscheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5))
    _training_run(rng, lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1),
                  scheduler=lambda o: optim.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
                  tscheduler=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.001))


def test_default_initialisation_matches_torch_bounds():
    """PyTorch's default: weights and biases in U(−1/√fan_in, 1/√fan_in), spread over that range."""
    lin = nn.Linear(400, 300, rng=0)
    conv = nn.Conv2d(16, 32, 3, rng=0)
    for layer, fan_in in [(lin, 400), (conv, 16 * 9)]:
        bound = 1 / np.sqrt(fan_in)
        for p in (layer.weight.data, layer.bias.data):
            assert np.abs(p).max() <= bound
        assert np.std(layer.weight.data) == pytest.approx(bound / np.sqrt(3), rel=0.03)
        tl = torch.nn.Conv2d(16, 32, 3) if layer is conv else torch.nn.Linear(400, 300)
        assert np.std(tl.weight.detach().numpy()) == pytest.approx(np.std(layer.weight.data), rel=0.05)
