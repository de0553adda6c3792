"""Step ``rnn``: hidden states, risk, accuracies and the gradient through time against independent references."""

import numpy as np
import pytest

from ml2dl import nn
from ml2dl.checks import InputError
from ml2dl.data import vitals
from ml2dl.lessons import rnn as lesson
from ml2dl.train import fit
from ml2dl.lessons.images import LESSON_RECIPE


def _reference_states(model, x):
    """hₜ by the formula, one step at a time, in float64."""
    r = model[0]
    w_ih, w_hh = r.weight_ih_l0.data.astype(np.float64), r.weight_hh_l0.data.astype(np.float64)
    b = (r.bias_ih_l0.data + r.bias_hh_l0.data).astype(np.float64)
    h = np.zeros((x.shape[0], w_hh.shape[0]))
    out = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w_ih.T + h @ w_hh.T + b)
        out.append(h)
    return np.stack(out, axis=1)


def test_hidden_states_and_risk_follow_the_formula(rng):
    model = lesson.sequence_model(6, seed=1)
    x = rng.standard_normal((5, 24, 3)).astype(np.float32)
    h = lesson.hidden_states(model, x)
    np.testing.assert_allclose(h, _reference_states(model, x), rtol=1e-5, atol=1e-6)
    risk = lesson.risk_over_time(model, x)
    w, b = model[1].weight.data[0].astype(np.float64), float(model[1].bias.data[0])
    np.testing.assert_allclose(risk, 1 / (1 + np.exp(-(h @ w + b))), rtol=1e-5)
    np.testing.assert_allclose(risk[:, -1], 1 / (1 + np.exp(-model(x)[:, 0])), rtol=1e-5)  # the last hour is the model's answer


def test_gradient_through_time_matches_torch_autograd(rng):
    torch = pytest.importorskip("torch")
    model = lesson.sequence_model(5, seed=2).double()
    x = rng.standard_normal((7, 24, 3))
    y = (np.arange(7) % 2).astype(np.float64)
    norms = lesson.gradient_through_time(model, x, y)
    r, head = model[0], model[1]
    t = lambda a: torch.tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    h = torch.zeros(7, 5, dtype=torch.float64, requires_grad=True)
    hs = []
    for step in range(24):
        h = torch.tanh(t(x[:, step]) @ t(r.weight_ih_l0.data).T + t(r.bias_ih_l0.data)
                       + h @ t(r.weight_hh_l0.data).T + t(r.bias_hh_l0.data))
        h.retain_grad()
        hs.append(h)
    logits = h @ t(head.weight.data).T + t(head.bias.data)
    torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], t(y)).backward()
    expected = np.array([float(torch.linalg.norm(hh.grad)) for hh in hs])
    np.testing.assert_allclose(norms, expected, rtol=1e-9)
    assert all(p.grad.max() == 0 for p in model.parameters())  # the measurement leaves no gradient behind


def _train(folder, **settings):
    checkpoints = {"rnn": folder / "rnn.npz", "last_hour": folder / "ff.npz"}
    return lesson.train(**settings, checkpoints=checkpoints), checkpoints


