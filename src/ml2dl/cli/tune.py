"""``ml2dl tune``: grid or random search over recipe and model settings, ranked by validation AUC."""

from __future__ import annotations

import sys
from pathlib import Path

from ..checks import InputError
from ..train.recipe import Recipe
from .arguments import EXIT_INTERRUPTED, MODEL_OPTIONS, list_of, positive_int, recipe_options
from .console import console, fmt
from .runs import check_binary, load_data

# Architecture settings tune can search (the recipe's tunable settings come from the Recipe).
MODEL_SEARCHED = ("width", "dropout")
# The order of a search's settings (it fixes the grid's order, so which trials a seed draws).
_ORDER = ("lr", "width", "dropout", "weight_decay", "epochs")


def add_parser(sub) -> None:
    p = sub.add_parser("tune", help="grid or random search; a table sorted by validation AUC")
    p.add_argument("--data", required=True, help="as for train")
    p.add_argument("--model", choices=("strong", "lesson"), default="strong")
    p.add_argument("--search", choices=("grid", "random"), default="grid")
    p.add_argument("--trials", type=positive_int, help="random search: number of settings to try")
    for flag, _, keywords, _ in recipe_options(lists_for_tunable=True):
        p.add_argument(flag, **keywords)
    for name in MODEL_SEARCHED:
        flag, (dest, kind, text) = next((f, o) for f, o in MODEL_OPTIONS.items() if o[0] == name)
        p.add_argument(flag, dest=dest, type=list_of(kind), help=f"values to try: {text}")
    p.add_argument("--out", required=True, help="folder for the trials' runs and results.csv")
    p.add_argument("--overwrite", action="store_true")


def run(args) -> int:
    from ..train import tune as tuning

    searched = [dest for _, dest, _, tunable in recipe_options() if tunable] + list(MODEL_SEARCHED)
    searched.sort(key=lambda k: _ORDER.index(k) if k in _ORDER else len(_ORDER))
    space = {k: getattr(args, k) for k in searched if getattr(args, k) is not None}
    shared = {dest: getattr(args, dest) for _, dest, _, _ in recipe_options()
              if dest not in space and getattr(args, dest) is not None}
    if not space:
        raise InputError("tune needs at least one list of values to try, e.g. --lr 1e-3,3e-3 --width 8,16")
    if args.search == "random" and not args.trials:
        raise InputError("--search random needs --trials N")
    splits = load_data(args.data)
    if splits.train is None or splits.val is None:
        raise InputError(f"tune needs train and val splits; {args.data} has "
                         f"{', '.join(n for n, _ in splits.items()) or 'none'}")
    check_binary(splits.train, args.data)
    out = console()
    out.print(f"[bold]Tuning[/] {args.model} on {args.data}: {args.search} search over "
              + ", ".join(f"{k} {v}" for k, v in space.items()))

    def report(event):
        if event["stage"] == "trial_end":
            r = event["result"]
            out.print(f"trial {r['trial']:>3}/{event['trials']}: " + _settings_text(r)
                      + f" → val AUC {fmt(r.get('val_auc'), 6, 4).strip()} ({r['seconds']:.0f} s)")

    try:
        results = tuning.tune(splits.train, splits.val, model=args.model, space=space, search=args.search,
                              trials=args.trials, out_dir=args.out, overwrite=args.overwrite, on_event=report,
                              config={"data": args.data}, recipe=Recipe(**shared))
    except KeyboardInterrupt:
        print(f"\nInterrupted. Finished trials are in {Path(args.out) / 'results.csv'}", file=sys.stderr)
        return EXIT_INTERRUPTED
    _print_results(out, results, list(space), args.out)
    return 0


def _print_results(out, results, keys, folder) -> None:
    from rich.table import Table

    table = Table(title="Trials sorted by validation AUC")
    for col in ("rank", *keys, "val AUC", "best epoch", "seconds", "run"):
        table.add_column(col)
    for rank, r in enumerate(results, 1):
        table.add_row(str(rank), *(f"{r[k]:g}" for k in keys), fmt(r.get("val_auc"), 6, 4).strip(),
                      str(r.get("best_epoch")), f"{r['seconds']:.0f}", str(r["run_dir"]))
    out.print(table)
    out.print(f"Results: {Path(folder) / 'results.csv'}")


def _settings_text(r) -> str:
    return ", ".join(f"{k} {r[k]:g}" for k in r if k not in _RESULT_KEYS)


_RESULT_KEYS = ("trial", "val_auc", "best_epoch", "val_accuracy", "epochs_run", "seconds", "stopped", "run_dir")
