"""How a network learns, step ``perceptron`` — the perceptron and logic.

A perceptron with two binary inputs fires when its weighted sum is positive:

    z = w₁x₁ + w₂x₂ + b,      ŷ = 1 if z > 0 else 0       (the step; z = 0 gives 0)

Its decision boundary is the straight line w₁x₁ + w₂x₂ + b = 0: the inputs on the side the
vector (w₁, w₂) points to give 1. With x ∈ {00, 01, 10, 11} it computes a logic gate:

    AND  w = (1, 1),   b = −1.5        OR   w = (1, 1),   b = −0.5
    NAND w = (−1, −1), b = 1.5         NOR  w = (−1, −1), b = 0.5

XOR (1 for 01 and 10 only) is not linearly separable: no line puts 01 and 10 on one side and
00 and 11 on the other, so the best any single perceptron does is 3 of 4 (:func:`xor_best_line`
finds that by search). Two layers do it: XOR = AND(OR, NAND) (:func:`two_layer_xor`).

The perceptron learning rule (Rosenblatt 1958), one example at a time in the order 00, 01,
10, 11, 00, …:

    error = y − ŷ ∈ {−1, 0, 1};   w ← w + η·error·x;   b ← b + η·error

It stops changing once every example is right; on separable data it always gets there, on XOR
never (:func:`learn_step`).

Every function returns a JSON-ready dict of floats, ints, strings and lists.
"""

from __future__ import annotations

import itertools

import numpy as np

from ml2dl.checks import InputError, choice, finite, int_in_range, non_negative_int, number_in_range

INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))
PRESETS = {  # weights (w₁, w₂) and bias b that realise each gate
    "AND": (1.0, 1.0, -1.5),
    "OR": (1.0, 1.0, -0.5),
    "NAND": (-1.0, -1.0, 1.5),
    "NOR": (-1.0, -1.0, 0.5),
}
TARGETS = {  # each gate's truth table for 00, 01, 10, 11
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}
BOX = (-0.5, 1.5)  # the plot shows x₁ and x₂ over this range: the four points with a margin
SEARCH_VALUES = tuple(np.round(np.linspace(-2.0, 2.0, 17), 2).tolist())  # 17 values, step 0.25
MAX_WEIGHT = 100.0
MAX_LEARNING_RATE = 10.0


def _weights(w1, w2, b) -> tuple[float, float, float]:
    return tuple(number_in_range(n, v, -MAX_WEIGHT, MAX_WEIGHT)
                 for n, v in (("w1", w1), ("w2", w2), ("b", b)))


def _fire(w1: float, w2: float, b: float, x: tuple[int, int]) -> tuple[float, int]:
    """(z, ŷ) for one input: z = w₁x₁ + w₂x₂ + b, ŷ = step(z)."""
    z = w1 * x[0] + w2 * x[1] + b
    return z, int(z > 0)


def boundary_line(w1: float, w2: float, b: float, box=BOX) -> dict:
    """The line w₁x₁ + w₂x₂ + b = 0 clipped to the square plot box [lo, hi]².

    Returns ``{"visible": bool, "points": [[x₁, x₂], [x₁, x₂]] or [], "normal": [w₁, w₂],
    "region": [[x₁, x₂], …]}``: the segment's two ends where the line crosses the box (empty
    when it misses the box, or when w₁ = w₂ = 0 and there is no line: every input then gets
    the same output). ``normal`` points to the side that outputs 1; ``region`` is the polygon
    of the box on that side (the whole box, or [] when no point of it outputs 1), for shading.
    """
    lo, hi = box
    region = _region(w1, w2, b, box)
    ends = []
    if w2 != 0:  # crossings of the left and right edges: x₂ = −(w₁x₁ + b)/w₂
        ends += [(x1, -(w1 * x1 + b) / w2) for x1 in (lo, hi)]
    if w1 != 0:  # crossings of the bottom and top edges: x₁ = −(w₂x₂ + b)/w₁
        ends += [(-(w2 * x2 + b) / w1, x2) for x2 in (lo, hi)]
    eps = 1e-12 * (hi - lo)
    inside = sorted({(round(x1, 12), round(x2, 12)) for x1, x2 in ends
                     if lo - eps <= x1 <= hi + eps and lo - eps <= x2 <= hi + eps})
    if len(inside) < 2:  # no line, or it misses the box (or only touches a corner)
        return {"visible": False, "points": [], "normal": [w1, w2], "region": region}
    first, last = inside[0], inside[-1]  # the two extreme crossings (a corner may appear twice)
    return {"visible": True, "points": [[float(first[0]), float(first[1])], [float(last[0]), float(last[1])]],
            "normal": [w1, w2], "region": region}


