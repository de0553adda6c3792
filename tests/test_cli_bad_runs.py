"""The lab answers bad run files and bombs in one line (exit 2), never with a traceback."""

import json
import shutil

import numpy as np
import pytest

from ml2dl.nn.serialization import SPEC_KEY
from test_cli import assert_user_error, run_main, write_npz
from test_data_uploads import dicom_bomb


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("badruns")
    write_npz(root / "tiny.npz", n=(64, 32, 32))
    proc = run_main("train", "--data", "tiny.npz", "--model", "lesson", "--width", "4", "--epochs", "1",
                    "--batch-size", "32", "--out", "runs/a", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root


def _copy(root, name):
    shutil.copytree(root / "runs" / "a", root / "runs" / name)
    return root / "runs" / name


@pytest.mark.parametrize("content, fragment", [
    ({"chosen_on": "val", "points": {"screening": {"threshold": "high"}}},
     "points.screening.threshold must be a number in [0, 1], got high"),
    ([1, 2, 3], 'expected an object with "points"'),
    ({"points": {"screening": {"threshold": 7}}}, "must be a number in [0, 1], got 7"),
])
def test_operating_points_with_wrong_content(run, content, fragment):
    bad = _copy(run, f"op{abs(hash(json.dumps(content))) % 10**6}")
    (bad / "operating_points.json").write_text(json.dumps(content))
    assert_user_error(run_main("predict", bad, "tiny.npz", cwd=run), "operating_points.json", fragment)
    assert_user_error(run_main("evaluate", bad, "--data", "tiny.npz", "--split", "test", cwd=run), fragment)


def test_a_checkpoint_whose_architecture_would_not_fit_in_memory(run):
    bad = _copy(run, "huge")
    with np.load(bad / "best.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    spec = json.loads(str(arrays[SPEC_KEY]))
    spec["architecture"][-1]["config"] = {"in_features": 10**7, "out_features": 10**7}
    arrays[SPEC_KEY] = np.array(json.dumps(spec))
    np.savez(bad / "best.npz", **arrays)
    assert_user_error(run_main("predict", bad, "tiny.npz", cwd=run), "would need", "GB for its weights")


def test_a_config_with_an_absurd_input_shape(run):
    bad = _copy(run, "shape")
    config = json.loads((bad / "config.json").read_text())
    config["input_shape"] = [1, 10**6, 10**6]
    (bad / "config.json").write_text(json.dumps(config))
    assert_user_error(run_main("predict", bad, "tiny.npz", cwd=run), "input_shape must be [channels 1 or 3")


def test_a_dicom_bomb_given_to_predict(run):
    (run / "bomb.dcm").write_bytes(dicom_bomb())
    assert_user_error(run_main("predict", run / "runs" / "a", "bomb.dcm", cwd=run),
                      "bomb.dcm", "pixel samples, got 180,000,000,000")
