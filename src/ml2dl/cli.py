"""The ``ml2dl`` command: the module (``serve``) and the lab (``train``, ``evaluate``, ``predict``, ``tune``).

::

    ml2dl serve [--host 127.0.0.1] [--port 8000] [--data file.npz] [--no-browser]
    ml2dl train --data pneumoniamnist_trainval.npz --model strong --out runs/cnn
    ml2dl train --out runs/cnn --resume
    ml2dl evaluate runs/cnn --data pneumoniamnist.npz --split test [--json]
    ml2dl predict runs/cnn chest.png [--heatmap chest_cam.png]
    ml2dl tune --data pneumoniamnist_trainval.npz --lr 1e-3,3e-3 --width 8,16 --out runs/tune

A mistake of the user's (a missing file, bad data, a bad option) prints one line on
stderr and exits with status 2 — never a traceback. Ctrl-C during training keeps the
best checkpoint and prints how to resume (status 130).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
OPERATING_POINT_NAMES = ("screening", "balanced", "high_specificity")
DEFAULT_OPERATING_POINT = "screening"


class UserError(Exception):
    """A problem with what the user asked for; shown as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line (and exits 2)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------
def _checked(convert, ok, expected: str, name: str):
    """An argparse ``type``: convert the text, check it, or say what was expected and received."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    parse.__name__ = name  # argparse names the type in its messages
    return parse


_positive_int = _checked(int, lambda v: v > 0, "a positive integer", "positive int")
_non_negative_int = _checked(int, lambda v: v >= 0, "a non-negative integer", "non-negative int")
_positive_float = _checked(float, lambda v: math.isfinite(v) and v > 0, "a positive number", "positive number")
_non_negative_float = _checked(float, lambda v: math.isfinite(v) and v >= 0, "a number ≥ 0", "number ≥ 0")
_fraction = _checked(float, lambda v: 0 <= v < 1, "a number in [0, 1)", "fraction")
_port = _checked(int, lambda v: 0 < v < 65536, "a port number 1–65535", "port")


def _list_of(kind):
    def parse(text):
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
        return [kind(t) for t in items]

    parse.__name__ = f"list of {kind.__name__}"
    return parse


def _window(text):
    parts = text.replace(":", ",").split(",")
    try:
        centre, width = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected CENTRE,WIDTH such as 40,400, got {text!r}") from None
    if width <= 0:
        raise argparse.ArgumentTypeError(f"the window width must be positive, got {text!r}")
    return centre, width


# Recipe options of `train` and `tune`: flag → (fit keyword, type, help).
_RECIPE_OPTIONS = {
    "--epochs": ("epochs", _positive_int, "passes over the training set"),
    "--batch-size": ("batch_size", _positive_int, "images per gradient step"),
    "--lr": ("lr", _positive_float, "learning rate (the peak of the one-cycle schedule)"),
    "--optimizer": ("optimizer", str, "adamw, adam or sgd"),
    "--weight-decay": ("weight_decay", _non_negative_float, "L2 pull of the weights towards 0"),
    "--schedule": ("schedule", str, "onecycle, cosine or constant"),
    "--class-weight": ("class_weight", str, "balanced (weigh pneumonia by n_normal/n_pneumonia) or none"),
    "--patience": ("patience", _positive_int, "stop after N epochs without a better validation AUC"),
    "--max-seconds": ("max_seconds", _positive_float, "time budget: the schedule is fitted to it"),
    "--seed": ("seed", _non_negative_int, "seed of initial weights, shuffling, augmentation, dropout"),
}
_MODEL_OPTIONS = {
    "--width": ("width", _positive_int, "channels of the first conv layer (the others scale with it)"),
    "--dropout": ("dropout", _fraction, "dropout before the last layer (strong model)"),
    "--hidden": ("hidden", _positive_int, "neurons of the dense layer (lesson model)"),
}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(prog="ml2dl", description="From one neuron to a CNN that reads chest X-rays: "
                     "the interactive module and the lab.")
    parser.add_argument("--version", action="version", version=f"ml2dl {__version__}")
    parser.add_argument("--threads", type=_positive_int,
                        help="cores the engine may use (default: all usable cores, at most 8)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("serve", help="start the interactive module in the browser")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    p.add_argument("--data", help="a MedMNIST .npz of real images to use in the module")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")

    p = sub.add_parser("train", help="train a CNN; keeps the best checkpoint by validation AUC")
    p.add_argument("--data", help="a MedMNIST .npz path, a MedMNIST name (pneumoniamnist), "
                                  "an image folder, or 'phantom'")
    p.add_argument("--size", type=_positive_int, help="resize images to SIZE×SIZE (a MedMNIST name: "
                                                          "28, 64, 128 or 224)")
    p.add_argument("--model", choices=("strong", "lesson"), help="architecture (default strong)")
    for flag, (dest, kind, text) in {**_MODEL_OPTIONS, **_RECIPE_OPTIONS}.items():
        p.add_argument(flag, dest=dest, type=kind, help=text)
    p.add_argument("--no-augment", action="store_true", help="train without random affine augmentation")
    p.add_argument("--out", required=True, help="run directory (checkpoint, config, history)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last epoch")
    p.add_argument("--overwrite", action="store_true", help="replace a previous run in --out")

    p = sub.add_parser("evaluate", help="clinical metrics of a trained run on a split, and the report")
    p.add_argument("run", help="run directory written by ml2dl train")
    p.add_argument("--data", help="data to evaluate on (default: the data the run was trained on)")
    p.add_argument("--split", default="test", choices=("test", "val", "train"), help="split (default test)")
    p.add_argument("--operating-point", default=DEFAULT_OPERATING_POINT, choices=OPERATING_POINT_NAMES,
                   help="the threshold chosen on validation to report (default screening: sensitivity ≥ 97.5%%)")
    p.add_argument("--report", help="folder for report.html and metrics.json (default RUN/eval-SPLIT)")
    p.add_argument("--no-report", action="store_true", help="only print the metrics")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    p = sub.add_parser("predict", help="probability of pneumonia for images (PNG, JPEG, DICOM)")
    p.add_argument("run", help="run directory written by ml2dl train")
    p.add_argument("images", nargs="+", help="image files")
    p.add_argument("--heatmap", help="write a Grad-CAM overlay PNG here (with several images: "
                                     "one file per image, named after it)")
    p.add_argument("--method", default="gradcam", choices=("gradcam", "saliency"), help="heatmap method")
    p.add_argument("--operating-point", default=DEFAULT_OPERATING_POINT, choices=OPERATING_POINT_NAMES)
    p.add_argument("--window", type=_window, help="DICOM window CENTRE,WIDTH (default: the file's)")
    p.add_argument("--json", action="store_true", help="print one JSON object per image")

    p = sub.add_parser("tune", help="grid or random search; a table sorted by validation AUC")
    p.add_argument("--data", required=True, help="as for train")
    p.add_argument("--model", choices=("strong", "lesson"), default="strong")
    p.add_argument("--search", choices=("grid", "random"), default="grid")
    p.add_argument("--trials", type=_positive_int, help="random search: number of settings to try")
    p.add_argument("--lr", type=_list_of(_positive_float), help="values to try, e.g. 1e-3,3e-3")
    p.add_argument("--width", type=_list_of(_positive_int))
    p.add_argument("--dropout", type=_list_of(_fraction))
    p.add_argument("--weight-decay", dest="weight_decay", type=_list_of(_non_negative_float))
    p.add_argument("--epochs", type=_list_of(_positive_int))
    p.add_argument("--max-seconds", dest="max_seconds", type=_positive_float, help="time budget of each trial")
    p.add_argument("--seed", type=_non_negative_int, default=0)
    p.add_argument("--out", required=True, help="folder for the trials' runs and results.csv")
    p.add_argument("--overwrite", action="store_true")
    return parser


# --------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------
def _console(stderr: bool = False):
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 120  # a log file or a pipe: no terminal width to fit, keep tables whole
    return console


def _load_data(spec: str, size: int | None = None):
    from .data import load_dataset

    return load_dataset(spec, **({"size": int(size)} if size else {}))


def _data_summary(name, ds):
    y = ds.labels.reshape(len(ds.labels), -1)[:, 0]
    pos = int((y == 1).sum())
    return f"{name} {len(y)} ({pos} {_positive_name(ds)}, {len(y) - pos} {_negative_name(ds)})"


def _positive_name(ds):
    names = getattr(ds, "class_names", None) or ()
    return names[1] if len(names) > 1 else "positive"


def _negative_name(ds):
    names = getattr(ds, "class_names", None) or ()
    return names[0] if names else "negative"


def _check_binary(ds, spec):
    task = getattr(ds, "task", "binary-class")
    names = getattr(ds, "class_names", ()) or ()
    if task == "multi-label" or len(names) > 2:
        raise UserError(f"{spec} is a {task} data set with {len(names)} classes; the lab trains binary "
                        f"classifiers (such as normal vs pneumonia)")


class RichProgress:
    """A :class:`ml2dl.train.TrainEvent` callback: a progress bar per epoch and a line per epoch."""

    def __init__(self, console, *, show_bar: bool = True):
        self.console = console
        self.show_bar = show_bar
        self.progress = None
        self.task = None

    def __call__(self, e):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if e.stage == "start":
            self.console.print(f"{'epoch':>5}  {'train loss':>10}  {'val loss':>8}  {'val AUC':>7}  "
                               f"{'val acc':>7}  {'lr':>8}  {'time':>6}")
            if self.show_bar:
                self.progress = Progress(TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"),
                                         BarColumn(), MofNCompleteColumn(), TextColumn("batches"),
                                         TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(),
                                         console=self.console, transient=True)
                self.progress.start()
                self.task = self.progress.add_task("train", total=e.batches, epoch=e.epoch, epochs=e.epochs,
                                                   loss="-")
        elif e.stage == "batch" and self.progress is not None:
            self.progress.update(self.task, completed=e.batch, epoch=e.epoch, loss=f"{e.loss:.4f}")
        elif e.stage == "epoch":
            r = e.row
            line = (f"{r['epoch']:>5}  {r['train_loss']:>10.4f}  {_fmt(r.get('val_loss'), 8, 4)}  "
                    f"{_fmt(r.get('val_auc'), 7, 4)}  {_fmt(r.get('val_accuracy'), 7, 4)}  {r['lr']:>8.2e}  "
                    f"{r['epoch_seconds']:>5.1f}s" + ("  ★ best" if r.get("best") else ""))
            if self.progress is not None:
                self.progress.console.print(line)
                self.progress.reset(self.task, total=e.batches, epoch=min(e.epoch + 1, e.epochs), epochs=e.epochs,
                                    loss="-")
            else:
                self.console.print(line)
        elif e.stage == "end":
            self.close()

    def close(self):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _fmt(value, width, digits):
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


# --------------------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------------------
def cmd_train(args) -> int:
    from . import train as T

    out = Path(args.out)
    console = _console()
    model_options = {k: getattr(args, k) for _, (k, _, _) in _MODEL_OPTIONS.items()}
    recipe = {k: getattr(args, k) for _, (k, _, _) in _RECIPE_OPTIONS.items()}
    if args.resume:
        given = [flag for flag, (k, _, _) in {**_MODEL_OPTIONS, **_RECIPE_OPTIONS}.items()
                 if getattr(args, k) is not None and k != "max_seconds"]
        given += [f for f, v in (("--data", args.data), ("--model", args.model), ("--no-augment", args.no_augment),
                                 ("--overwrite", args.overwrite)) if v]
        if given:
            raise UserError(f"--resume continues {out} with the settings in its config.json; "
                            f"drop {', '.join(given)}")
        run = T.RunDir(out)
        if not run.exists():
            raise UserError(f"cannot resume {out}: it holds no run (no config.json)")
        config = run.config()
        data_spec = _recorded_data(config)
        model_spec = config.get("model") or {}
        saved = config.get("recipe") or {}
        if not data_spec or not model_spec.get("name"):
            raise UserError(f"{out}/config.json does not say which data and model it used; it cannot be resumed "
                            f"from the command line")
        recipe = {k: saved[k] for k in ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "momentum",
                                        "schedule", "class_weight", "augment", "patience", "tolerance",
                                        "precise_bn", "seed") if k in saved}
        recipe["max_seconds"] = args.max_seconds if args.max_seconds is not None else saved.get("max_seconds")
        model_name, model_options = model_spec["name"], dict(model_spec.get("options") or {})
        size = config.get("size")
    else:
        if not args.data:
            raise UserError("train needs --data (a MedMNIST .npz, a MedMNIST name, an image folder, or 'phantom')")
        data_spec = args.data
        size = args.size
        model_name = args.model or T.DEFAULT_ARCHITECTURE
        model_options = {k: v for k, v in model_options.items() if v is not None}
        recipe = {k: v for k, v in recipe.items() if v is not None}
        if args.no_augment:
            recipe["augment"] = None
        if recipe.get("class_weight") not in (None, "balanced", "none"):
            raise UserError(f"--class-weight must be balanced or none, got {recipe['class_weight']!r}")
        if recipe.get("class_weight") == "none":
            recipe["class_weight"] = None
        _check_choice("--optimizer", recipe.get("optimizer"), T.loop.OPTIMIZERS)
        _check_choice("--schedule", recipe.get("schedule"), T.loop.SCHEDULES)
        if (out / "config.json").exists() and not args.overwrite:
            raise UserError(f"{out} already holds a run; continue it with --resume, replace it with "
                            f"--overwrite, or choose another --out")

    splits = _load_data(data_spec, size)
    if splits.train is None or len(splits.train) == 0:
        raise UserError(f"{data_spec} has no training split")
    _check_binary(splits.train, data_spec)
    val = splits.val
    if val is None:
        console.print(f"[yellow]note:[/] {data_spec} has no validation split: the last epoch is kept, "
                      f"and no operating points are chosen")
    c, h, w = splits.train.images.shape[1:]
    if h != w and model_name == "lesson":
        raise UserError(f"the lesson model needs square images, got {h}×{w}")
    model_seed = recipe.get("seed", T.DEFAULT_RECIPE["seed"])
    model = T.build_model(model_name, in_channels=int(c), image_size=int(h), seed=model_seed, **model_options)

    full = {**T.DEFAULT_RECIPE, **recipe}
    console.print(f"[bold]Data[/]   {data_spec}: {_data_summary('train', splits.train)}"
                  + (f", {_data_summary('val', val)}" if val is not None else "") + f"; images {c}×{h}×{w}")
    console.print(f"[bold]Model[/]  {model_name} {_options_text(model_options)}: "
                  f"{model.num_parameters():,} parameters")
    batches = math.ceil(len(splits.train) / full["batch_size"])
    console.print(f"[bold]Recipe[/] {full['epochs']} epochs × {batches} batches of {full['batch_size']}, "
                  f"{full['optimizer']} lr {full['lr']:g} ({full['schedule']}), weight decay {full['weight_decay']:g}, "
                  f"class weight {full['class_weight'] or 'none'}, augmentation {'on' if full['augment'] else 'off'}"
                  + (f", budget {full['max_seconds']:g} s" if full.get("max_seconds") else ""))
    console.print(f"[bold]Run[/]    {out}" + (" (resumed)" if args.resume else ""))

    progress = RichProgress(console, show_bar=console.is_terminal)
    try:
        result = T.fit(model, splits.train, val, **recipe, run_dir=out, resume=args.resume,
                       overwrite=args.overwrite, callbacks=[progress],
                       config={"data": data_spec, "data_resolved": _resolved(data_spec), "size": size,
                               "model": {"name": model_name, "options": model_options},
                               "class_names": list(getattr(splits.train, "class_names", ()))})
    except KeyboardInterrupt:
        progress.close()
        run = T.RunDir(out)
        best = ""
        if run.best_path.is_file():
            _, meta = run.load_best(with_metadata=True)
            auc = meta.get("val_auc")
            best = (f"The best checkpoint so far (epoch {meta.get('epoch')}"
                    + (f", val AUC {auc:.4f}" if auc is not None else "") + f") is intact: {run.best_path}. ")
        print(f"\nInterrupted. {best}Continue with: ml2dl train --out {out} --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        progress.close()

    if result.stopped == "early_stopping":
        why = f"stopped early (no better validation AUC for {full['patience']} epochs)"
    elif result.stopped == "time_budget":
        why = f"stopped at its time budget ({full['max_seconds']:g} s)"
    else:
        why = {"completed": "finished", "callback": "stopped"}.get(result.stopped, result.stopped)
    best = (f"best epoch {result.best_epoch}, val AUC {result.best_val_auc:.4f}"
            if result.best_val_auc is not None else f"kept epoch {result.best_epoch}")
    console.print(f"Training {why} in {result.seconds:.1f} s; {best} → {out / 'best.npz'}")
    if result.operating_points:
        p = result.operating_points["screening"]
        console.print(f"Screening threshold {p['threshold']:.3f} (sensitivity {p['sensitivity']:.3f}, "
                      f"specificity {p['specificity']:.3f} on val)")
    if splits.test is not None:
        console.print(f"Next: ml2dl evaluate {out} --split test")
    else:
        console.print(f"Next: ml2dl evaluate {out} --data <a file with the test split> --split test")
    return 0


def _resolved(spec):
    """An existing file or folder as an absolute path (so a run can be resumed from anywhere)."""
    path = Path(spec)
    return str(path.resolve()) if path.exists() else spec


def _recorded_data(config, *, resolved=False):
    """The data a run was trained on: the absolute path if it still exists, else the spec as given."""
    full = config.get("data_resolved")
    if full and (resolved or Path(full).exists()):
        return full
    return config.get("data")


def _check_choice(flag, value, options):
    if value is not None and value not in options:
        raise UserError(f"{flag} must be one of {', '.join(options)}, got {value!r}")


def _options_text(options):
    return "(" + ", ".join(f"{k} {v}" for k, v in options.items()) + ")" if options else "(defaults)"


# --------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------
def _load_run(path):
    from .train import RunDir

    run = RunDir(path)
    if not run.path.exists():
        raise UserError(f"no run directory at {run.path}")
    config = run.config()
    model, meta = run.load_best(with_metadata=True)
    return run, config, model, meta


def _check_shape(ds, config, spec, split):
    expected = config.get("input_shape")
    got = list(ds.images.shape[1:])
    if expected and list(expected) != got:
        raise UserError(f"the run was trained on images of shape {tuple(expected)} (C, H, W) but the {split} split "
                        f"of {spec} has images of shape {tuple(got)}")


def cmd_evaluate(args) -> int:
    import numpy as np

    from . import metrics as M
    from .train import predict_proba

    run, config, model, meta = _load_run(args.run)
    spec = args.data or _recorded_data(config)
    if not spec:
        raise UserError("evaluate needs --data (the run does not record its data)")
    shape = config.get("input_shape") or [None, None, None]
    same_data = args.data is None or _resolved(args.data) == _recorded_data(config, resolved=True)
    splits = _load_data(spec, config.get("size") if same_data else shape[1])
    ds = splits[args.split]
    if ds is None:
        have = ", ".join(name for name, _ in splits.items()) or "none"
        raise UserError(f"{spec} has no {args.split} split (it has: {have})")
    _check_binary(ds, spec)
    _check_shape(ds, config, spec, args.split)
    y = ds.labels.reshape(len(ds.labels), -1)[:, 0].astype(int)
    if len(np.unique(y)) < 2:
        raise UserError(f"the {args.split} split of {spec} holds one class only; AUC, sensitivity and "
                        f"specificity need both")
    scores = predict_proba(model, ds.images)

    # Operating points: chosen on validation after training, applied unchanged here.
    saved = run.operating_points()
    points, chosen_on = (saved["points"], "val (after training)") if saved else (None, None)
    val_scores = None
    if splits.val is not None and args.split != "val":
        _check_shape(splits.val, config, spec, "val")
        val_scores = predict_proba(model, splits.val.images)
    if points is None:
        if args.split == "val":
            points, chosen_on = M.operating_points(y, scores), "val"
        elif val_scores is not None:
            yv = splits.val.labels.reshape(len(splits.val.labels), -1)[:, 0]
            points, chosen_on = M.operating_points(yv, val_scores), "val"
        else:
            raise UserError(f"no operating points: {run.path} has no operating_points.json and {spec} "
                            f"has no validation split to choose them on")
    applied = M.apply_operating_points(points, y, scores)
    point = applied[args.operating_point]
    mm = M.medmnist_metrics(y, scores)
    ci = M.bootstrap_auc_ci(y, scores, n_boot=1000, rng=0)
    at_half = M.binary_metrics(y, scores, threshold=0.5)

    report_path = None
    if not args.no_report:
        report_path = _write_report(args, run, config, model, ds, y, scores, splits, val_scores, points,
                                    point["threshold"], spec)

    result = {
        "run": str(run.path), "data": spec, "split": args.split, "n": int(len(y)),
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
        from .train.runs import _finite

        print(json.dumps(_finite(result), allow_nan=False, default=_json_number))
        return 0
    _print_evaluation(result)
    return 0


def _json_number(v):
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    raise TypeError(type(v).__name__)


def _print_evaluation(r):
    from rich.table import Table

    console = _console()
    lo, hi = r["auc_ci95"]
    console.print(f"[bold]{r['run']}[/] on the {r['split']} split of {r['data']}: n = {r['n']} "
                  f"({r['positives']} positive, {r['negatives']} negative)")
    console.print(f"AUC {r['auc']:.4f} (95% CI {lo:.3f}–{hi:.3f}); accuracy at 0.5 (MedMNIST) {r['accuracy']:.4f}")
    table = Table(title=f"Operating points chosen on {r['operating_points_chosen_on'] or 'validation'}, "
                        f"applied unchanged to {r['split']}")
    for col in ("point", "threshold", "sensitivity", "specificity", "PPV", "NPV", "accuracy"):
        table.add_column(col, justify="left" if col == "point" else "right")
    for name, p in r["operating_points"].items():
        mark = " (chosen)" if name == r["operating_point"] else ""
        table.add_row(name + mark, f"{p['threshold']:.3f}", _pct(p["sensitivity"]),
                      _pct(p["specificity"]), _pct(p["ppv"]), _pct(p["npv"]), _pct(p["accuracy"]))
    console.print(table)
    for name, p in r["operating_points"].items():
        console.print(f"  {name}: {p.get('rule', '')}")
    if r["report"]:
        console.print(f"Report: {r['report']}")


def _pct(v):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f}%"


def _write_report(args, run, config, model, ds, y, scores, splits, val_scores, points, threshold, spec):
    import numpy as np

    from .explain import grad_cam
    from .report import write_report

    out = Path(args.report) if args.report else run.path / f"eval-{args.split}"
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
            yv = splits.val.labels.reshape(len(splits.val.labels), -1)[:, 0]
            kwargs["val"] = {"y_true": yv, "y_score": val_scores}
        kwargs["test"] = {"y_true": y, "y_score": scores}
    model_name = (config.get("model") or {}).get("name", "model")
    source = getattr(ds, "source", "") or spec
    title = f"{model_name.capitalize()} CNN (run {run.path.name}) on {Path(str(spec)).name}: {args.split} split"
    return write_report(out, title=title,
                        history=run.history(), points=points, misclassified=items,
                        dataset_note=source, **kwargs)


# --------------------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------------------
def cmd_predict(args) -> int:
    import numpy as np

    from .data.images import read_image
    from .explain import grad_cam, overlay, resize_maps, saliency
    from .train import predict_proba

    run, config, model, meta = _load_run(args.run)
    shape = config.get("input_shape") or meta.get("input_shape")
    if not shape:
        raise UserError(f"{run.path} does not record its input image shape")
    c, h, w = shape
    saved = run.operating_points()
    if saved:
        p = saved["points"][args.operating_point]
        threshold, rule = p["threshold"], f"{args.operating_point} threshold {p['threshold']:.3f}"
    else:
        threshold, rule = 0.5, "threshold 0.5 (the run has no operating points)"
    names = config.get("class_names") or ["normal", "pneumonia"]
    images = []
    for path in args.images:
        img = read_image(path, mode="L" if c == 1 else "RGB", size=(h, w), window=args.window)
        images.append(img[None] if img.ndim == 2 else np.transpose(img, (2, 0, 1)))
    x = np.stack(images).astype(np.float32)
    probs = predict_proba(model, x)
    heat_paths = [None] * len(x)
    if args.heatmap:
        heat_paths = _heatmap_paths(args.heatmap, args.images)
        scale = max(1, 224 // max(h, w))
        big = (h * scale, w * scale)
        # explain the label given: evidence for pneumonia, or for normal
        targets = (probs >= threshold).astype(int)
        maps = []
        for img, target in zip(x, targets):
            if args.method == "gradcam":
                maps.append(grad_cam(model, img[None], target=int(target), size=big)[0])
            else:
                sal = saliency(model, img[None], target=int(target))[0]
                maps.append(resize_maps((sal / sal.max() if sal.max() > 0 else sal)[None], big)[0])
        from PIL import Image

        from .files import atomic_write

        for img, m, out in zip(x, maps, heat_paths):
            pic = overlay(resize_maps(img.mean(axis=0, keepdims=True), big)[0], m)
            atomic_write(out, lambda f: Image.fromarray(pic).save(f, format="PNG"))
    for path, prob, heat in zip(args.images, probs, heat_paths):
        label = names[1] if prob >= threshold else names[0]
        if args.json:
            print(json.dumps({"image": path, "probability": float(prob), "label": label, "threshold": threshold,
                              "operating_point": args.operating_point if saved else None,
                              "heatmap": str(heat) if heat else None}))
        else:
            print(f"{path}: P({names[1]}) = {prob:.3f} → {label} ({rule})"
                  + (f"; heatmap of the evidence for {label}: {heat}" if heat else ""))
    return 0


def _heatmap_paths(target, images):
    target = Path(target)
    if target.suffix.lower() != ".png":
        raise UserError(f"--heatmap must name a .png file, got {target}")
    if len(images) == 1:
        return [target]
    return [target.with_name(f"{target.stem}_{Path(p).stem}.png") for p in images]


# --------------------------------------------------------------------------------------
# tune
# --------------------------------------------------------------------------------------
def cmd_tune(args) -> int:
    from .train import tune as tuning

    space = {k: getattr(args, k) for k in ("lr", "width", "dropout", "weight_decay", "epochs")
             if getattr(args, k) is not None}
    if not space:
        raise UserError("tune needs at least one list of values to try, e.g. --lr 1e-3,3e-3 --width 8,16")
    if args.search == "random" and not args.trials:
        raise UserError("--search random needs --trials N")
    splits = _load_data(args.data)
    if splits.train is None or splits.val is None:
        raise UserError(f"tune needs train and val splits; {args.data} has "
                        f"{', '.join(n for n, _ in splits.items()) or 'none'}")
    _check_binary(splits.train, args.data)
    console = _console()
    console.print(f"[bold]Tuning[/] {args.model} on {args.data}: {args.search} search over "
                  + ", ".join(f"{k} {v}" for k, v in space.items()))

    def report(event):
        if event["stage"] == "trial_end":
            r = event["result"]
            console.print(f"trial {r['trial']:>3}/{event['trials']}: " + _settings_text(r)
                          + f" → val AUC {_fmt(r.get('val_auc'), 6, 4).strip()} ({r['seconds']:.0f} s)")

    try:
        results = tuning.tune(splits.train, splits.val, model=args.model, space=space, search=args.search,
                              trials=args.trials, seed=args.seed, max_seconds=args.max_seconds,
                              out_dir=args.out, overwrite=args.overwrite, on_event=report,
                              config={"data": args.data})
    except KeyboardInterrupt:
        print(f"\nInterrupted. Finished trials are in {Path(args.out) / 'results.csv'}", file=sys.stderr)
        return EXIT_INTERRUPTED
    from rich.table import Table

    table = Table(title="Trials sorted by validation AUC")
    keys = list(space)
    for col in ("rank", *keys, "val AUC", "best epoch", "seconds", "run"):
        table.add_column(col)
    for rank, r in enumerate(results, 1):
        table.add_row(str(rank), *(f"{r[k]:g}" for k in keys), _fmt(r.get("val_auc"), 6, 4).strip(),
                      str(r.get("best_epoch")), f"{r['seconds']:.0f}", str(r["run_dir"]))
    console.print(table)
    console.print(f"Results: {Path(args.out) / 'results.csv'}")
    return 0


def _settings_text(r):
    return ", ".join(f"{k} {r[k]:g}" for k in ("lr", "width", "dropout", "weight_decay", "epochs") if k in r)


# --------------------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------------------
def cmd_serve(args) -> int:
    if args.data is not None and not Path(args.data).exists():
        raise UserError(f"--data {args.data}: no such file")
    from .web.app import serve

    try:
        serve(host=args.host, port=args.port, data=args.data, open_browser=not args.no_browser)
    except KeyboardInterrupt:
        pass
    return 0


COMMANDS = {"serve": cmd_serve, "train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
            "tune": cmd_tune}


def _user_error_types():
    from .nn import CheckpointError
    from .train.runs import RunError

    types = [UserError, RunError, CheckpointError, FileNotFoundError, NotADirectoryError, IsADirectoryError,
             PermissionError, ValueError]
    try:
        from .data.dataset import DatasetError
        types.append(DatasetError)
    except ImportError:  # pragma: no cover - the data package is part of ml2dl
        pass
    return tuple(types)


def main(argv=None) -> int:
    import warnings

    from .metrics import UndefinedMetricWarning

    # Undefined ratios (no case called positive, ...) are shown as "-" / null already.
    warnings.simplefilter("ignore", UndefinedMetricWarning)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    if args.threads:
        from . import nn

        nn.set_num_threads(args.threads)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `ml2dl evaluate --json | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except _user_error_types() as err:
        message = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if isinstance(err, (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)) \
                and err.filename and str(err.filename) not in message:
            message = f"{message}: {err.filename}"
        print(f"ml2dl {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