def _region(w1: float, w2: float, b: float, box) -> list[list[float]]:
    """The part of the square box where w₁x₁ + w₂x₂ + b > 0, as a polygon (corners anticlockwise).

    Sutherland–Hodgman with one clipping half-plane: walk the square's edges, keep the corners
    inside, and add the point where an edge crosses the line, z(p + t(q − p)) = 0 at
    t = z(p) / (z(p) − z(q)).
    """
    lo, hi = box
    corners = ((lo, lo), (hi, lo), (hi, hi), (lo, hi))
    z = [w1 * x1 + w2 * x2 + b for x1, x2 in corners]
    out = []
    for i, p in enumerate(corners):
        j = (i + 1) % 4
        if z[i] > 0:
            out.append([float(p[0]), float(p[1])])
        if (z[i] > 0) != (z[j] > 0) and z[i] != z[j]:
            t = z[i] / (z[i] - z[j])
            q = corners[j]
            out.append([float(p[0] + t * (q[0] - p[0])), float(p[1] + t * (q[1] - p[1]))])
    return out


def perceptron(w1: float = 1.0, w2: float = 1.0, b: float = -1.5) -> dict:
    """Truth table and boundary line of a two-input perceptron (default: AND).

    Returns:
        ``{"weights": [w₁, w₂], "bias": b,
        "rows": [{"x": [x₁, x₂], "z": z, "output": ŷ}] × 4 (for 00, 01, 10, 11),
        "outputs": [ŷ₀₀, ŷ₀₁, ŷ₁₀, ŷ₁₁], "gate": "AND" | "OR" | "NAND" | "NOR" | "XOR" | None
        (the gate whose truth table it computes), "line": boundary_line(...), "box": [lo, hi]}``.
    """
    w1, w2, b = _weights(w1, w2, b)
    rows = []
    for x in INPUTS:
        z, out = _fire(w1, w2, b, x)
        rows.append({"x": list(x), "z": z, "output": out})
    outputs = tuple(r["output"] for r in rows)
    gate = next((name for name, t in TARGETS.items() if t == outputs), None)
    return {"weights": [w1, w2], "bias": b, "rows": rows, "outputs": list(outputs), "gate": gate,
            "line": boundary_line(w1, w2, b), "box": list(BOX)}


def presets() -> dict:
    """The four gates a perceptron can compute, with the weights that do it:
    ``{name: {"w1", "w2", "b", "outputs": [4 ints]}}``."""
    return {name: {"w1": w1, "w2": w2, "b": b, "outputs": list(TARGETS[name])}
            for name, (w1, w2, b) in PRESETS.items()}


def check_answer(w1: float, w2: float, b: float, answers) -> dict:
    """The notebook's question: which outputs does this perceptron give for 00, 01, 10, 11?

    Args:
        answers: the student's four outputs (each 0 or 1), in the order 00, 01, 10, 11.

    Returns:
        ``{"answers": [...], "expected": [...], "right": [bool] × 4, "score": k (of 4),
        "all_right": bool, "rows": perceptron(...)["rows"]}``.
    """
    if not isinstance(answers, (list, tuple)) or len(answers) != 4:
        raise InputError(f"answers must be a list of 4 outputs (for 00, 01, 10, 11), got {answers!r}")
    answers = [int_in_range(f"answers[{i}]", a, 0, 1) for i, a in enumerate(answers)]
    table = perceptron(w1, w2, b)
    right = [a == e for a, e in zip(answers, table["outputs"])]
    return {"answers": answers, "expected": table["outputs"], "right": right, "score": sum(right),
            "all_right": all(right), "rows": table["rows"]}


