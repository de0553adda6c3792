"""The ``ml2dl`` command: train, evaluate, predict, tune, serve, and user errors.

Commands run in-process through ``cli.main(argv)``; a subprocess only where it is the point
(the installed entry point, its exit status, signals).
"""

import contextlib
import io
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ml2dl import cli, nn
from ml2dl.checks import InputError
from ml2dl.cli.console import RichProgress
from ml2dl.data import phantom_splits
from ml2dl.train import predict_proba

ENTRY_POINT = Path(sys.executable).parent / "ml2dl"


def command():
    return [str(ENTRY_POINT)] if ENTRY_POINT.exists() else [sys.executable, "-m", "ml2dl.cli"]


def run_cli(*args, cwd, timeout=120):
    """The installed command in a subprocess."""
    return subprocess.run([*command(), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_main(*args, cwd):
    """``cli.main(argv)`` in this process, in folder ``cwd``, with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as stop:  # argparse: --help, usage errors
            code = stop.code
    return Ran(code, out.getvalue(), err.getvalue())


def write_npz(path, *, n=(160, 64, 64), size=28, seed=1, splits=("train", "val", "test")):
    data = phantom_splits(*n, size=size, seed=seed)
    arrays = {}
    for name in splits:
        ds = data[name]
        arrays[f"{name}_images"] = np.round(ds.images[:, 0] * 255).astype(np.uint8)
        arrays[f"{name}_labels"] = ds.labels[:, None].astype(np.uint8)
    np.savez(path, **arrays)
    return path


def assert_user_error(proc, *fragments):
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder with a small MedMNIST-format file and one trained run (lesson CNN, 3 epochs)."""
    root = tmp_path_factory.mktemp("cli")
    write_npz(root / "tiny.npz")
    proc = run_main("train", "--data", "tiny.npz", "--model", "lesson", "--width", "4", "--epochs", "3",
                    "--batch-size", "32", "--out", "runs/a", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root, proc


def test_help_lists_the_commands(tmp_path):
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for name in ("serve", "train", "evaluate", "predict", "tune"):
        assert name in proc.stdout


def test_train_writes_a_run(work):
    root, proc = work
    run = root / "runs" / "a"
    for name in ("config.json", "history.csv", "history.json", "best.npz", "last.npz", "operating_points.json"):
        assert (run / name).is_file(), name
    assert "Training finished" in proc.stdout and "best epoch" in proc.stdout
    assert "3 epochs × 5 batches of 32" in proc.stdout  # batches per epoch shown: ⌈160 / 32⌉
    history = json.loads((run / "history.json").read_text())
    assert [r["epoch"] for r in history] == [1, 2, 3]
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == {"name": "lesson", "options": {"width": 4}} and config["data"] == "tiny.npz"


def test_evaluate_json_matches_an_independent_computation(work):
    root, _ = work
    proc = run_main("evaluate", "runs/a", "--data", "tiny.npz", "--split", "test", "--json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    for key in ("auc", "accuracy", "n", "threshold", "sensitivity", "specificity"):
        assert key in result, key

    from sklearn.metrics import roc_auc_score as sk_auc

    with np.load(root / "tiny.npz") as f:
        x = (f["test_images"][:, None] / np.float32(255)).astype(np.float32)
        y = f["test_labels"][:, 0].astype(int)
    p = predict_proba(nn.load(root / "runs/a/best.npz"), x)
    assert result["n"] == len(y) == 64
    assert result["auc"] == pytest.approx(sk_auc(y, p), abs=1e-12)
    assert result["accuracy"] == pytest.approx(np.mean((p > 0.5) == (y == 1)), abs=1e-12)
    chosen = json.loads((root / "runs/a/operating_points.json").read_text())["points"]["screening"]
    assert result["threshold"] == pytest.approx(chosen["threshold"])  # chosen on val, applied unchanged
    called = p >= result["threshold"]
    assert result["sensitivity"] == pytest.approx(np.mean(called[y == 1]))
    assert result["specificity"] == pytest.approx(np.mean(~called[y == 0]))
    assert Path(root / result["report"]).is_file()
    # The printed figures, metrics.json and the report come from one evaluation.
    record = json.loads((Path(root / result["report"]).parent / "metrics.json").read_text())
    assert record["splits"]["test"]["auc"] == result["auc"]
    assert record["splits"]["test"]["auc_ci95"] == result["auc_ci95"]
    assert record["operating_points"]["screening"]["test"]["tp"] == result["operating_points"]["screening"]["tp"]
    _, meta = nn.load(root / "runs/a/best.npz", with_metadata=True)
    assert result["best_epoch"] == record["best_epoch"] == meta["epoch"]
    page = Path(root / result["report"]).read_text(encoding="utf-8")
    assert "<p>3 epochs in " in page and f"the checkpoint of epoch {meta['epoch']}" in page


def test_evaluate_prints_a_table_and_writes_the_report(work, tmp_path):
    root, _ = work
    proc = run_main("evaluate", "runs/a", "--split", "val", "--report", tmp_path / "rep", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "AUC" in proc.stdout and "screening (chosen)" in proc.stdout
    assert (tmp_path / "rep" / "report.html").is_file() and (tmp_path / "rep" / "metrics.json").is_file()


def test_predict_png_and_dicom_with_heatmap(work, tmp_path):
    from PIL import Image

    root, _ = work
    with np.load(root / "tiny.npz") as f:
        image = f["test_images"][0]
    Image.fromarray(image).save(tmp_path / "chest.png")
    proc = run_main("predict", "runs/a", tmp_path / "chest.png", "--heatmap", tmp_path / "cam.png", "--json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    p = predict_proba(nn.load(root / "runs/a/best.npz"), (image / np.float32(255))[None, None].astype(np.float32))
    assert out["probability"] == pytest.approx(float(p[0]), abs=1e-6)
    assert out["label"] == ("class 1" if p[0] >= out["threshold"] else "class 0")
    with Image.open(tmp_path / "cam.png") as cam:
        assert cam.size == (224, 224) and cam.mode == "RGB"

    pydicom_data = pytest.importorskip("pydicom.data")
    dcm = pydicom_data.get_testdata_file("CT_small.dcm")
    proc = run_main("predict", "runs/a", dcm, "--window", "40,400", "--method", "saliency", "--heatmap",
                    tmp_path / "ct.png", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "P(class 1) = " in proc.stdout and (tmp_path / "ct.png").is_file()


def test_user_errors_are_one_line_with_exit_status_2(work, tmp_path):
    root, _ = work
    (tmp_path / "notes.txt").write_text("not an archive")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    write_npz(tmp_path / "trainval.npz", n=(32, 16, 0), splits=("train", "val"))
    cases = [
        (("train", "--data", "missing.npz", "--out", tmp_path / "r1"), ["missing.npz"]),
        (("train", "--data", tmp_path / "notes.txt", "--out", tmp_path / "r2"), ["notes.txt"]),
        (("train", "--data", "tiny.npz", "--epochs", "0", "--out", tmp_path / "r3"), ["--epochs", "positive integer", "'0'"]),
        (("train", "--data", "tiny.npz", "--lr", "fast", "--out", tmp_path / "r4"), ["--lr", "'fast'"]),
        (("train", "--data", "tiny.npz", "--out", "runs/a"), ["already holds a run", "--resume"]),
        (("train", "--out", "runs/a", "--resume", "--lr", "0.1"), ["drop --lr"]),
        (("train", "--out", tmp_path / "nothing", "--resume"), ["cannot resume"]),
        (("evaluate", tmp_path / "no_run"), ["no run directory"]),
        (("evaluate", "runs/a", "--data", tmp_path / "trainval.npz", "--split", "test"), ["no test split"]),
        (("predict", "runs/a", tmp_path / "missing.png"), ["missing.png"]),
        (("predict", "runs/a", tmp_path / "broken.png"), ["broken.png"]),
        (("predict", "runs/a", tmp_path / "notes.txt", "--heatmap", tmp_path / "x.jpg"), []),
        (("tune", "--data", "tiny.npz", "--out", tmp_path / "t"), ["at least one list"]),
        (("serve", "--port", "70000"), ["--port"]),
        (("serve", "--workers", "0"), ["--workers", "an integer in 1–16", "'0'"]),
        (("frobnicate",), ["invalid choice"]),
    ]
    for args, fragments in cases:
        assert_user_error(run_main(*args, cwd=root), *fragments)


def test_the_entry_point_exits_2_with_one_line_on_a_user_error(work, tmp_path):
    root, _ = work
    assert_user_error(run_cli("train", "--data", "missing.npz", "--out", tmp_path / "r", cwd=root), "missing.npz")
    assert_user_error(run_cli("train", "--data", "tiny.npz", "--epochs", "0", "--out", tmp_path / "r", cwd=root),
                      "--epochs", "positive integer")


def test_input_errors_are_one_line_and_anything_else_is_a_traceback(monkeypatch, tmp_path, capsys):
    """InputError (and its subclasses) is the user's mistake: exit 2. Any other exception is a bug."""
    from ml2dl.cli import serve
    from ml2dl.data import DatasetError
    from ml2dl.nn import CheckpointError
    from ml2dl.train import RunError

    for error in (InputError, DatasetError, RunError, CheckpointError):
        assert issubclass(error, InputError) and issubclass(error, ValueError)

        def fails(args, error=error):
            raise error("what was expected, what was received\nsecond line")

        monkeypatch.setattr(serve, "run", fails)
        assert cli.main(["serve"]) == 2
        assert capsys.readouterr().err == "ml2dl serve: error: what was expected, what was received\n"
    for bug in (ValueError("not a user's mistake"), RuntimeError("a bug"), KeyError("x")):
        def fails(args, bug=bug):
            raise bug

        monkeypatch.setattr(serve, "run", fails)
        with pytest.raises(type(bug)):
            cli.main(["serve"])


def test_sigint_keeps_the_best_checkpoint_and_says_how_to_resume(work, tmp_path):
    root, _ = work
    proc = start_long_run(root, tmp_path / "int")
    try:
        wait_for_epochs(tmp_path / "int", 2, proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"ml2dl train --out {tmp_path / 'int'} --resume" in err
    nn.load(tmp_path / "int" / "best.npz")


def test_sigkill_leaves_a_loadable_checkpoint_and_resume_finishes(work, tmp_path):
    root, _ = work
    run = tmp_path / "kill"
    proc = start_long_run(root, run, epochs=40)
    try:
        wait_for_epochs(run, 3, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    model, meta = nn.load(run / "best.npz", with_metadata=True)  # intact after a kill at any instant
    assert meta["epoch"] >= 1
    done = len(json.loads((run / "history.json").read_text()))
    assert done < 40
    resumed = run_main("train", "--out", run, "--resume", cwd=root)
    assert resumed.returncode == 0, resumed.stderr
    assert "(resumed)" in resumed.stdout
    history = json.loads((run / "history.json").read_text())
    assert [r["epoch"] for r in history] == list(range(1, 41))
    assert not list(run.glob(".*.tmp"))


def start_long_run(root, out, epochs=400):
    return subprocess.Popen([*command(), "train", "--data", "tiny.npz", "--model", "lesson", "--width", "2",
                             "--hidden", "8", "--epochs", str(epochs), "--batch-size", "32", "--out", str(out)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_epochs(run, n, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        path = Path(run) / "history.json"
        if path.is_file():
            try:
                if len(json.loads(path.read_text())) >= n:
                    return
            except json.JSONDecodeError:  # never expected: writes are atomic
                raise
        if proc.poll() is not None:
            raise AssertionError(f"training ended early: {proc.stderr.read()}")
        time.sleep(0.05)
    raise AssertionError(f"no {n} epochs in {timeout} s")


def test_tune_prints_a_sorted_table_and_writes_results(work, tmp_path):
    root, _ = work
    proc = run_main("tune", "--data", "tiny.npz", "--model", "lesson", "--width", "2,4", "--lr", "0.003",
                    "--epochs", "1", "--out", tmp_path / "tune", cwd=root)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "tune" / "results.json").read_text())
    assert len(results) == 2 and sorted(r["width"] for r in results) == [2, 4]
    aucs = [r["val_auc"] for r in results]
    assert aucs == sorted(aucs, reverse=True)
    assert "Trials sorted by validation AUC" in proc.stdout
    assert (tmp_path / "tune" / "results.csv").is_file()


def test_serve_calls_the_web_app(monkeypatch, tmp_path):
    calls = []
    import ml2dl.web.app as app

    monkeypatch.setattr(app, "serve", lambda **kw: calls.append(kw))
    assert cli.main(["serve", "--port", "8123", "--no-browser"]) == 0
    defaults = {"embed_from": (), "access_code": None, "prestart": True}
    # workers=None: serve uses the usable cores
    assert calls == [{"host": "127.0.0.1", "port": 8123, "data": None, "open_browser": False, "workers": None,
                      **defaults}]
    npz = write_npz(tmp_path / "d.npz", n=(4, 2, 2))
    assert cli.main(["serve", "--data", str(npz), "--host", "0.0.0.0", "--workers", "3"]) == 0
    assert calls[-1] == {"host": "0.0.0.0", "port": 8000, "data": str(npz), "open_browser": True, "workers": 3,
                         **defaults}
    assert cli.main(["serve", "--embed-from", "https://course.example.org", "--access-code", "k7",
                     "--no-prestart", "--no-browser"]) == 0
    assert calls[-1] == {"host": "127.0.0.1", "port": 8000, "data": None, "open_browser": False, "workers": None,
                         "embed_from": ("https://course.example.org",), "access_code": "k7", "prestart": False}
    assert cli.main(["serve", "--data", str(tmp_path / "none.npz")]) == 2


def test_progress_display_on_a_terminal():
    """The rich progress bar and the epoch lines, driven by fit's events, on a fake terminal."""
    import io

    from rich.console import Console

    from ml2dl.train import TrainEvent

    buf = io.StringIO()
    progress = RichProgress(Console(file=buf, force_terminal=True, width=100), show_bar=True)
    row = {"epoch": 1, "train_loss": 0.5, "val_loss": 0.4, "val_auc": 0.91, "val_accuracy": 0.8, "lr": 1e-3,
           "epoch_seconds": 2.0, "best": True}
    progress(TrainEvent("start", 1, 2, 0, 3))
    for b in (1, 2, 3):
        progress(TrainEvent("batch", 1, 2, b, 3, loss=0.5))
    progress(TrainEvent("epoch", 1, 2, 3, 3, 0.5, 1e-3, 2.0, row))
    progress(TrainEvent("batch", 2, 2, 1, 3, loss=0.4))
    progress(TrainEvent("end", 2, 2, stopped="completed"))
    text = buf.getvalue()
    assert "epoch 1/2" in text and "0.9100" in text and "★ best" in text
