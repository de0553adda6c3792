"""The Recipe (checked once, JSON round trip, diff for resume) and the TrainState saved whole."""

import dataclasses
import json

import numpy as np
import pytest

from ml2dl import optim
from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.train import Recipe, RunError, TrainState, build_model, fit
from ml2dl.train.recipe import FIELD_NAMES, fields_for_cli, tunable_fields


def test_defaults_are_the_recipe_of_ml2dl_train():
    r = Recipe()
    assert (r.epochs, r.batch_size, r.lr, r.optimizer, r.weight_decay, r.momentum, r.schedule) == \
        (20, 64, 3e-3, "adamw", 1e-4, 0.9, "onecycle")
    assert (r.class_weight, r.augment, r.patience, r.tolerance, r.precise_bn, r.max_seconds, r.seed) == \
        ("balanced", "default", None, 0.002, 16, None, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.lr = 1.0


@pytest.mark.parametrize("settings,message", [
    ({"epochs": 0}, "epochs must be a positive int, got 0"),
    ({"epochs": 2.0}, "epochs must be a positive int, got 2.0"),
    ({"batch_size": True}, "batch_size must be a positive int, got True"),
    ({"lr": float("nan")}, "lr must be a positive number, got nan"),
    ({"weight_decay": -1e-4}, r"weight_decay must be a number in \[0, inf\), got -0.0001"),
    ({"optimizer": "rmsprop"}, "optimizer must be one of 'adamw', 'adam', 'sgd'; got 'rmsprop'"),
    ({"schedule": "step"}, "schedule must be one of 'onecycle', 'cosine', 'constant'; got 'step'"),
    ({"class_weight": "heavy"}, "class_weight must be one of 'balanced', 'none'; got 'heavy'"),
    ({"class_weight": -2.0}, "class_weight must be a positive number, got -2.0"),
    ({"augment": {"rotation": -5}}, "augment options must be those of Augment"),
    ({"augment": 3}, "augment must be None, 'default'"),
    ({"patience": 0}, "patience must be a positive int, got 0"),
    ({"tolerance": float("inf")}, "tolerance must be a number"),
    ({"precise_bn": -1}, "precise_bn must be a positive int, got -1"),
    ({"max_seconds": 0}, "max_seconds must be a positive number, got 0"),
    ({"seed": -1}, "seed must be a non-negative int, got -1"),
])
def test_every_setting_is_checked_once_when_the_recipe_is_made(settings, message):
    with pytest.raises(InputError, match=message):
        Recipe(**settings)


def test_equivalent_spellings_are_normalised():
    assert Recipe(class_weight="none").class_weight is None
    assert Recipe(augment=False).augment is None and Recipe(augment="none").augment is None
    assert Recipe(augment=True).augment == "default"
    assert Recipe(precise_bn=0).precise_bn is None
    assert Recipe(lr=1).lr == 1.0 and isinstance(Recipe(lr=1).lr, float)
    assert Recipe(class_weight=3).class_weight == 3.0


@pytest.mark.parametrize("recipe", [
    Recipe(),
    Recipe(epochs=3, batch_size=8, lr=0.05, optimizer="sgd", weight_decay=0.0, momentum=0.0, schedule="constant",
           class_weight=None, augment=None, patience=2, tolerance=0.0, precise_bn=None, max_seconds=12.5, seed=7),
    Recipe(class_weight=2.5, augment={"rotation": 5.0, "translate": 0.05}),
])
def test_json_round_trip(recipe):
    text = recipe.to_json()
    assert set(json.loads(text)) == set(FIELD_NAMES)
    back = Recipe.from_json(text)
    assert back == recipe and back.to_json() == text


def test_from_json_refuses_what_is_not_a_recipe():
    with pytest.raises(InputError, match="JSON object"):
        Recipe.from_json("[1, 2]")
    with pytest.raises(InputError, match="JSON object"):
        Recipe.from_json("{epochs: 3")
    with pytest.raises(InputError, match="epochs must be a positive int"):
        Recipe.from_json('{"epochs": 0}')
    # keys that are not settings (pos_weight, recorded beside the recipe) are ignored
    assert Recipe.from_dict({"epochs": 3, "pos_weight": 2.0}) == Recipe(epochs=3)


def test_diff_names_each_setting_that_differs():
    a = Recipe(epochs=10, lr=1e-3)
    assert a.diff(a) == {}
    assert a.diff(Recipe(epochs=12, lr=1e-3, seed=1)) == {"epochs": (10, 12), "seed": (0, 1)}
    # against a recorded dict: only the keys it has, in the spellings of older runs
    assert a.diff({"epochs": 10, "augment": True, "class_weight": "balanced"}) == {}
    assert a.diff({"lr": 0.003, "pos_weight": 1.0}) == {"lr": (1e-3, 0.003)}


def test_replace_checks_and_refuses_unknown_settings():
    assert Recipe().replace(epochs=3) == Recipe(epochs=3)
    with pytest.raises(InputError, match="epochs must be a positive int"):
        Recipe().replace(epochs=0)
    with pytest.raises(TypeError, match="unexpected recipe setting.*epoch\\b"):
        Recipe().replace(epoch=3)


def test_the_command_line_options_are_the_recipes_fields():
    """ml2dl train and tune take one option per recipe setting, with the recipe's default in the help."""
    from ml2dl.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    for command in ("train", "tune"):
        actions = {a.dest: a for a in sub[command]._actions}
        for name, default, meta in fields_for_cli():
            action = actions[name]
            assert action.option_strings == ["--" + name.replace("_", "-")]
            assert action.default is None  # a command knows what was given
            assert meta["help"] in action.help
            shown = "none" if default is None else f"{default:g}" if isinstance(default, float) else str(default)
            assert f"(default {shown})" in action.help
            assert tuple(action.choices or ()) == tuple(meta["choices"] or ())
    tune_actions = {a.dest: a for a in sub["tune"]._actions}
    assert tune_actions["lr"].type("1e-3,3e-3") == [1e-3, 3e-3]
    assert set(tunable_fields()) == {"epochs", "batch_size", "lr", "weight_decay"}
    assert "--no-augment" in sub["train"]._option_string_actions


def test_train_state_is_saved_and_loaded_whole(tmp_path):
    model = build_model("strong", in_channels=1, image_size=16, width=2, seed=0)
    opt = optim.AdamW(model.parameters(), lr=1e-3)
    sched = optim.OneCycleLR(opt, max_lr=1e-2, total_steps=20)
    x = np.random.default_rng(0).random((8, 1, 16, 16), dtype=np.float32)
    for _ in range(3):
        model(x)
        model.backward(np.ones((8, 1), np.float32))
        opt.step()
        opt.zero_grad()
        sched.step()
    state = TrainState(epoch=2, step=3, elapsed=1.5, history=[{"epoch": 1, "val_auc": 0.5}, {"epoch": 2}],
                       best_val_auc=0.5, best_epoch=1, max_val_auc=0.5, stale=1,
                       recipe={**Recipe(epochs=4).to_dict(), "pos_weight": 1.0}).capture(model, opt, sched)
    state.save(tmp_path / "last.npz")
    back = TrainState.load(tmp_path / "last.npz")
    for f in dataclasses.fields(TrainState):
        mine, theirs = getattr(state, f.name), getattr(back, f.name)
        if f.name in ("model", "optimizer"):
            assert mine.keys() == theirs.keys()
            for k in mine:
                np.testing.assert_array_equal(mine[k], theirs[k], err_msg=k)
        else:
            assert mine == theirs, f.name
    other = build_model("strong", in_channels=1, image_size=16, width=2, seed=9)
    opt2 = optim.AdamW(other.parameters(), lr=1e-3)
    sched2 = optim.OneCycleLR(opt2, max_lr=1e-2, total_steps=20)
    back.restore(other, opt2, sched2)
    assert sched2.last_step == 3 and opt2.lr == opt.lr
    for (k, a), b in zip(model.state_dict().items(), other.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    with pytest.raises(RunError, match="does not match"):
        back.restore(build_model("lesson", in_channels=1, image_size=16, width=2, seed=0))


def test_resume_reports_which_settings_differ(tmp_path):
    data = phantom_splits(32, 16, 0, size=16, seed=0)
    model = build_model("lesson", in_channels=1, image_size=16, width=2, hidden=4, seed=0)
    fit(model, data.train, data.val, recipe=Recipe(epochs=1, batch_size=16), run_dir=tmp_path / "r")
    with pytest.raises(RunError, match=r"different recipe \(epochs 1 → 2, seed 0 → 3\)"):
        fit(model, data.train, data.val, recipe=Recipe(epochs=1, batch_size=16), epochs=2, seed=3,
            run_dir=tmp_path / "r", resume=True)
    # patience and the time budget may change on resume
    result = fit(model, data.train, data.val, recipe=Recipe(epochs=1, batch_size=16, patience=3, max_seconds=60),
                 run_dir=tmp_path / "r", resume=True)
    assert [r["epoch"] for r in result.history] == [1] and result.recipe.patience == 3


def test_an_option_given_as_its_off_value_is_still_given(tmp_path, capsys):
    """``--precise-bn 0`` turns re-estimation off (it is not "not given")."""
    from ml2dl import cli

    code = cli.main(["train", "--data", "phantom", "--size", "16", "--model", "lesson", "--width", "2", "--hidden", "4",
                     "--epochs", "1", "--batch-size", "64", "--precise-bn", "0", "--class-weight", "none",
                     "--out", str(tmp_path / "r")])
    assert code == 0, capsys.readouterr().err
    recipe = json.loads((tmp_path / "r" / "config.json").read_text())["recipe"]
    assert recipe["precise_bn"] is None and recipe["class_weight"] is None and recipe["epochs"] == 1
