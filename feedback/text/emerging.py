"""Emerging themes: group negative answers that match no theme into candidate new themes.

TF-IDF over words and word pairs (stopwords removed, accents folded, plurals trimmed), cosine
similarity, then greedy "leader" clustering: the answer with most close neighbours seeds a group.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from feedback.text.cleaning import clean_text
from feedback.text.lexicons import lexicon
from feedback.text.tokens import fold, tokenize

_MAX_ANSWERS = 3000  # the similarity matrix is n x n
_EXTRA_STOP = frozenset(
    [
        "i'm",
        "it's",
        "im",
        "ive",
        "cest",
        "c'est",
        "tres",
        "very",
        "really",
        "also",
        "aussi",
        "fois",
        "time",
        "day",
        "jour",
        "jours",
        "semaine",
        "semaines",
        "week",
        "weeks",
        "still",
        "toujours",
        "encore",
        "again",
        "even",
        "meme",
    ]
)


@dataclass(frozen=True)
class EmergingTheme:
    """A candidate theme: suggested key/name, keywords, size, member ids and example quotes."""

    key: str
    name: str
    keywords: list[str]
    size: int
    answer_ids: list[Any] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; keywords can seed a custom codebook theme."""
        return {
            "key": self.key,
            "name": self.name,
            "keywords": list(self.keywords),
            "size": self.size,
            "answer_ids": list(self.answer_ids),
            "examples": list(self.examples),
        }


def _terms(text: str, stop: frozenset[str]) -> list[str]:
    words = []
    for token in tokenize(fold(clean_text(text))):
        if not token[0].isalpha() or token.endswith("'") or token in stop or len(token) < 3:
            continue
        if len(token) > 4 and token[-1] in "sx":
            token = token[:-1]  # crude plural folding: colis/colis, delays/delay
        words.append(token)
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return words + pairs


def _normalise(answers: Iterable[Any]) -> list[tuple[Any, str]]:
    rows = []
    for index, item in enumerate(answers):
        if isinstance(item, Mapping):
            rows.append((item.get("id", index), str(item.get("text") or "")))
        elif isinstance(item, tuple | list) and len(item) == 2:
            rows.append((item[0], str(item[1] or "")))
        else:
            rows.append((index, str(item or "")))
    return rows[:_MAX_ANSWERS]


def emerging_themes(
    answers: Iterable[Any],
    *,
    min_size: int = 3,
    max_themes: int = 10,
    similarity: float = 0.25,
    examples: int = 3,
) -> list[EmergingTheme]:
    """Group answers ((id, text) pairs or {"id", "text"} dicts) into candidate themes."""
    import numpy as np  # only this function needs numpy; keep `analyze` imports light

    rows = [(i, t) for i, t in _normalise(answers) if t.strip()]
    stop = lexicon("en").stopwords | lexicon("fr").stopwords | _EXTRA_STOP
    docs = [_terms(text, stop) for _, text in rows]
    keep = [k for k, d in enumerate(docs) if d]
    if len(keep) < min_size:
        return []
    rows = [rows[k] for k in keep]
    docs = [docs[k] for k in keep]
    df = Counter(term for doc in docs for term in set(doc))
    vocab = {term: j for j, term in enumerate(t for t, c in df.items() if c >= 2)}
    if not vocab:
        return []
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab])
    matrix = np.zeros((n, len(vocab)))
    for row, doc in enumerate(docs):
        for term, count in Counter(doc).items():
            j = vocab.get(term)
            if j is not None:
                matrix[row, j] = (1.0 + math.log(count)) * idf[j]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    sims = matrix @ matrix.T
    close = sims >= similarity
    unassigned = np.ones(n, dtype=bool)
    terms = list(vocab)
    themes: list[EmergingTheme] = []
    while len(themes) < max_themes:
        degree = (close & unassigned[None, :]).sum(axis=1) * unassigned
        seed = int(np.argmax(degree))
        if degree[seed] < min_size:
            break
        members = np.flatnonzero(close[seed] & unassigned)
        unassigned[members] = False
        centroid = matrix[members].mean(axis=0)
        top = [terms[j] for j in np.argsort(-centroid)[:8] if centroid[j] > 0]
        keywords = _pick_keywords(top)
        order = members[np.argsort(-(matrix[members] @ centroid))]
        themes.append(
            EmergingTheme(
                key=_slug(keywords[0]) if keywords else f"emerging_{len(themes) + 1}",
                name=" / ".join(keywords[:2]).capitalize(),
                keywords=keywords,
                size=int(len(members)),
                answer_ids=[rows[k][0] for k in order],
                examples=[rows[k][1][:200] for k in order[:examples]],
            )
        )
    return themes


def _pick_keywords(top: list[str]) -> list[str]:
    # Prefer word pairs ("frais douane") and drop single words they already contain.
    pairs = [t for t in top if " " in t]
    singles = [t for t in top if " " not in t and not any(t in p.split() for p in pairs)]
    return (pairs + singles)[:5]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")[:48] or "emerging"
