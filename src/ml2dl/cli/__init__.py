"""The ``ml2dl`` command: the module (``serve``) and the lab (``train``, ``evaluate``, ``predict``, ``tune``).

::

    ml2dl serve [--host 127.0.0.1] [--port 8000] [--data file.npz or folder] [--no-browser] [--workers N]
                [--access-code CODE] [--embed-from ORIGIN] [--no-prestart]
    ml2dl train --data pneumoniamnist_trainval.npz --model strong --out runs/cnn
    ml2dl train --out runs/cnn --resume
    ml2dl evaluate runs/cnn --data pneumoniamnist.npz --split test [--json]
    ml2dl predict runs/cnn chest.png [--heatmap chest_cam.png]
    ml2dl tune --data pneumoniamnist_trainval.npz --lr 1e-3,3e-3 --width 8,16 --out runs/tune

One module per command (``add_parser(sub)`` and ``run(args) -> exit status``), the argument
types in :mod:`.arguments`, console output in :mod:`.console`.

A mistake of the user's (:class:`ml2dl.checks.InputError`: a bad option, bad data, a run
that does not exist; or a file that cannot be opened) prints one line on stderr and exits
with status 2. Anything else is a bug and shows its traceback. Ctrl-C during training keeps
the best checkpoint and prints how to resume (status 130).
"""

from __future__ import annotations

import argparse
import os
import sys

from ..checks import InputError
from . import evaluate, predict, serve, train, tune
from .arguments import EXIT_INTERRUPTED, EXIT_USAGE, Parser, positive_int

COMMANDS = {"serve": serve, "train": train, "evaluate": evaluate, "predict": predict, "tune": tune}

# A file the user named that cannot be opened is their mistake, not a bug: one line, exit 2.
_FILE_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = Parser(prog="ml2dl", description="From one neuron to a CNN that reads chest X-rays: "
                    "the interactive module and the lab.")
    parser.add_argument("--version", action="version", version=f"ml2dl {__version__}")
    parser.add_argument("--threads", type=positive_int,
                        help="cores the engine may use (default: all usable cores, at most 8)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv=None) -> int:
    """Run the command in ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    import warnings

    from ..metrics import UndefinedMetricWarning

    # Undefined ratios (no case called positive, ...) are shown as "-" / null already.
    warnings.simplefilter("ignore", UndefinedMetricWarning)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from .. import nn

    try:
        with nn.num_threads(args.threads or nn.get_num_threads()):
            return COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `ml2dl evaluate --json | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (InputError, *_FILE_ERRORS) as err:
        print(f"ml2dl {args.command}: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_USAGE


def _one_line(err: Exception) -> str:
    text = str(err).strip()
    message = text.splitlines()[0] if text else type(err).__name__
    if isinstance(err, _FILE_ERRORS) and err.filename and str(err.filename) not in message:
        message = f"{message}: {err.filename}"
    return message
