"""Tests for ml2dl.report: a self-contained HTML report and metrics.json, rendered from one Evaluation."""

import base64
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from ml2dl import metrics as M
from ml2dl import nn
from ml2dl import report as R
from ml2dl.checks import InputError
from ml2dl.data import phantom_splits
from ml2dl.report import figures
from ml2dl.train import build_model, evaluate, evaluate_scores, fit


def _scores(n, prior, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prior).astype(int)
    s = 1 / (1 + np.exp(-(1.2 * rng.normal(size=n) + 2.2 * (y - 0.45))))
    return y, s


def _misclassified(k, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:28, 0:28]
    items = []
    for i in range(k):
        image = np.clip(0.5 + 0.3 * np.sin(xx / 4 + i) + rng.normal(0, 0.05, (28, 28)), 0, 1)
        heat = None if i % 3 == 0 else rng.random((7, 7))  # a coarse Grad-CAM-like map
        items.append({"image": image, "heatmap": heat, "label": i % 2,
                      "score": 0.8 if i % 2 == 0 else 0.2})
    return items


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """A real (short) fit on phantom films: a tiny CNN, 4 epochs, its run directory.

    The seed and learning rate give a validation AUC that peaks at epoch 3 and dips at
    epoch 4 by less than the tolerance, so fit keeps epoch 4 (later epochs win ties):
    the first maximum of the validation AUC is not the checkpoint's epoch.
    """
    root = tmp_path_factory.mktemp("real")
    splits = phantom_splits(192, 96, 96, size=28, seed=1)
    model = build_model("lesson", in_channels=1, image_size=28, width=4, hidden=16, seed=0)
    result = fit(model, splits.train, splits.val, epochs=4, batch_size=32, lr=1e-2, tolerance=0.05,
                 precise_bn=None, augment=None, threads=1, run_dir=root / "run")
    ev = evaluate(result.model, splits, split="test", run=root / "run", title="Lesson CNN on phantoms")
    path = R.write_report(root / "eval", ev)
    return {"root": root, "result": result, "evaluation": ev, "html": path.read_text(encoding="utf-8"),
            "json": json.loads((root / "eval" / "metrics.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def full_report(tmp_path_factory, real_run):
    out = tmp_path_factory.mktemp("report")
    y_val, s_val = _scores(524, 0.742, 1)
    y_test, s_test = _scores(624, 0.625, 2)
    real = real_run["evaluation"]
    points = M.operating_points(y_val, s_val, sensitivity=0.95, specificity=0.95)
    ev = evaluate_scores(
        {"validation": (y_val, s_val), "test": (y_test, s_test)}, split="test",
        operating_points=points, history=real.history, best_epoch=real.best_epoch,
        misclassified=_misclassified(6), title="Small CNN <test>",
        dataset_note="PneumoniaMNIST (MedMNIST v2), CC BY 4.0.")
    path = R.write_report(out, ev)
    return {"path": path, "out": out, "points": points, "val": (y_val, s_val),
            "test": (y_test, s_test), "html": path.read_text(encoding="utf-8"), "evaluation": ev,
            "json": json.loads((out / "metrics.json").read_text(encoding="utf-8"))}


def test_writes_both_files(full_report):
    out = full_report["out"]
    assert full_report["path"] == out / "report.html"
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "report.html"]  # no temps


def test_html_embeds_png_plots(full_report):
    page = full_report["html"]
    pngs = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', page)
    # ROC, confusion matrices, scores + reliability, training curves, gallery.
    assert len(pngs) == 5
    for data, alt in pngs:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
        assert alt
    alts = " ".join(alt for _, alt in pngs)
    for word in ("ROC", "Confusion", "reliability", "Training", "misclassified"):
        assert word in alts


def test_html_is_self_contained(full_report):
    page = full_report["html"]
    assert "http://" not in page and "https://" not in page
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags
    for tag, key, value in parser.attrs:
        if key in ("src", "href"):
            assert value.startswith("data:"), (tag, key, value[:40])
    assert "url(" not in page  # no CSS fetches either


def test_metrics_json_is_strict_and_matches_metrics(full_report):
    def reject(const):
        raise AssertionError(f"non-standard JSON constant {const}")

    text = (full_report["out"] / "metrics.json").read_text(encoding="utf-8")
    record = json.loads(text, parse_constant=reject)
    y_test, s_test = full_report["test"]
    y_val, s_val = full_report["val"]
    test = record["splits"]["test"]
    assert test["auc"] == pytest.approx(M.roc_auc_score(y_test, s_test), abs=1e-12)
    assert test["auc_ci95"] == list(M.bootstrap_auc_ci(y_test, s_test, n_boot=1000, rng=0))
    assert test["auc_ci95"][0] < test["auc"] < test["auc_ci95"][1]
    assert test["acc_medmnist"] == M.medmnist_metrics(y_test, s_test)["acc"]
    assert test["ece"] == pytest.approx(M.reliability(y_test, s_test).ece)
    assert (test["n"], test["n_pneumonia"]) == (624, int(y_test.sum()))
    # Operating points: chosen on validation, applied unchanged to test.
    applied = M.apply_operating_points(full_report["points"], y_test, s_test)
    for name, point in full_report["points"].items():
        entry = record["operating_points"][name]
        assert entry["threshold"] == point["threshold"]
        assert entry["test"]["threshold"] == point["threshold"]
        assert entry["validation"]["tp"] == point["tp"]
        for key in ("tp", "fp", "tn", "fn", "sensitivity", "specificity"):
            assert entry["test"][key] == applied[name][key]
    assert record["history"] == full_report["evaluation"].history and len(record["history"]) == 4
    assert record["published_pneumoniamnist_test"]["results"][0] == \
        {"model": "ResNet-18 (28\u00d728 input)", "auc": 0.944, "acc": 0.854}


def test_html_shows_the_figures_from_metrics_json(full_report):
    page, record = full_report["html"], full_report["json"]
    for split in ("validation", "test"):
        s = record["splits"][split]
        assert f"{s['auc']:.3f}" in page
        assert f"{s['auc_ci95'][0]:.3f} \u2013 {s['auc_ci95'][1]:.3f}" in page
        assert f"{100 * s['acc_medmnist']:.1f}%" in page
    for name, entry in record["operating_points"].items():
        assert R.POINT_TITLES[name] in page
        for split in ("validation", "test"):
            p = entry[split]
            # Sensitivity and specificity with the counts behind them.
            assert f"{100 * p['sensitivity']:.1f}% ({p['tp']} of {p['tp'] + p['fn']})" in page
            assert f"{100 * p['specificity']:.1f}% ({p['tn']} of {p['tn'] + p['fp']})" in page
        t = entry["test"]
        assert f"found <span class=\"pneumonia\">{t['tp']} of {t['tp'] + t['fn']} pneumonia" \
            in page
        assert f"{entry['threshold']:.3g}" in page


def test_html_compares_with_published_figures(full_report):
    page = full_report["html"]
    for row in R.PUBLISHED_PNEUMONIAMNIST:
        assert f"<td>{row['auc']:.3f}</td><td>{row['acc']:.3f}</td>" in page
    assert "Published figures, copied (not recomputed)" in page
    assert "Yang et al." in page
    assert "This model" in page


def test_html_escapes_text_and_reads_for_clinicians(full_report):
    page = full_report["html"]
    assert "Small CNN &lt;test&gt;" in page and "<test>" not in page
    for heading in ("Summary", "How well does the score separate", "Operating points",
                    "Can the score be read as a probability", "Training",
                    "Images the model got wrong", "How to read this report", "About the data"):
        assert f"<h2>{heading}" in page


def test_points_default_to_validation_and_validation_only_is_flagged(tmp_path):
    y_val, s_val = _scores(300, 0.7, 3)
    path = R.write_report(tmp_path, evaluate_scores({"validation": (y_val, s_val)}, split="val",
                                                    title="val only"))
    page = path.read_text(encoding="utf-8")
    record = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    expected = M.operating_points(y_val, s_val)
    assert {n: p["threshold"] for n, p in record["operating_points"].items()} == \
        {n: p["threshold"] for n, p in expected.items()}
    assert record["operating_points_chosen_on"] == "val"
    assert "these figures are optimistic" in page
    assert "not comparable" in page
    assert "test" not in record["splits"]


def test_logit_scores_skip_the_reliability_diagram(tmp_path):
    y, s = _scores(200, 0.6, 4)
    logits = np.log(s / (1 - s))
    R.write_report(tmp_path, evaluate_scores({"val": (y, logits[:, None])}, split="val", title="logits"))
    record = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert record["splits"]["validation"]["ece"] is None
    assert record["splits"]["validation"]["reliability"] is None
    assert record["splits"]["validation"]["auc"] == pytest.approx(M.roc_auc_score(y, s))
    assert "not probabilities" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_overwrites_atomically_and_creates_folder(tmp_path):
    out = tmp_path / "a" / "b"
    y, s = _scores(100, 0.5, 5)
    R.write_report(out, evaluate_scores({"test": (y, s)}, split="test", title="first"))
    R.write_report(out, evaluate_scores({"test": (y, s)}, split="test", title="second"))
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "second" in page and "No operating points" in page
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "report.html"]


def test_write_report_takes_an_evaluation_and_writes_nothing_otherwise(tmp_path):
    with pytest.raises(InputError, match="evaluation must be an ml2dl.train.Evaluation"):
        R.write_report(tmp_path, {"y_true": [0, 1], "y_score": [0.2, 0.8]})
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_one_class_validation_still_writes_a_report(tmp_path):
    y_test, s_test = _scores(120, 0.6, 6)
    with pytest.warns(M.UndefinedMetricWarning):
        ev = evaluate_scores({"validation": (np.ones(20, int), np.linspace(0, 1, 20)),
                              "test": (y_test, s_test)}, split="test", title="degenerate")
        R.write_report(tmp_path, ev)
    record = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert record["splits"]["validation"]["auc"] is None  # NaN → null in strict JSON
    assert record["operating_points"]["screening"]["threshold"] is None
    assert record["splits"]["test"]["auc"] == pytest.approx(M.roc_auc_score(y_test, s_test))


# --------------------------------------------------------------------------- #
# The report of a real fit: the epoch-time line and the checkpoint's epoch
# --------------------------------------------------------------------------- #


def test_real_run_report_shows_epochs_and_training_time(real_run):
    history = json.loads((real_run["root"] / "run" / "history.json").read_text(encoding="utf-8"))
    assert len(history) == 4 and all("epoch_seconds" in row for row in history)
    total = sum(row["epoch_seconds"] for row in history)  # fit's own per-epoch clock
    expected = f"{total:.1f} seconds" if total < 60 else f"{total / 60:.1f} minutes"
    assert f"<p>4 epochs in {expected}." in real_run["html"]
    assert real_run["json"]["history"] == history


def test_real_run_report_marks_the_checkpoints_epoch(real_run):
    run = real_run["root"] / "run"
    _, meta = nn.load(run / "best.npz", with_metadata=True)
    history = real_run["evaluation"].history
    aucs = [row["val_auc"] for row in history]
    first_max = history[int(np.argmax(aucs))]["epoch"]
    # The case the old report got wrong: fit kept a later epoch within its tolerance.
    assert meta["epoch"] == real_run["result"].best_epoch != first_max, \
        "this fit no longer exercises the tie rule; choose another seed for real_run"
    ev = real_run["evaluation"]
    assert ev.best_epoch == meta["epoch"]
    assert real_run["json"]["best_epoch"] == meta["epoch"]
    assert f"the checkpoint of epoch {meta['epoch']}" in real_run["html"]
    fig = figures.history_figure(history, ev.best_epoch)
    marks = {line.get_xdata()[0] for ax in fig.axes for line in ax.get_lines()
             if line.get_label().startswith("best epoch")}
    assert marks == {meta["epoch"]}


def test_real_run_report_shows_grad_cam_of_the_mistakes(real_run):
    ev = real_run["evaluation"]
    assert 0 < len(ev.misclassified) <= 24
    assert all(m.heatmap is not None and m.heatmap.shape == (28, 28) for m in ev.misclassified)
    assert "Gallery of misclassified images" in real_run["html"]
    assert real_run["json"]["misclassified_shown"] == len(ev.misclassified)
    t = ev.point["threshold"]
    total = int(np.sum((ev.y_score >= t) != (ev.y_true == 1)))  # counted here, independently
    assert real_run["json"]["misclassified_total"] == total
    assert f"The {len(ev.misclassified)} most confident of {total} misclassified images" in real_run["html"]
