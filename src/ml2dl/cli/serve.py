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
    p.add_argument("--data", metavar="PATH",
                   help="real images for the module: a MedMNIST .npz (e.g. pneumoniamnist.npz) or a folder of two "
                        "class folders (NORMAL/, PNEUMONIA/ of PNG, JPEG or DICOM files; optionally under train/ val/ test/)")
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


EXPECTED_DATA = "a MedMNIST .npz file or a folder of two class folders (e.g. NORMAL/ and PNEUMONIA/)"


def check_data(text: str) -> None:
    """``--data`` names a ``.npz`` file or a folder of two class folders of images (InputError otherwise).

    Only the folder's names are read here (no image is decoded): a bad image is reported by the
    step that reads it.
    """
    from ..data import DatasetError
    from ..data.folders import class_counts

    path = Path(text).expanduser()
    if path.is_dir():
        try:
            counts = class_counts(path)
        except DatasetError as err:  # its message says what was expected and found
            raise InputError(f"--data {text}: {err}") from None
        if len(counts) != 2:
            found = (f"a folder with {len(counts)} class folder{'' if len(counts) == 1 else 's'} of images: "
                     + ", ".join(f"{c}/ ({n})" for c, n in counts.items())) if counts \
                else "a folder without class folders of PNG, JPEG or DICOM files"
            raise InputError(f"--data {text}: expected {EXPECTED_DATA}, got {found}")
    elif path.is_file():
        if path.suffix.lower() != ".npz":
            raise InputError(f"--data {text}: expected {EXPECTED_DATA}, got a {path.suffix or 'suffix-less'} file")
    else:
        raise InputError(f"--data {text}: expected {EXPECTED_DATA}, got no such file or folder")


def run(args) -> int:
    if args.data is not None:
        check_data(args.data)
    from ..web.app import serve

    try:
        serve(host=args.host, port=args.port, data=args.data, open_browser=not args.no_browser,
              workers=None if args.workers is None else min(args.workers, MAX_WORKERS),
              embed_from=tuple(args.embed_from), access_code=args.access_code, prestart=not args.no_prestart)
    except KeyboardInterrupt:
        pass
    return 0
