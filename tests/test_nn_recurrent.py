"""nn.RNN: gradient check (float64 central differences), PyTorch parity, save/load, to_torch, errors."""

import numpy as np
import pytest

from ml2dl import nn, optim
from ml2dl.checks import InputError

from gradcheck import numerical_grad


def _scalar_of(layer, x, g_out, g_h=None, hx=None):
    """F = Σ output ⊙ G (+ Σ h_n ⊙ G_h): a scalar whose gradient is backward(G, G_h)."""
    out = layer(x, hx)
    if layer.returns == "pair":
        output, h_n = out
        return float(np.sum(output * g_out) + np.sum(h_n * g_h))
    return float(np.sum(out * g_out))


@pytest.mark.parametrize("kw", [
    dict(),
    dict(batch_first=True),
    dict(nonlinearity="relu", batch_first=True, returns="sequence"),
    dict(bias=False, returns="last", batch_first=True),
    dict(returns="last"),
])
def test_gradients_match_central_differences(kw, rng):
    layer = nn.RNN(3, 4, rng=1, **kw).double()
    shape = (2, 5, 3) if kw.get("batch_first") else (5, 2, 3)
    x = rng.standard_normal(shape)
    hx = rng.standard_normal((1, 2, 4)) * 0.5
    out = layer(x, hx)
    g_out = rng.standard_normal((out[0] if layer.returns == "pair" else out).shape)
    g_h = rng.standard_normal((1, 2, 4)) if layer.returns == "pair" else None
    layer.zero_grad()
    gx = layer.backward(g_out, g_h) if g_h is not None else layer.backward(g_out)
    f = lambda: _scalar_of(layer, x, g_out, g_h, hx)  # noqa: E731
    idx, num = numerical_grad(f, x, rng=rng)
    np.testing.assert_allclose(gx.reshape(-1)[idx], num, rtol=1e-6, atol=1e-8, err_msg="input")
    gh0 = layer.hx_grad.copy()
    idx, num = numerical_grad(f, hx, rng=rng)
    np.testing.assert_allclose(gh0.reshape(-1)[idx], num, rtol=1e-6, atol=1e-8, err_msg="hx")
    names = [n for n, _ in layer.named_parameters()]
    assert names == (["weight_ih_l0", "weight_hh_l0"] if kw.get("bias") is False else
                     ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"])
    for name, p in layer.named_parameters():
        analytic = p.grad.copy()
        idx, num = numerical_grad(f, p.data, rng=rng)
        np.testing.assert_allclose(analytic.reshape(-1)[idx], num, rtol=1e-6, atol=1e-8, err_msg=name)


def test_hidden_grad_is_dloss_dh_t(rng):
    """hidden_grad[t] = dL/dhₜ: perturbing hₜ (through its bias-free pre-activation) agrees."""
    layer = nn.RNN(2, 3, batch_first=True, returns="last", rng=0).double()
    x = rng.standard_normal((1, 6, 2))
    layer(x)
    layer.backward(np.ones((1, 3)))
    gamma = layer.hidden_grad  # (1, 6, 3)
    assert gamma.shape == (1, 6, 3)
    np.testing.assert_allclose(gamma[0, -1], 1.0)  # the last step gets the output gradient only
    # one step back: γ₄ = δ₅ W_hh with δ₅ = γ₅ ⊙ (1 − h₅²)
    h = layer._h[0]
    np.testing.assert_allclose(gamma[0, -2], (gamma[0, -1] * (1 - h[-1] ** 2)) @ layer.weight_hh_l0.data)


@pytest.fixture
def torch():
    """PyTorch, the reference of the parity tests (they are skipped without it; the others run)."""
    return pytest.importorskip("torch", reason="PyTorch is the reference for parity tests; not installed")


def _torch_rnn(torch, layer):
    t = torch.nn.RNN(layer.input_size, layer.hidden_size, nonlinearity=layer.nonlinearity,
                     bias=layer.bias_ih_l0 is not None, batch_first=layer.batch_first).double()
    with torch.no_grad():
        for name, p in layer.named_parameters():
            getattr(t, name).copy_(torch.from_numpy(p.data))
    return t


@pytest.mark.parametrize("kw", [dict(), dict(batch_first=True), dict(nonlinearity="relu"), dict(bias=False)])
def test_forward_and_every_gradient_match_torch(kw, rng, torch):
    layer = nn.RNN(4, 5, rng=2, **kw).double()
    t = _torch_rnn(torch, layer)
    shape = (3, 7, 4) if layer.batch_first else (7, 3, 4)
    x = rng.standard_normal(shape)
    hx = rng.standard_normal((1, 3, 5))
    output, h_n = layer(x, hx)
    xt = torch.tensor(x, requires_grad=True)
    hxt = torch.tensor(hx, requires_grad=True)
    out_t, h_t = t(xt, hxt)
    np.testing.assert_allclose(output, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_n, h_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    g, gh = rng.standard_normal(output.shape), rng.standard_normal(h_n.shape)
    gx = layer.backward(g, gh)
    torch.autograd.backward([out_t, h_t], [torch.tensor(g), torch.tensor(gh)])
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(layer.hx_grad, hxt.grad.numpy(), rtol=1e-9, atol=1e-11)
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad, getattr(t, name).grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)


def test_default_init_bounds_and_hx_none_match_torch(rng, torch):
    layer = nn.RNN(3, 16, rng=0)
    for p in layer.parameters():
        assert np.abs(p.data).max() <= 1 / 4 and np.abs(p.data).max() > 0.2  # U(−1/√16, 1/√16)
    t = _torch_rnn(torch, layer.double())
    x = rng.standard_normal((4, 2, 3))
    out, h_n = layer(x)
    out_t, h_t = t(torch.tensor(x))
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_adam_steps_of_a_sequence_classifier_match_torch(rng, torch):
    """RNN(returns='last') → Linear in a Sequential, BCE-with-logits, 8 Adam steps: same weights as torch."""
    model = nn.Sequential(nn.RNN(3, 6, batch_first=True, returns="last", rng=0), nn.Linear(6, 1, rng=1)).double()
    tmodel = model.to_torch()
    assert isinstance(tmodel[0], torch.nn.RNN)
    opt = optim.Adam(model.parameters(), lr=0.02)
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.02)
    loss_fn, tloss = nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()
    for step in range(8):
        x = rng.standard_normal((5, 9, 3))
        y = (rng.random((5, 1)) > 0.5).astype(np.float64)
        loss = loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        opt.step()
        opt.zero_grad()
        lt = tloss(tmodel(torch.tensor(x)), torch.tensor(y))
        topt.zero_grad()
        lt.backward()
        topt.step()
        assert loss == pytest.approx(lt.item(), rel=1e-9), step
    tparams = dict(tmodel.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.data, tparams[name].detach().numpy(), rtol=1e-8, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("returns", ["pair", "sequence", "last"])
def test_to_torch_gives_the_same_outputs(returns, rng, torch):
    model = nn.Sequential(nn.RNN(2, 4, returns=returns, nonlinearity="relu", rng=3)).double()
    tmodel = model.to_torch()
    x = rng.standard_normal((6, 3, 2))
    ours, theirs = model(x), tmodel(torch.tensor(x))
    if returns == "pair":
        np.testing.assert_allclose(ours[0], theirs[0].detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours[1], theirs[1].detach().numpy(), rtol=1e-12)
    else:
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12)


