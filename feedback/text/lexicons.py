"""Load the sentiment, modifier, emotion and emoji lexicons once, per language.

TextBlob's Pattern lexicons (en-sentiment.xml, textblob-fr's fr-sentiment.xml) are the base;
the Parcours data files in ``data/`` are merged over them (an entry there wins).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from feedback.text import textblob_fr_fix
from feedback.text.tokens import fold, tokenize

textblob_fr_fix.apply()  # before textblob_fr loads any of its files

LANGUAGES = ("en", "fr")
_REPEATS = re.compile(r"(\w)\1{2,}")

NEGATION = 1
CONTRAST = 2
CONCESSIVE = 4
BREAK = 8
REINFORCER = 16

_EMOTION_LEAN = {
    "joy": 0.5,
    "trust": 0.5,
    "anticipation": 0.3,
    "surprise": 0.0,
    "fear": -0.4,
    "sadness": -0.5,
    "disgust": -0.6,
    "anger": -0.6,
}


@dataclass(slots=True)
class Entry:
    """What one word or token sequence contributes: polarity, modifier, emotions, role."""

    polarity: float | None = None
    subjectivity: float = 0.0
    negated: float | None = None
    factor: float | None = None
    emotions: tuple[tuple[str, float], ...] = ()
    role: int = 0
    has_negation: bool = False
    from_overlay: bool = False
    blocked: bool = False


@dataclass(slots=True)
class Lexicon:
    """All entries of one language: single tokens and token sequences (longest first)."""

    language: str
    words: dict[str, Entry] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], Entry]]] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    sarcasm_openers: tuple[tuple[str, ...], ...] = ()
    opener_firsts: frozenset[str] = frozenset()

    def entry(self, term: tuple[str, ...]) -> Entry:
        """Return the entry for a token sequence, creating it when missing."""
        if len(term) == 1:
            return self.words.setdefault(term[0], Entry())
        bucket = self.phrases.setdefault(term[0], [])
        for existing, entry in bucket:
            if existing == term:
                return entry
        entry = Entry()
        bucket.append((term, entry))
        bucket.sort(key=lambda item: -len(item[0]))
        return entry


def _data_text(name: str) -> str:
    return (
        resources.files("feedback.text").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    )


def _tsv_rows(name: str) -> list[dict[str, str]]:
    lines = [line for line in _data_text(name).splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _term(text: str) -> tuple[str, ...]:
    return tuple(tokenize(fold(text)))


@cache
def rules() -> dict:
    """Negation, contrast and language-cue rules (data/rules.json)."""
    return json.loads(_data_text("rules.json"))


def _pattern_base(language: str) -> dict[str, tuple[float, float, float, bool]]:
    # {folded word: (polarity, subjectivity, intensity, is_adverb)} from TextBlob's lexicons.
    if language == "en":
        from textblob.en import sentiment as pattern
    else:
        from textblob_fr.fr import sentiment as pattern
    pattern.load()
    base: dict[str, tuple[float, float, float, bool]] = {}
    for word, by_pos in dict.items(pattern):
        p, s, i = by_pos[None]
        key = fold(word)
        # Keep the accented form's score when folding makes two words collide.
        if key not in base or key == word:
            base[key] = (p, s, i, "RB" in by_pos)
    return base


@cache
def lexicon(language: str) -> Lexicon:
    """Build (once) the merged lexicon for "en" or "fr"."""
    r = rules()
    lex = Lexicon(language=language)
    for word, (p, s, i, adverb) in _pattern_base(language).items():
        entry = lex.entry((word,))
        if adverb and i != 1.0:
            entry.factor = i
            # A weak adverb ("very" 0.2) only modifies; a strong one still counts on its own.
            entry.polarity = p if abs(p) >= 0.3 else None
        else:
            entry.polarity = p
        entry.subjectivity = s
    for row in _tsv_rows(f"sentiment_{language}.tsv"):
        entry = lex.entry(_term(row["term"]))
        # "-" blocks a Pattern word that misleads on feedback ("feels like", "amie").
        entry.polarity = None if row["polarity"] == "-" else float(row["polarity"])
        entry.blocked = row["polarity"] == "-"
        entry.subjectivity = float(row["subjectivity"])
        entry.negated = float(row["negated"]) if row.get("negated") else None
        entry.from_overlay = True
    for row in _tsv_rows("modifiers.tsv"):
        if row["language"] == language:
            entry = lex.entry(_term(row["term"]))
            entry.factor = float(row["factor"])
            if entry.polarity is not None and not entry.from_overlay:
                entry.polarity = None
    for row in _tsv_rows("emotions.tsv"):
        if row["language"] == language:
            entry = lex.entry(_term(row["term"]))
            entry.emotions += ((row["emotion"], float(row["weight"])),)
    for row in _tsv_rows("emoji.tsv"):
        entry = lex.entry(_term(row["symbol"]))
        # "-" blocks a Pattern word that misleads on feedback ("feels like", "amie").
        entry.polarity = None if row["polarity"] == "-" else float(row["polarity"])
        entry.blocked = row["polarity"] == "-"
        entry.subjectivity = 1.0
        entry.from_overlay = True
        if row.get("emotion"):
            entry.emotions = ((row["emotion"], 1.0),)
    # An emotion cue that no sentiment source scores still says which way the answer leans.
    for entry in _all_entries(lex):
        if entry.polarity is None and entry.factor is None and entry.emotions and not entry.blocked:
            lean = sum(_EMOTION_LEAN[name] * weight for name, weight in entry.emotions)
            entry.polarity = max(-1.0, min(1.0, lean))
            entry.subjectivity = 0.8
    negations = {fold(w) for w in r["negations"][language]}
    for word in negations:
        entry = lex.entry(_term(word))
        entry.role |= NEGATION
        if not entry.from_overlay:
            entry.polarity = None
            entry.factor = None
    for word in r["contrast_after"][language]:
        lex.entry(_term(word)).role |= CONTRAST
    for word in r["concessive"][language]:
        lex.entry(_term(word)).role |= CONCESSIVE
    for word in r["negation_reinforcers"][language]:
        lex.entry(_term(word)).role |= REINFORCER
    for word in r["scope_breakers"]:
        if len(_term(word)) == 1:
            lex.entry(_term(word)).role |= BREAK
    # A multi-word term that contains a negation already accounts for it ("never delivered").
    for bucket in lex.phrases.values():
        for term, entry in bucket:
            entry.has_negation = any(
                t in negations or (language == "en" and t.endswith("n't")) for t in term
            )
    lex.stopwords = frozenset(fold(w) for w in r["stopwords"][language])
    lex.sarcasm_openers = tuple(_term(w) for w in r["sarcasm_openers"][language])
    lex.opener_firsts = frozenset(term[0] for term in lex.sarcasm_openers)
    return lex


def _all_entries(lex: Lexicon) -> list[Entry]:
    return list(lex.words.values()) + [e for bucket in lex.phrases.values() for _, e in bucket]


def lookup(lex: Lexicon, token: str) -> Entry | None:
    """Return the entry of a single token, trying light normalisations for unknown forms."""
    entry = lex.words.get(token)
    if entry is not None:
        return entry
    return _lookup_variant(lex.language, token)


@cache
def _variants_cache() -> dict[tuple[str, str], Entry | None]:
    return {}


def _lookup_variant(language: str, token: str) -> Entry | None:
    cache_ = _variants_cache()
    key = (language, token)
    if key in cache_:
        return cache_[key]
    words = lexicon(language).words
    found: Entry | None = None
    candidates: list[str] = []
    if "'" in token and language == "en":
        if token.endswith("n't") or token in ("cant", "dont", "wont"):
            found = words.get("not")
        elif token.endswith("'s"):
            candidates.append(token[:-2])
    if _REPEATS.search(token):
        candidates += [_REPEATS.sub(r"\1", token), _REPEATS.sub(r"\1\1", token)]
    if len(token) > 4 and token.endswith("s"):
        candidates.append(token[:-1])
    if language == "fr" and len(token) > 4:
        if token.endswith("es"):
            candidates.append(token[:-2])
        elif token.endswith("e"):
            candidates.append(token[:-1])
    for candidate in candidates:
        if found is not None:
            break
        found = words.get(candidate)
    if len(cache_) < 200_000:  # bounded: feedback vocabularies are Zipfian
        cache_[key] = found
    return found
