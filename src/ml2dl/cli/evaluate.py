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

    from ..train import evaluate

    run_dir, config, model, _ = load_run(args.run)
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
    if splits.val is not None and args.split != "val":
        check_shape(splits.val, config, spec, "val")

    # One evaluation: the printed figures, metrics.json and the report all come from it.
    # Operating points: chosen on validation after training, applied unchanged here.
    model_name = (config.get("model") or {}).get("name", "model")
    title = f"{model_name.capitalize()} CNN (run {run_dir.path.name}) on {Path(str(spec)).name}: {args.split} split"
    ev = evaluate(model, splits, split=args.split, run=run_dir, operating_point=args.operating_point,
                  title=title, dataset_note=getattr(ds, "source", "") or spec)
    if not ev.operating_points:
        raise InputError(f"no operating points: {run_dir.path} has no operating_points.json and {spec} "
                         f"has no validation split to choose them on")

    report_path = None
    if not args.no_report:
        from ..report import write_report

        out = Path(args.report) if args.report else run_dir.path / f"eval-{args.split}"
        report_path = write_report(out, ev)

    point, at_half = ev.point, ev.scores.at_half
    result = {
        "run": str(run_dir.path), "data": spec, "split": args.split, "n": ev.scores.n,
        "positives": ev.scores.n_pneumonia, "negatives": ev.scores.n_normal,
        "auc": ev.auc, "auc_ci95": list(ev.auc_ci95),
        "accuracy": ev.acc,  # MedMNIST's convention: score > 0.5
        "operating_point": ev.operating_point, "operating_point_rule": point.get("rule"),
        "threshold": point["threshold"], "sensitivity": point["sensitivity"],
        "specificity": point["specificity"], "ppv": point["ppv"], "npv": point["npv"],
        "operating_point_accuracy": point["accuracy"],
        "at_threshold_0.5": {k: at_half[k] for k in ("sensitivity", "specificity", "ppv", "npv", "f1")},
        "operating_points": ev.points, "operating_points_chosen_on": ev.points_chosen_on,
        "best_epoch": ev.best_epoch, "report": str(report_path) if report_path else None,
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