def test_save_load_round_trip(tmp_path, rng):
    model = nn.Sequential(nn.RNN(3, 5, nonlinearity="relu", batch_first=True, returns="last", rng=4),
                          nn.Linear(5, 1, rng=5))
    path = nn.save(model, tmp_path / "rnn.npz")
    again = nn.load(path)
    assert again[0].config() == {"input_size": 3, "hidden_size": 5, "nonlinearity": "relu",
                                 "batch_first": True, "returns": "last"}
    x = rng.standard_normal((4, 8, 3)).astype(np.float32)
    np.testing.assert_array_equal(model(x), again(x))
    assert model.summary((8, 3), print_table=False).rows[0]["output_shape"] == (5,)


def test_a_checkpoint_counts_the_rnns_weights_before_allocating():
    from ml2dl.nn.serialization import weight_count

    model = nn.Sequential(nn.RNN(3, 5, returns="last"), nn.Linear(5, 1))
    assert weight_count(nn.architecture(model)) == model.num_parameters() == 5 * 3 + 5 * 5 + 2 * 5 + 6
    with pytest.raises(nn.CheckpointError, match="would need"):
        nn.build([{"type": "RNN", "config": {"input_size": 3, "hidden_size": 10**7}}])


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(InputError, match="num_layers=1"):
        nn.RNN(3, 4, num_layers=2)
    with pytest.raises(InputError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(InputError, match="returns"):
        nn.RNN(3, 4, returns="all")
    layer = nn.RNN(3, 4)
    with pytest.raises(InputError, match=r"\(L, N, I\)"):
        layer(np.zeros((5, 3)))
    with pytest.raises(InputError, match="3 features per step"):
        layer(np.zeros((5, 2, 4)))
    with pytest.raises(InputError, match=r"hx must have shape \(1, 2, 4\)"):
        layer(np.zeros((5, 2, 3)), np.zeros((2, 4)))
