"""``ml2dl serve``: the interactive module in the browser."""

from __future__ import annotations

from pathlib import Path

from .. import checks
from ..checks import InputError
from ..web.hosts import usable_cores
from ..web.settings import MAX_WORKERS
from .arguments import checked, port

workers = checked(int, lambda name, n: checks.int_in_range(name, n, 1, MAX_WORKERS),
                  f"an integer in 1–{MAX_WORKERS}", "workers")


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="start the interactive module in the browser")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=port, default=8000, help="TCP port (default 8000)")
    p.add_argument("--data", help="a MedMNIST .npz of real images to use in the module")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--workers", type=workers, default=None,
                   help=f"worker processes (default: the usable cores, here {min(usable_cores(), MAX_WORKERS)}); "
                        "they share the cache folder, so a long job runs once")
    p.add_argument("--embed-from", action="append", default=[], metavar="ORIGIN",
                   help="a course site allowed to show the module in a frame, e.g. https://course.example.org "
                        "(repeatable; default: none, only the module itself)")
    p.add_argument("--access-code", default=None, metavar="CODE",
                   help="students must type this code once before the module opens")
    p.add_argument("--no-prestart", action="store_true",
                   help="do not start the default trainings of steps 5 and 9 with the server")


def run(args) -> int:
    if args.data is not None and not Path(args.data).exists():
        raise InputError(f"--data {args.data}: no such file")
    from ..web.app import serve

    try:
        serve(host=args.host, port=args.port, data=args.data, open_browser=not args.no_browser,
              workers=None if args.workers is None else min(args.workers, MAX_WORKERS),
              embed_from=tuple(args.embed_from), access_code=args.access_code, prestart=not args.no_prestart)
    except KeyboardInterrupt:
        pass
    return 0
