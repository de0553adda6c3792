"""``ml2dl train``: train a CNN on a data set, keep the best checkpoint by validation AUC.

A new run takes its data, model and recipe from the options; ``--resume`` takes them all
from the run's ``config.json`` (only ``--max-seconds`` may be given again).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

from ..checks import InputError
from ..train.recipe import RESUMABLE_CHANGES, Recipe
from .arguments import EXIT_INTERRUPTED, MODEL_OPTIONS, positive_int, recipe_options
from .console import RichProgress, console, options_text
from .runs import check_binary, data_summary, load_data, recorded_data, resolved


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a CNN; keeps the best checkpoint by validation AUC")
    p.add_argument("--data", help="a MedMNIST .npz path, a MedMNIST name (pneumoniamnist), "
                                  "an image folder, or 'phantom'")
    p.add_argument("--size", type=positive_int, help="resize images to SIZE×SIZE (a MedMNIST name: "
                                                         "28, 64, 128 or 224)")
    p.add_argument("--model", choices=("strong", "lesson"), help="architecture (default strong)")
    for flag, (dest, kind, text) in MODEL_OPTIONS.items():
        p.add_argument(flag, dest=dest, type=kind, help=text)
    for flag, _, keywords, _ in recipe_options():
        p.add_argument(flag, **keywords)
    p.add_argument("--no-augment", action="store_true", help=Recipe.__dataclass_fields__["augment"].metadata["help"])
    p.add_argument("--out", required=True, help="run directory (checkpoint, config, history)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last epoch")
    p.add_argument("--overwrite", action="store_true", help="replace a previous run in --out")


@dataclass
class Plan:
    """What to train: data, model and recipe, as the command decided."""

    data: str
    size: int | None
    model: str
    model_options: dict
    recipe: Recipe


def run(args) -> int:
    from .. import train as T

    out = Path(args.out)
    plan = _resumed_plan(args, out) if args.resume else _new_plan(args, out)
    splits = load_data(plan.data, plan.size)
    if splits.train is None or len(splits.train) == 0:
        raise InputError(f"{plan.data} has no training split")
    check_binary(splits.train, plan.data)
    show = console()
    if splits.val is None:
        show.print(f"[yellow]note:[/] {plan.data} has no validation split: the last epoch is kept, "
                   f"and no operating points are chosen")
    c, h, w = splits.train.images.shape[1:]
    if h != w and plan.model == "lesson":
        raise InputError(f"the lesson model needs square images, got {h}×{w}")
    model = T.build_model(plan.model, in_channels=int(c), image_size=int(h), seed=plan.recipe.seed,
                          **plan.model_options)
    _print_plan(show, plan, splits, model, out, resumed=args.resume)

    progress = RichProgress(show, show_bar=show.is_terminal)
    try:
        result = T.fit(model, splits.train, splits.val, recipe=plan.recipe, run_dir=out, resume=args.resume,
                       overwrite=args.overwrite, callbacks=[progress],
                       config={"data": plan.data, "data_resolved": resolved(plan.data), "size": plan.size,
                               "model": {"name": plan.model, "options": plan.model_options},
                               "class_names": list(getattr(splits.train, "class_names", ()))})
    except KeyboardInterrupt:
        progress.close()
        print(f"\nInterrupted. {_best_so_far(out)}Continue with: ml2dl train --out {out} --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        progress.close()
    _print_outcome(show, result, out, has_test=splits.test is not None)
    return 0


def _resumed_plan(args, out: Path) -> Plan:
    """The data, model and recipe recorded in ``out/config.json``; refuses options that would change them
    (all but ``--patience`` and ``--max-seconds``)."""
    from ..train import RunDir

    given = [flag for flag, (k, _, _) in MODEL_OPTIONS.items() if getattr(args, k) is not None]
    given += [flag for flag, k, _, _ in recipe_options() if getattr(args, k) is not None and k not in RESUMABLE_CHANGES]
    given += [f for f, v in (("--data", args.data), ("--model", args.model), ("--no-augment", args.no_augment),
                             ("--overwrite", args.overwrite)) if v]
    if given:
        raise InputError(f"--resume continues {out} with the settings in its config.json; "
                         f"drop {', '.join(given)}")
    run = RunDir(out)
    if not run.exists():
        raise InputError(f"cannot resume {out}: it holds no run (no config.json)")
    config = run.config()
    data_spec = recorded_data(config)
    model_spec = config.get("model") or {}
    saved = config.get("recipe") or {}
    if not data_spec or not model_spec.get("name"):
        raise InputError(f"{out}/config.json does not say which data and model it used; it cannot be resumed "
                         f"from the command line")
    recipe = Recipe.from_dict(saved).replace(**{k: getattr(args, k) for k in RESUMABLE_CHANGES
                                                  if getattr(args, k) is not None})
    return Plan(data_spec, config.get("size"), model_spec["name"], dict(model_spec.get("options") or {}), recipe)


def _new_plan(args, out: Path) -> Plan:
    """The options given on the command line (None: the default)."""
    from .. import train as T

    if not args.data:
        raise InputError("train needs --data (a MedMNIST .npz, a MedMNIST name, an image folder, or 'phantom')")
    model_options = {k: getattr(args, k) for _, (k, _, _) in MODEL_OPTIONS.items() if getattr(args, k) is not None}
    recipe = Recipe(**{k: getattr(args, k) for _, k, _, _ in recipe_options() if getattr(args, k) is not None},
                    **({"augment": None} if args.no_augment else {}))
    if (out / "config.json").exists() and not args.overwrite:
        raise InputError(f"{out} already holds a run; continue it with --resume, replace it with "
                         f"--overwrite, or choose another --out")
    return Plan(args.data, args.size, args.model or T.DEFAULT_ARCHITECTURE, model_options, recipe)


def _print_plan(show, plan: Plan, splits, model, out: Path, *, resumed: bool) -> None:
    c, h, w = splits.train.images.shape[1:]
    val = splits.val
    show.print(f"[bold]Data[/]   {plan.data}: {data_summary('train', splits.train)}"
               + (f", {data_summary('val', val)}" if val is not None else "") + f"; images {c}×{h}×{w}")
    show.print(f"[bold]Model[/]  {plan.model} {options_text(plan.model_options)}: "
               f"{model.num_parameters():,} parameters")
    r = plan.recipe
    batches = math.ceil(len(splits.train) / r.batch_size)
    show.print(f"[bold]Recipe[/] {r.epochs} epochs × {batches} batches of {r.batch_size}, "
               f"{r.optimizer} lr {r.lr:g} ({r.schedule}), weight decay {r.weight_decay:g}, "
               f"class weight {r.class_weight or 'none'}, augmentation {'on' if r.augment else 'off'}"
               + (f", budget {r.max_seconds:g} s" if r.max_seconds else ""))
    show.print(f"[bold]Run[/]    {out}" + (" (resumed)" if resumed else ""))


def _best_so_far(out: Path) -> str:
    """After Ctrl-C: which checkpoint is intact, if any."""
    from ..train import RunDir

    run = RunDir(out)
    if not run.best_path.is_file():
        return ""
    _, meta = run.load_best(with_metadata=True)
    auc = meta.get("val_auc")
    return (f"The best checkpoint so far (epoch {meta.get('epoch')}"
            + (f", val AUC {auc:.4f}" if auc is not None else "") + f") is intact: {run.best_path}. ")


def _print_outcome(show, result, out: Path, *, has_test: bool) -> None:
    if result.stopped == "early_stopping":
        why = f"stopped early (no better validation AUC for {result.recipe.patience} epochs)"
    elif result.stopped == "time_budget":
        why = f"stopped at its time budget ({result.recipe.max_seconds:g} s)"
    else:
        why = {"completed": "finished", "callback": "stopped"}.get(result.stopped, result.stopped)
    best = (f"best epoch {result.best_epoch}, val AUC {result.best_val_auc:.4f}"
            if result.best_val_auc is not None else f"kept epoch {result.best_epoch}")
    show.print(f"Training {why} in {result.seconds:.1f} s; {best} → {out / 'best.npz'}")
    if result.operating_points:
        p = result.operating_points["screening"]
        show.print(f"Screening threshold {p['threshold']:.3f} (sensitivity {p['sensitivity']:.3f}, "
                   f"specificity {p['specificity']:.3f} on val)")
    if has_test:
        show.print(f"Next: ml2dl evaluate {out} --split test")
    else:
        show.print(f"Next: ml2dl evaluate {out} --data <a file with the test split> --split test")
