"""Step ``quiz`` and the check at the end of a step: questions whose answers the engine computes.

A question is named by its ``kind`` and a ``seed``: the seed draws the question's numbers, so the
page never needs the answer. The server recomputes the question from (kind, seed) when the
student answers (:func:`check`) and only then says the answer and how it is worked out.
Seed 0 is the course's own numbers where the course has them:

    perceptron    w = (1, 1), b = −1.5 (AND), x = (1, 1)          → 1
    dense_params  a 10-10-10-10 network: 3 × (10·10 + 10)           → 330
    fc_vs_conv    100 pixels into 10 nodes vs a 3 × 3 conv, 10 maps → 1,010 vs 100: the dense layer

The other kinds: conv_params, conv_shape, pool_shape (⌊(n + 2p − k)/s⌋ + 1), sigmoid
σ(z) = 1/(1 + e^(−z)), cross_entropy −ln p_true, gd_step w − η·∂L/∂w, batches ⌈N/b⌉,
kernel_value Σ kernel·patch, vanishing 100·0.25ⁿ %, rnn_params H·I + H·H + 2H. Every
answer comes from the engine (``nn`` layers' parameter counts and output shapes, ``nn.Step``,
``nn.functional.sigmoid``, ``nn.CrossEntropyLoss``, ``optim.SGD``, ``nn.Conv2d``, ``nn.RNN``,
``nn.Sigmoid``'s backward) or the loop lesson's plan.

Numbers asked "to two decimals" are right within 0.01. Nothing about the student is kept:
:func:`score` scores a list of answers the page sends back.
"""

from __future__ import annotations

import zlib

import numpy as np

from ml2dl.checks import InputError, choice, finite, int_in_range, non_negative_int
from ml2dl.lessons.quiz_kinds import KINDS, Kind

__all__ = ["KINDS", "Kind", "check", "kinds", "question", "quiz_set", "score"]

MAX_SEED = 1_000_000
MAX_SET = 12
TOLERANCE = 0.01  # "to two decimals"


# ------------------------------------------------------------------------------ the API


def kinds() -> list[dict]:
    """Every kind: name, title, the step it belongs to, its answer type and choices."""
    return [{"kind": k.name, "title": k.title, "step": k.step, "answer_type": k.answer_type,
             "choices": list(k.choices), "course": k.course is not None} for k in KINDS.values()]


def _numbers(kind: Kind, seed: int) -> dict:
    if seed == 0 and kind.course is not None:
        return dict(kind.course)
    return kind.draw(np.random.default_rng([zlib.crc32(kind.name.encode()), seed]))


def _kind(name) -> Kind:
    return KINDS[choice("kind", name, list(KINDS))]


def question(kind: str, seed: int = 0) -> dict:
    """The question (kind, seed): its numbers and wording, never its answer."""
    k = _kind(kind)
    seed = int_in_range("seed", seed, 0, MAX_SEED)
    q = _numbers(k, seed)
    following = next((s for s in range(seed + 1, min(seed + 64, MAX_SEED + 1)) if _numbers(k, s) != q), None)
    return {"kind": k.name, "seed": seed, "next_seed": following, "title": k.title, "step": k.step, "answer_type": k.answer_type,
            "choices": list(k.choices), "numbers": q, "text": k.ask(q),
            "course": seed == 0 and k.course is not None}


def _read(k: Kind, answer) -> str | float:
    if k.answer_type == "choice":
        if str(answer) not in k.choices:
            raise InputError(f"answer must be one of {', '.join(k.choices)}; got {str(answer)[:40]!r}")
        return str(answer)
    if isinstance(answer, str):
        try:
            answer = float(answer.replace(",", "").replace("−", "-"))
        except ValueError:
            raise InputError(f"answer must be a number, got {answer[:40]!r}") from None
    return finite("answer", answer)


def check(kind: str, seed: int, answer) -> dict:
    """Recompute question (kind, seed), compare ``answer`` and explain.

    ``correct``: the same choice; for "int" the same whole number; for "number" within 0.01.
    """
    q = question(kind, seed)
    k = KINDS[q["kind"]]
    given = _read(k, answer)
    right, working = k.solve(q["numbers"])
    if k.answer_type == "choice":
        correct = given == right
    elif k.answer_type == "int":
        correct = float(given) == float(right)
    else:
        correct = abs(float(given) - float(right)) <= TOLERANCE + 1e-9
    if k.answer_type == "int":
        right = int(right)
    shown = right if k.answer_type != "number" else round(float(right), 2)
    if k.answer_type != "choice":
        given = int(given) if float(given).is_integer() else float(given)
    return {**q, "answer": given, "correct": bool(correct),
            "right_answer": shown, "exact": right, "working": working}


def quiz_set(seed: int = 0, count: int = 8) -> dict:
    """A mixed set of ``count`` questions: kinds in an order drawn from ``seed``, each with its own seed.

    Set 0 starts with the course's three questions (their seed 0), then the rest.
    """
    seed = int_in_range("seed", seed, 0, MAX_SEED)
    count = int_in_range("count", count, 1, MAX_SET)
    rng = np.random.default_rng([7, seed])
    names = list(KINDS)
    if seed == 0:
        course = [n for n in names if KINDS[n].course is not None]
        order = course + [names[i] for i in rng.permutation(len(names)) if names[i] not in course]
    else:
        order = [names[i] for i in rng.permutation(len(names))]
    picks = [order[i % len(order)] for i in range(count)]
    seeds = [0 if seed == 0 and KINDS[n].course is not None and i < len(order) else
             int(rng.integers(1, MAX_SEED)) for i, n in enumerate(picks)]
    return {"seed": seed, "count": count, "questions": [question(n, s) for n, s in zip(picks, seeds)]}


def score(answers: list[dict]) -> dict:
    """Check every ``{"kind", "seed", "answer"}`` and count the right ones (nothing is stored)."""
    if not isinstance(answers, list) or len(answers) > MAX_SET:
        raise InputError(f"answers must be a list of at most {MAX_SET}, got {answers!r:.60}")
    results = [check(a["kind"], a["seed"], a["answer"]) for a in answers]
    right = sum(r["correct"] for r in results)
    non_negative_int("right", right)
    return {"right": right, "total": len(results), "results": results,
            "fraction": right / len(results) if results else None}