def test_accuracies_and_verdict_from_the_saved_networks(tmp_path):
    calls = []
    r, paths = _train(tmp_path, hidden=8, epochs=10, seed=1, progress=lambda f, msg, extra: calls.append((f, msg, extra)))
    assert r["checkpoints"] == {"rnn": "rnn.npz", "last_hour": "ff.npz"}
    rnn, ff = lesson.load_network(paths["rnn"]), lesson.load_network(paths["last_hour"])
    assert lesson.load_network(paths["rnn"]) is rnn  # read once while the file is unchanged
    val = vitals.make_patients(lesson.N_VAL, 1 + 10_000)
    xv, yv = vitals.standardise(val["values"]), val["labels"]
    rnn_acc = np.mean((rnn(xv)[:, 0] > 0) == (yv == 1))
    ff_acc = np.mean((ff(xv[:, -1])[:, 0] > 0) == (yv == 1))
    assert r["accuracy"]["rnn"] == pytest.approx(rnn_acc, abs=1e-4)
    assert r["accuracy"]["last_hour"] == pytest.approx(ff_acc, abs=1e-4)
    assert r["accuracy"]["verdict"] == lesson.verdict(rnn_acc, ff_acc)
    p = lesson.patient_view(rnn, ff, 1, 7)
    assert p["signals"][0] == [round(v, 1) for v in val["values"][7, :, 0]] and p["label"] == yv[7]
    assert len(p["hidden"]) == 8 and len(p["hidden"][0]) == 24 and len(p["risk"]) == 24
    np.testing.assert_allclose(np.array(p["hidden"]).T, _reference_states(rnn, xv[7:8])[0], atol=6e-5)
    assert p["risk_last_hour"] == pytest.approx(1 / (1 + np.exp(-float(ff(xv[7:8, -1])[0, 0]))), abs=6e-5)
    assert r["parameters"] == {"rnn": 8 * 3 + 8 * 8 + 2 * 8 + 8 + 1, "last_hour": 3 * 8 + 8 + 8 + 1}
    g = r["gradient"]["at_init"]
    assert g["hour1_over_hour24"] == pytest.approx(g["norm"][-1] / g["norm"][0], rel=1e-3)
    assert g["per_hour"] == pytest.approx(g["hour1_over_hour24"] ** (1 / 23), rel=1e-3)
    # progress after every batch: 13 batches × 10 epochs per network, rising to 1, the RNN first
    batches = -(-lesson.N_TRAIN // lesson.BATCH_SIZE) * 10
    assert len(calls) == 2 * batches
    fractions = [c[0] for c in calls]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert fractions[batches - 1] == pytest.approx(lesson.RNN_SHARE)
    assert calls[0][2]["network"] == "rnn" and calls[-1][2] == {"network": "last_hour", "epoch": 10, "loss": calls[-1][2]["loss"]}
    assert calls[-1][1] == "training the last-hour network: epoch 10/10"


def test_an_exception_in_progress_stops_training(tmp_path):
    """How a job is cancelled: progress raises, training ends, no network is saved."""
    class Stop(Exception):
        pass

    def progress(fraction, message, extra):
        if fraction > 0.3:
            raise Stop

    with pytest.raises(Stop):
        _train(tmp_path, hidden=4, epochs=5, seed=0, progress=progress)
    assert list(tmp_path.iterdir()) == []


def test_defaults_memory_matters_and_the_gradient_vanishes_at_initialisation(tmp_path):
    """The figures the page's sentences rest on, with the default settings."""
    r, _ = _train(tmp_path)
    assert r["accuracy"]["verdict"] == "better" and r["accuracy"]["rnn"] >= 0.9
    assert r["gradient"]["at_init"]["hour1_over_hour24"] < 1e-4  # about halves every hour back at initialisation
    assert r["gradient"]["at_init"]["per_hour"] < 0.7 and r["gradient"]["at_init"]["trend"] == "vanishes"


@pytest.mark.parametrize("rnn_acc, ff_acc, word", [(0.9, 0.8, "better"), (0.8, 0.9, "worse"), (0.85, 0.84, "same")])
def test_verdict(rnn_acc, ff_acc, word):
    assert lesson.verdict(rnn_acc, ff_acc) == word


def test_fit_trains_a_sequence_model():
    """fit takes (N, L, features) examples: the loss of a small RNN falls."""
    d = vitals.make_patients(64, seed=5)
    x, y = vitals.standardise(d["values"]), d["labels"].astype(np.float32)
    model = lesson.sequence_model(4, seed=0)
    result = fit(model, (x, y), None, recipe=LESSON_RECIPE.replace(epochs=6, batch_size=16, lr=0.01), threads=1)
    losses = [row["train_loss"] for row in result.history]
    assert losses[-1] < losses[0]
    with pytest.raises(InputError, match=r"examples must have shape \(N, …\)"):
        fit(model, (np.zeros(4, dtype=np.float32), np.zeros(4)), None, recipe=LESSON_RECIPE)


@pytest.mark.parametrize("kw, word", [({"hidden": 5}, "hidden"), ({"epochs": 3}, "epochs"), ({"seed": 1000}, "seed")])
def test_bad_arguments(tmp_path, kw, word):
    with pytest.raises(InputError, match=word):
        _train(tmp_path, **kw)


@pytest.mark.parametrize("seed, patient, word", [(0, 200, "patient"), (1000, 0, "seed")])
def test_bad_patient(seed, patient, word):
    model = lesson.sequence_model(4, seed=0)
    with pytest.raises(InputError, match=word):
        lesson.patient_view(model, lesson.last_hour_model(4, seed=0), seed, patient)
