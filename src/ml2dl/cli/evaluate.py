"""``ml2dl evaluate``: clinical metrics of a trained run on a split, and the HTML report.

Operating points are chosen on validation after training and applied unchanged here.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..checks import InputError
from .arguments import DEFAULT_OPERATING_POINT, OPERATING_POINT_NAMES
from .console import console, pct
from .runs import check_binary, check_shape, labels_of, load_data, load_run, recorded_data, resolved


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="clinical metrics of a trained run on a split, and the report")
    p.add_argument("run", help="run directory written by ml2dl train")
    p.add_argument("--data", help="data to evaluate on (default: the data the run was trained on)")
    p.add_argument("--split", default="test", choices=("test", "val", "train"), help="split (default test)")
    p.add_argument("--operating-point", default=DEFAULT_OPERATING_POINT, choices=OPERATING_POINT_NAMES,
                   help="the threshold chosen on validation to report (default screening: sensitivity ≥ 97.5%%)")
    p.add_argument("--report", help="folder for report.html and metrics.json (default RUN/eval-SPLIT)")
    p.add_argument("--no-report", action="store_true", help="only print the metrics")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def run(args) -> int:
    import numpy as np

    from .. import metrics as M
    from ..train import predict_proba

    run_dir, config, model, meta = load_run(args.run)
    spec = args.data or recorded_data(config)
    if not spec:
        raise InputError("evaluate needs --data (the run does not record its data)")
    shape = config.get("input_shape") or [None, None, None]
    same_data = args.data is None or resolved(args.data) == recorded_data(config, resolved=True)
    splits = load_data(spec, config.get("size") if same_data else shape[1])
    ds = splits[args.split]
    if ds is None:
        have = ", ".join(name for name, _ in splits.items()) or "none"
        raise InputError(f"{spec} has no {args.split} split (it has: {have})")
    check_binary(ds, spec)
    check_shape(ds, config, spec, args.split)
    y = labels_of(ds).astype(int)
    if len(np.unique(y)) < 2:
        raise InputError(f"the {args.split} split of {spec} holds one class only; AUC, sensitivity and "
                         f"specificity need both")
    scores = predict_proba(model, ds.images)

    # Operating points: chosen on validation after training, applied unchanged here.
    saved = run_dir.operating_points()
    points, chosen_on = (saved["points"], "val (after training)") if saved else (None, None)
    val_scores = None
    if splits.val is not None and args.split != "val":
        check_shape(splits.val, config, spec, "val")
        val_scores = predict_proba(model, splits.val.images)
    if points is None:
        if args.split == "val":
            points, chosen_on = M.operating_points(y, scores), "val"
        elif val_scores is not None:
            points, chosen_on = M.operating_points(labels_of(splits.val), val_scores), "val"
        else:
            raise InputError(f"no operating points: {run_dir.path} has no operating_points.json and {spec} "
                             f"has no validation split to choose them on")
    applied = M.apply_operating_points(points, y, scores)
    point = applied[args.operating_point]
    mm = M.medmnist_metrics(y, scores)
    ci = M.bootstrap_auc_ci(y, scores, n_boot=1000, rng=0)
    at_half = M.binary_metrics(y, scores, threshold=0.5)

    report_path = None
    if not args.no_report:
        report_path = _write_report(args, run_dir, config, model, ds, y, scores, splits, val_scores, points,
                                    point["threshold"], spec)

    result = {
        "run": str(run_dir.path), "data": spec, "split": args.split, "n": int(len(y)),
        "positives": int(y.sum()), "negatives": int(len(y) - y.sum()),
        "auc": mm["auc"], "auc_ci95": list(ci),
        "accuracy": mm["acc"],  # MedMNIST's convention: score > 0.5
        "operating_point": args.operating_point, "operating_point_rule": point.get("rule"),
        "threshold": point["threshold"], "sensitivity": point["sensitivity"],
        "specificity": point["specificity"], "ppv": point["ppv"], "npv": point["npv"],
        "operating_point_accuracy": point["accuracy"],
        "at_threshold_0.5": {k: at_half[k] for k in ("sensitivity", "specificity", "ppv", "npv", "f1")},
        "operating_points": applied, "operating_points_chosen_on": chosen_on,
        "best_epoch": meta.get("epoch"), "report": str(report_path) if report_path else None,
    }
    if args.json:
        from ..files import jsonable

        print(json.dumps(jsonable(result), allow_nan=False))
        return 0
    _print_evaluation(result)
    return 0


def _print_evaluation(r):
    from rich.table import Table

    out = console()
    lo, hi = r["auc_ci95"]
    out.print(f"[bold]{r['run']}[/] on the {r['split']} split of {r['data']}: n = {r['n']} "
              f"({r['positives']} positive, {r['negatives']} negative)")
    out.print(f"AUC {r['auc']:.4f} (95% CI {lo:.3f}–{hi:.3f}); accuracy at 0.5 (MedMNIST) {r['accuracy']:.4f}")
    table = Table(title=f"Operating points chosen on {r['operating_points_chosen_on'] or 'validation'}, "
                        f"applied unchanged to {r['split']}")
    for col in ("point", "threshold", "sensitivity", "specificity", "PPV", "NPV", "accuracy"):
        table.add_column(col, justify="left" if col == "point" else "right")
    for name, p in r["operating_points"].items():
        mark = " (chosen)" if name == r["operating_point"] else ""
        table.add_row(name + mark, f"{p['threshold']:.3f}", pct(p["sensitivity"]),
                      pct(p["specificity"]), pct(p["ppv"]), pct(p["npv"]), pct(p["accuracy"]))
    out.print(table)
    for name, p in r["operating_points"].items():
        out.print(f"  {name}: {p.get('rule', '')}")
    if r["report"]:
        out.print(f"Report: {r['report']}")


def _write_report(args, run_dir, config, model, ds, y, scores, splits, val_scores, points, threshold, spec):
    import numpy as np

    from ..explain import grad_cam
    from ..report import write_report

    out = Path(args.report) if args.report else run_dir.path / f"eval-{args.split}"
    wrong = np.flatnonzero((scores >= threshold) != (y == 1))
    wrong = wrong[np.argsort(-np.abs(scores[wrong] - threshold))][:24]  # the most confident mistakes first
    items = []
    if len(wrong):
        given = (scores[wrong] >= threshold).astype(int)  # explain the wrong call: what misled the model
        cams = [grad_cam(model, ds.images[i][None], target=int(t))[0] for i, t in zip(wrong, given)]
        for i, cam in zip(wrong, cams):
            img = ds.images[i]
            items.append({"image": np.clip(img.mean(axis=0), 0, 1), "heatmap": cam, "label": int(y[i]),
                          "score": float(scores[i])})
    kwargs = {}
    if args.split == "val":
        kwargs["val"] = {"y_true": y, "y_score": scores}
    else:
        if val_scores is not None:
            kwargs["val"] = {"y_true": labels_of(splits.val), "y_score": val_scores}
        kwargs["test"] = {"y_true": y, "y_score": scores}
    model_name = (config.get("model") or {}).get("name", "model")
    source = getattr(ds, "source", "") or spec
    title = f"{model_name.capitalize()} CNN (run {run_dir.path.name}) on {Path(str(spec)).name}: {args.split} split"
    return write_report(out, title=title, history=run_dir.history(), points=points, misclassified=items,
                        dataset_note=source, **kwargs)
