"""Step ``data``, text as vectors: word vectors learned from ml2dl's own medical corpus.

How the vectors are made (the page says this too):

1. the corpus (``ml2dl.data.medical_corpus``, ~100 sentences written for ml2dl, CC0) is split
   into words; small function words ("the", "and", …) are dropped;
2. every word seen at least ``MIN_COUNT`` times gets a row and a column of a co-occurrence table
   C: C[w, c] = how often c appears within ``WINDOW`` words of w;
3. the counts become positive pointwise mutual information, how much more often than chance
   the pair appears (context counts smoothed by the power 0.75, Levy, Goldberg & Dagan 2015):
       PPMI[w, c] = max(0, log( P(w, c) / (P(w) · P_α(c)) ))
4. the table is reduced by a singular value decomposition to its ``DIM`` strongest directions:
   PPMI ≈ U Σ Vᵀ, word vectors = U_d · Σ_d^½ (each word is ``DIM`` numbers);
5. for the picture the vectors (scaled to length 1) are projected on their two principal
   components (PCA); neighbours are found in all ``DIM`` numbers by cosine similarity
       cos(a, b) = a·b / (‖a‖ ‖b‖).

Deterministic: no random numbers; the sign of each SVD/PCA direction is fixed (its largest
component positive). Computed once per process at first use (a few milliseconds).
"""

from __future__ import annotations

import functools
from collections import Counter

import numpy as np

from ml2dl.checks import InputError, int_in_range
from ml2dl.data import medical_corpus

WINDOW = 3
MIN_COUNT = 2
DIM = 16
ALPHA = 0.75
MAX_NEIGHBOURS = 12
STOPWORDS = frozenset("""
a an the and or but of in on at to for from with by as is are was were be been has have had it its
this that these those every each some all after before into through against not can than also up
two three six on of
""".split())
FEATURED = ("health", "treatment", "medical", "patient", "doctors", "disease", "nutrition")


def _fix_signs(m: np.ndarray) -> np.ndarray:
    """Flip each column so that its largest-magnitude entry is positive (SVD's sign is arbitrary)."""
    idx = np.argmax(np.abs(m), axis=0)
    return m * np.sign(m[idx, np.arange(m.shape[1])])


@functools.lru_cache(maxsize=1)
def embedding() -> dict:
    """The vocabulary, its counts, the word vectors (V, DIM) and the 2-D picture (V, 2)."""
    sents = [[w for w in s if w not in STOPWORDS] for s in medical_corpus.sentences()]
    counts = Counter(w for s in sents for w in s)
    vocab = sorted(w for w, n in counts.items() if n >= MIN_COUNT)
    index = {w: i for i, w in enumerate(vocab)}
    co = np.zeros((len(vocab), len(vocab)))
    for s in sents:
        for i, w in enumerate(s):
            if w not in index:
                continue
            for j in range(max(0, i - WINDOW), min(len(s), i + WINDOW + 1)):
                if j != i and s[j] in index:
                    co[index[w], index[s[j]]] += 1
    total = co.sum()
    p_w = co.sum(axis=1) / total
    ctx = co.sum(axis=0) ** ALPHA
    p_c = ctx / ctx.sum()
    with np.errstate(divide="ignore"):
        pmi = np.log(co / total) - np.log(p_w[:, None]) - np.log(p_c[None, :])
    ppmi = np.where(co > 0, np.maximum(pmi, 0.0), 0.0)
    u, s, _ = np.linalg.svd(ppmi)
    vectors = _fix_signs(u[:, :DIM]) * np.sqrt(s[:DIM])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    centred = unit - unit.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    axes = _fix_signs(vt[:2].T)
    xy = centred @ axes
    explained = (sv[:2] ** 2 / (sv ** 2).sum())
    return {"vocab": vocab, "counts": [counts[w] for w in vocab], "vectors": vectors, "unit": unit, "xy": xy,
            "explained": explained, "sentences": len(sents), "tokens": sum(len(s) for s in sents),
            "singular_values": s}


def words() -> dict:
    """Every word's 2-D position and count, and how the vectors were made (with its numbers)."""
    e = embedding()
    return {
        "words": [{"word": w, "x": round(float(x), 4), "y": round(float(y), 4), "count": int(n),
                   "featured": w in FEATURED}
                  for w, (x, y), n in zip(e["vocab"], e["xy"], e["counts"])],
        "featured": [w for w in FEATURED if w in e["vocab"]],
        "x_range": _padded(e["xy"][:, 0]), "y_range": _padded(e["xy"][:, 1]),
        "how": {"sentences": e["sentences"], "tokens": e["tokens"], "vocabulary": len(e["vocab"]),
                "window": WINDOW, "min_count": MIN_COUNT, "dimensions": DIM, "alpha": ALPHA,
                "explained_percent": [round(100 * float(v), 1) for v in e["explained"]],
                "corpus": "about 100 plain sentences about medicine written for ml2dl",
                "licence": "CC0 1.0 (public domain)"},
    }


def _padded(v: np.ndarray, margin: float = 0.12) -> list[float]:
    """The axis range of the picture: the values' span with room for the labels."""
    lo, hi = float(v.min()), float(v.max())
    pad = margin * (hi - lo)
    return [round(lo - pad, 4), round(hi + pad, 4)]


def neighbours(word: str, k: int = 5) -> dict:
    """The ``k`` words whose vectors have the largest cosine similarity with ``word``'s."""
    e = embedding()
    key = str(word).strip().lower()
    if key not in e["vocab"]:
        raise InputError(f"word must be one of the {len(e['vocab'])} words of the corpus's vocabulary, got {word!r:.40}")
    k = int_in_range("k", k, 1, MAX_NEIGHBOURS)
    i = e["vocab"].index(key)
    cos = e["unit"] @ e["unit"][i]
    order = [j for j in np.argsort(-cos, kind="stable") if j != i][:k]
    return {"word": key, "vector": [round(float(v), 4) for v in e["vectors"][i]],
            "neighbours": [{"word": e["vocab"][j], "cosine": round(float(cos[j]), 4)} for j in order]}
