"""The report's look in one place: colours, names of the operating points, number formats.

Blue = normal and orange = pneumonia, as everywhere in ml2dl (colour-blind safe).
"""

from __future__ import annotations

import html
import math
from typing import Any

NORMAL_COLOR = "#1f77b4"  # blue = normal, everywhere in ml2dl
PNEUMONIA_COLOR = "#ff7f0e"  # orange = pneumonia
CLASS_NAMES = ("normal", "pneumonia")
CLASS_COLORS = (NORMAL_COLOR, PNEUMONIA_COLOR)
INK = "#222222"
MUTED = "#808080"

POINT_TITLES = {
    "screening": "Screening (high sensitivity)",
    "high_specificity": "High specificity",
    "balanced": "Balanced (Youden)",
}
POINT_MARKERS = {"screening": "^", "high_specificity": "s", "balanced": "o"}
MAX_GALLERY = 24  # misclassified images shown


def point_title(name: str) -> str:
    """A clinician's name for an operating point: ``"screening"`` → "Screening (high sensitivity)"."""
    return POINT_TITLES.get(name, name.replace("_", " ").capitalize())


def _undefined(x: Any) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def num(x: Any, digits: int = 3) -> str:
    """``x`` with ``digits`` decimals; an em dash when it is not defined (None, NaN)."""
    return "\u2014" if _undefined(x) else f"{x:.{digits}f}"


def pct(x: Any) -> str:
    """A share as a percentage with one decimal: 0.9734 → "97.3%"."""
    return "\u2014" if _undefined(x) else f"{100 * x:.1f}%"


def threshold(t: Any) -> str:
    """A threshold with 3 significant digits; +inf reads "above every score"."""
    if t is None or (isinstance(t, float) and math.isnan(t)):
        return "\u2014"
    if isinstance(t, float) and math.isinf(t):
        return "above every score"
    return f"{t:.3g}"


def duration(seconds: float) -> str:
    """Training time in words: "42.0 seconds" below a minute, else "3.5 minutes"."""
    return f"{seconds:.1f} seconds" if seconds < 60 else f"{seconds / 60:.1f} minutes"


def esc(text: Any) -> str:
    """``text`` escaped for HTML (quotes too, so it is safe in attributes)."""
    return html.escape(str(text), quote=True)
