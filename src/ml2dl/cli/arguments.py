"""What every command shares on its command line: a parser whose errors are one line, and
argument types whose checks are :mod:`ml2dl.checks`'.

An argument type converts the text, checks the value with the same function the library
uses, and otherwise says what was expected and what was received::

    ml2dl train: error: argument --epochs: expected a positive integer, got '0'
"""

from __future__ import annotations

import argparse

from .. import checks

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
OPERATING_POINT_NAMES = ("screening", "balanced", "high_specificity")
DEFAULT_OPERATING_POINT = "screening"


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error on one line (and exits 2)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def checked(convert, check, expected: str, name: str):
    """An argparse ``type``: ``check(name, convert(text))`` or say what was expected and received.

    ``check`` is one of :mod:`ml2dl.checks` (it raises :class:`~ml2dl.checks.InputError`).
    """
    def parse(text):
        try:
            return check(name, convert(text))
        except ValueError:  # InputError is a ValueError, so is int("x")
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def _non_negative_number(name, value):
    return checks.number_in_range(name, value, 0.0)


def _port_number(name, value):
    return checks.int_in_range(name, value, 1, 65535)


positive_int = checked(int, checks.positive_int, "a positive integer", "positive int")
non_negative_int = checked(int, checks.non_negative_int, "a non-negative integer", "non-negative int")
positive_number = checked(float, checks.positive_number, "a positive number", "positive number")
non_negative_number = checked(float, _non_negative_number, "a number ≥ 0", "number ≥ 0")
fraction = checked(float, checks.fraction, "a number in [0, 1)", "fraction")
port = checked(int, _port_number, "a port number 1–65535", "port")


def list_of(kind):
    """``"1e-3,3e-3"`` → ``[0.001, 0.003]``, each item parsed by ``kind``."""
    def parse(text):
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list, got {text!r}")
        return [kind(t) for t in items]

    parse.__name__ = f"list of {kind.__name__}"
    return parse


def window(text):
    """A DICOM window ``CENTRE,WIDTH`` (or ``CENTRE:WIDTH``) → (centre, width), width > 0."""
    parts = text.replace(":", ",").split(",")
    try:
        centre, width = (checks.finite("window", float(p)) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected CENTRE,WIDTH such as 40,400, got {text!r}") from None
    if width <= 0:
        raise argparse.ArgumentTypeError(f"the window width must be positive, got {text!r}")
    return centre, width


# Architecture options of `train` and `tune`: flag → (build_model keyword, type, help).
MODEL_OPTIONS = {
    "--width": ("width", positive_int, "channels of the first conv layer (the others scale with it)"),
    "--dropout": ("dropout", fraction, "dropout before the last layer (strong model)"),
    "--hidden": ("hidden", positive_int, "neurons of the dense layer (lesson model)"),
}



def flag(name: str) -> str:
    """``batch_size`` → ``--batch-size``."""
    return "--" + name.replace("_", "-")


def recipe_options(*, lists_for_tunable: bool = False) -> list[tuple[str, str, dict, bool]]:
    """The command-line options of the recipe's settings, generated from :class:`ml2dl.train.Recipe`:
    ``(flag, dest, add_argument keywords, tunable)`` with the field's type, check, choices, help
    and default.

    Every option's default is None (so a command knows what was given); the help shows the
    recipe's default. With ``lists_for_tunable`` (``tune``), a tunable setting takes a
    comma-separated list of values to try.
    """
    from ..train.recipe import fields_for_cli

    options = []
    for name, default, meta in fields_for_cli():
        kind = _recipe_type(name, meta)
        shown = "none" if default is None else f"{default:g}" if isinstance(default, float) else default
        keywords = {"dest": name, "help": f"{meta['help']} (default {shown})"}
        if meta["choices"]:
            keywords["choices"] = meta["choices"]
        else:
            keywords["type"] = kind
        if lists_for_tunable and meta["tunable"]:
            keywords["type"] = list_of(kind)
            keywords["help"] = f"values to try, e.g. {_example(name)}: {keywords['help']}"
        options.append((flag(name), name, keywords, meta["tunable"]))
    return options


def _recipe_type(name: str, meta: dict):
    """An argparse type for a recipe setting: convert to its Python type, check as the Recipe does."""
    import typing

    from ..train.recipe import Recipe, check_field

    hint = typing.get_type_hints(Recipe)[name]
    kinds = [k for k in typing.get_args(hint) if k is not type(None)] or [hint]
    kind = kinds[0] if kinds[0] in (int, float) else str

    def check(name, value):
        check_field(name, value)
        return value  # as given: the Recipe normalises it (``--precise-bn 0`` must not read as "not given")

    return checked(kind, check, meta["expects"], name)


def _example(name: str) -> str:
    return {"lr": "1e-3,3e-3", "weight_decay": "0,1e-4", "epochs": "10,20", "batch_size": "32,64"}.get(name, "1,2")