def xor_best_line(values=SEARCH_VALUES) -> dict:
    """Search every line (w₁, w₂, b) on a grid for the one that gets most of XOR right.

    Every combination of ``values`` (default 17 values from −2 to 2, so 17³ = 4,913 lines) is
    tried on the four XOR examples. No line gets all 4 (XOR is not linearly separable); the
    best get 3. The same grid realises every other one of the 16 possible truth tables except
    XNOR, so the grid is fine enough for 4 of 4 if a line could do it.

    Returns:
        ``{"lines_tried": n, "values": [...], "best_correct": 3, "best": {"w1", "w2", "b",
        "outputs", "right": [bool] × 4, "line"}, "count_by_correct": [n₀, n₁, n₂, n₃, n₄]
        (how many lines get 0, 1, 2, 3, 4 examples right), "tables_realised": k (of 16),
        "target": [0, 1, 1, 0]}``. The best line reported is the first found in the order
        w₁, w₂, b (each ascending), so it is the same every time.
    """
    values = [finite("values[]", v) for v in values]
    if not 2 <= len(values) <= 41:
        raise InputError(f"values must hold 2 to 41 numbers, got {len(values)}")
    grid = np.array(list(itertools.product(values, repeat=3)))      # (n, 3): w₁, w₂, b
    X = np.array(INPUTS, dtype=np.float64)                            # (4, 2)
    outputs = (grid[:, :2] @ X.T + grid[:, 2:3] > 0).astype(int)      # (n, 4): every line's table
    target = np.array(TARGETS["XOR"])
    correct = (outputs == target).sum(axis=1)                         # (n,)
    best = int(np.argmax(correct))  # argmax returns the first of the best
    w1, w2, b = (float(v) for v in grid[best])
    tables = {tuple(row) for row in outputs.tolist()}
    return {
        "lines_tried": len(grid),
        "values": values,
        "best_correct": int(correct[best]),
        "best": {"w1": w1, "w2": w2, "b": b, "outputs": outputs[best].tolist(),
                 "right": (outputs[best] == target).tolist(), "line": boundary_line(w1, w2, b)},
        "count_by_correct": np.bincount(correct, minlength=5).tolist(),
        "tables_realised": len(tables),
        "target": target.tolist(),
    }


TWO_LAYER_UNITS = (  # hidden OR and NAND read x; the output AND reads (h_OR, h_NAND)
    ("OR", "hidden", PRESETS["OR"]),
    ("NAND", "hidden", PRESETS["NAND"]),
    ("AND", "output", PRESETS["AND"]),
)


def two_layer_xor() -> dict:
    """XOR with two layers of perceptrons: h₁ = OR(x), h₂ = NAND(x), ŷ = AND(h₁, h₂).

    OR is 1 unless both inputs are 0; NAND is 1 unless both are 1; both hold exactly for 01
    and 10. Each hidden unit draws one line; the output unit keeps the band between them.

    Returns:
        ``{"units": [{"name", "layer": "hidden" | "output", "w1", "w2", "b", "inputs": names,
        "outputs": [4 ints], "line"}] × 3, "rows": [{"x", "hidden": [h₁, h₂], "z_out",
        "output", "target"}] × 4, "outputs": [0, 1, 1, 0], "matches_xor": True}``.
    """
    (_, _, (o1, o2, ob)), (_, _, (n1, n2, nb)), (_, _, (a1, a2, ab)) = TWO_LAYER_UNITS
    rows, hidden_out, final_out = [], [], []
    for x, t in zip(INPUTS, TARGETS["XOR"]):
        h = (_fire(o1, o2, ob, x)[1], _fire(n1, n2, nb, x)[1])
        z, y = _fire(a1, a2, ab, h)
        rows.append({"x": list(x), "hidden": list(h), "z_out": z, "output": y, "target": t})
        hidden_out.append(h)
        final_out.append(y)
    unit_outputs = [[h[0] for h in hidden_out], [h[1] for h in hidden_out], final_out]
    units = []
    for (name, layer, (w1, w2, b)), outs in zip(TWO_LAYER_UNITS, unit_outputs):
        units.append({"name": name, "layer": layer, "w1": w1, "w2": w2, "b": b,
                      "inputs": ["x1", "x2"] if layer == "hidden" else ["h1", "h2"],
                      "outputs": outs, "line": boundary_line(w1, w2, b)})
    return {"units": units, "rows": rows, "outputs": final_out,
            "matches_xor": final_out == list(TARGETS["XOR"])}


