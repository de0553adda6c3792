"""``ml2dl tune``: grid or random search over recipe and model settings, ranked by validation AUC."""

from __future__ import annotations

import sys
from pathlib import Path

from ..checks import InputError
from .arguments import EXIT_INTERRUPTED, fraction, list_of, non_negative_int, non_negative_number, positive_int, \
    positive_number
from .console import console, fmt
from .runs import check_binary, load_data

SEARCHED = ("lr", "width", "dropout", "weight_decay", "epochs")


def add_parser(sub) -> None:
    p = sub.add_parser("tune", help="grid or random search; a table sorted by validation AUC")
    p.add_argument("--data", required=True, help="as for train")
    p.add_argument("--model", choices=("strong", "lesson"), default="strong")
    p.add_argument("--search", choices=("grid", "random"), default="grid")
    p.add_argument("--trials", type=positive_int, help="random search: number of settings to try")
    p.add_argument("--lr", type=list_of(positive_number), help="values to try, e.g. 1e-3,3e-3")
    p.add_argument("--width", type=list_of(positive_int))
    p.add_argument("--dropout", type=list_of(fraction))
    p.add_argument("--weight-decay", dest="weight_decay", type=list_of(non_negative_number))
    p.add_argument("--epochs", type=list_of(positive_int))
    p.add_argument("--max-seconds", dest="max_seconds", type=positive_number, help="time budget of each trial")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", required=True, help="folder for the trials' runs and results.csv")
    p.add_argument("--overwrite", action="store_true")


def run(args) -> int:
    from ..train import tune as tuning

    space = {k: getattr(args, k) for k in SEARCHED if getattr(args, k) is not None}
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
                              trials=args.trials, seed=args.seed, max_seconds=args.max_seconds,
                              out_dir=args.out, overwrite=args.overwrite, on_event=report,
                              config={"data": args.data})
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
    return ", ".join(f"{k} {r[k]:g}" for k in SEARCHED if k in r)
