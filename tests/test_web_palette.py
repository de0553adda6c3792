"""The palette: style.css's rules take their colours from the variables in its :root. A colour written as a
literal where a variable holds the same colour, or a literal used more than once with no variable, fails."""

import re
from collections import Counter
from pathlib import Path

STYLE = Path(__file__).resolve().parents[1] / "src" / "ml2dl" / "web" / "static" / "style.css"
HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})(?![0-9a-fA-F])")
RGBA = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\d.]+\s*)?\)")


def rgb(literal: str) -> tuple[int, int, int]:
    """'#fff', '#1f77b4' or 'rgba(31, 119, 180, .45)' -> (r, g, b)."""
    m = RGBA.fullmatch(literal)
    if m:
        return tuple(int(v) for v in m.groups())
    h = literal[1:]
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def split_root(css: str) -> tuple[str, str]:
    start = css.index(":root {")
    end = css.index("\n}\n", start) + 3
    return css[start:end], css[:start] + css[end:]


def literals(text: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments are not colours
    return [m.group(0) for m in HEX.finditer(text)] + [m.group(0) for m in RGBA.finditer(text)]


def palette(root: str) -> dict[tuple[int, int, int], str]:
    """rgb -> the variable that holds it (only variables whose value is a single colour)."""
    out = {}
    for name, value in re.findall(r"(--[\w-]+):\s*([^;]+);", root):
        value = value.strip()
        if HEX.fullmatch(value) or RGBA.fullmatch(value):
            out.setdefault(rgb(value), name)
    return out


def test_helpers_read_colours_as_the_browser_does():
    assert rgb("#fff") == (255, 255, 255) and rgb("#1f77b4") == (31, 119, 180)
    assert rgb("rgba(31, 119, 180, .45)") == (31, 119, 180)
    assert palette(":root {\n  --a: #ffffff;\n  --b: 0 1px 2px #000;\n}\n") == {(255, 255, 255): "--a"}
    assert literals("a { color: #fff; } /* #123456 */ b { fill: rgb(1, 2, 3); }") == ["#fff", "rgb(1, 2, 3)"]


def test_rules_use_the_palettes_variables():
    root, rules = split_root(STYLE.read_text(encoding="utf-8"))
    known = palette(root)
    assert len(known) > 30  # the palette was read
    found = literals(rules)
    same = sorted({f"{lit} (use var({known[rgb(lit)]}))" for lit in found if rgb(lit) in known})
    assert not same, f"colours written out where a variable holds them: {same}"
    repeated = sorted(lit for lit, n in Counter(rgb(lit) for lit in found).items() if n > 1)
    assert not repeated, f"colours used more than once without a variable in :root: {repeated}"