def start_state() -> dict:
    """The learning rule's start: w = (0, 0), b = 0, no step taken."""
    return {"w1": 0.0, "w2": 0.0, "b": 0.0, "step": 0}


def _state(state) -> tuple[float, float, float, int]:
    if state is None:
        state = start_state()
    if not isinstance(state, dict) or set(state) != {"w1", "w2", "b", "step"}:
        raise InputError(f"state must be a dict with keys w1, w2, b, step (or None to start), got {state!r}")
    w1, w2, b = _weights(state["w1"], state["w2"], state["b"])
    return w1, w2, b, non_negative_int("state.step", state["step"])


def learn_step(state: dict | None = None, data: str = "AND", lr: float = 1.0) -> dict:
    """One update of the perceptron learning rule on one example of a gate's truth table.

    The example is number ``step mod 4`` in the order 00, 01, 10, 11 (an epoch is 4 steps):

        ŷ = step(w·x + b);  error = y − ŷ;  w ← w + η·error·x;  b ← b + η·error

    Args:
        state: ``{"w1", "w2", "b", "step"}`` from the last call (None: start at zeros).
        data: the gate to learn: ``"AND"``, ``"OR"``, ``"NAND"``, ``"NOR"`` or ``"XOR"``.
        lr: the learning rate η, in (0, 10].

    Returns:
        ``{"state": next state (send it back), "example": {"index", "x", "target", "z",
        "output", "error"}, "update": {"delta_w": [η·e·x₁, η·e·x₂], "delta_b": η·e},
        "changed": bool, "before": {"w1", "w2", "b"}, "after": {"w1", "w2", "b"},
        "table": perceptron(after) (outputs, line), "correct": k (of 4 after the update),
        "converged": bool (all 4 right: no further update changes anything),
        "epoch": completed passes over the 4 examples, "data": the gate's name,
        "target": its truth table [4 ints]}``.
    """
    data = choice("data", data, TARGETS)
    lr = number_in_range("lr", lr, 0.0, MAX_LEARNING_RATE, low_open=True)
    w1, w2, b, step = _state(state)
    index = step % 4
    x, y = INPUTS[index], TARGETS[data][index]
    z, out = _fire(w1, w2, b, x)
    error = y - out
    delta = (lr * error * x[0], lr * error * x[1], lr * error)
    new = (w1 + delta[0], w2 + delta[1], b + delta[2])
    if max(abs(v) for v in new) > MAX_WEIGHT:
        raise InputError(f"the update would take a weight beyond ±{MAX_WEIGHT:g}; start again with a smaller lr")
    table = perceptron(*new)
    correct = sum(o == t for o, t in zip(table["outputs"], TARGETS[data]))
    return {
        "state": {"w1": new[0], "w2": new[1], "b": new[2], "step": step + 1},
        "example": {"index": index, "x": list(x), "target": y, "z": z, "output": out, "error": error},
        "update": {"delta_w": [delta[0], delta[1]], "delta_b": delta[2]},
        "changed": error != 0,
        "before": {"w1": w1, "w2": w2, "b": b},
        "after": {"w1": new[0], "w2": new[1], "b": new[2]},
        "table": table,
        "correct": correct,
        "converged": correct == 4,
        "epoch": (step + 1) // 4,
        "data": data,
        "target": list(TARGETS[data]),
    }
