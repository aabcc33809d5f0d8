"""Pain-point codebook: themes with FR/EN patterns, the default set, and custom themes merged in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from feedback.text.emotions import EMOTIONS
from feedback.text.tokens import fold

# Up to three words between two parts of a pattern ("delivery ~ late").
_GAP = r"(?: [^ ]+){0,3} (?:[a-z]+')?"
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A theme match right after one of these words is negated ("no delay", "pas de retard").
_NEGATED_BEFORE = re.compile(
    r"(?:^|[^a-z'])(?:no|not|never|without|[a-z]+n't|sans|pas|pas de|pas d'|aucun|aucune|ni|zero)"
    r" (?:[a-z']+ )?$"
)


def _compile_pattern(pattern: str) -> str:
    body = fold(pattern).strip()
    body = re.sub(r"\s+~\s+", "~", body).replace("~", _GAP)
    return body


def keyword_pattern(keyword: str) -> str:
    """Turn a plain keyword ("colis perdu", "rembours*") into a safe pattern (no regex syntax)."""
    words = fold(keyword).split()
    parts = []
    for word in words:
        star = word.endswith("*")
        escaped = re.escape(word.rstrip("*"))
        parts.append(escaped + ("[^ ]*" if star else ""))
    return " ".join(parts)


@dataclass(frozen=True)
class Theme:
    """One codebook entry: key, labels per language, description and patterns per language."""

    key: str
    label: dict[str, str] = field(default_factory=dict)
    description: str = ""
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    emotion: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], key: str | None = None) -> Theme:
        """Build a theme from JSON-like data; "keywords" are literal, "patterns" are regexes."""
        key = str(key or data.get("key") or "").strip()
        if not _KEY_RE.match(key):
            raise ValueError(f"invalid theme key: {key!r} (use lower_snake_case)")
        label = data.get("label") or {}
        if isinstance(label, str):
            label = {"en": label, "fr": label}
        patterns: dict[str, list[str]] = {}
        for source, convert in (("patterns", str), ("keywords", keyword_pattern)):
            value = data.get(source) or {}
            if isinstance(value, str | list | tuple):
                value = {"any": [value] if isinstance(value, str) else list(value)}
            for language, items in value.items():
                patterns.setdefault(language, []).extend(
                    convert(p) for p in items if str(p).strip()
                )
        theme = cls(
            key=key,
            label={str(k): str(v) for k, v in dict(label).items()},
            description=str(data.get("description") or ""),
            patterns={lang: tuple(items) for lang, items in patterns.items()},
            emotion=_emotion_or_none(data.get("emotion")),
        )
        theme.regex()  # fail early on an invalid pattern
        return theme

    def regex(self) -> re.Pattern[str]:
        """All patterns of all languages as one whole-word regex over folded text."""
        return _theme_regex(tuple(p for items in self.patterns.values() for p in items))

    def merged_with(self, other: Theme) -> Theme:
        """This theme with another's patterns added and its labels/description preferred."""
        patterns = {lang: tuple(items) for lang, items in self.patterns.items()}
        for lang, items in other.patterns.items():
            patterns[lang] = patterns.get(lang, ()) + tuple(items)
        return Theme(
            key=self.key,
            label={**self.label, **other.label},
            description=other.description or self.description,
            patterns=patterns,
            emotion=other.emotion or self.emotion,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the same shape Theme.from_dict reads)."""
        return {
            "key": self.key,
            "label": dict(self.label),
            "description": self.description,
            "patterns": {lang: list(items) for lang, items in self.patterns.items()},
            "emotion": self.emotion,
        }


def _emotion_or_none(value: object) -> str | None:
    if not value:
        return None
    if value not in EMOTIONS:
        raise ValueError(f"unknown emotion: {value!r}")
    return str(value)


@cache
def _theme_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!x)x")
    body = "|".join(f"(?:{_compile_pattern(p)})" for p in patterns)
    try:
        return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")
    except re.error as exc:
        raise ValueError(f"invalid theme pattern: {exc}") from exc


def _required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which occurs in every match of a pattern, or None when unknown."""
    try:
        import re._parser as sre_parse  # stdlib parser; only used to speed matching up

        return _required(list(sre_parse.parse(pattern)))
    except Exception:  # noqa: BLE001 - unknown shapes just disable the prefilter
        return None


def _required(items: list) -> frozenset[str] | None:
    import re._constants as c

    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, arg in items:
        if op is c.LITERAL:
            run.append(chr(arg))
            continue
        flush()
        found: frozenset[str] | None = None
        if op is c.SUBPATTERN:
            found = _required(list(arg[3]))
        elif op is c.BRANCH:
            branches = [_required(list(alt)) for alt in arg[1]]
            if all(b is not None for b in branches):
                found = frozenset().union(*branches)  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
            found = _required(list(arg[2]))
        if found:
            candidates.append(found)
    flush()
    if not candidates:
        return None
    # The most selective choice: the set whose shortest string is longest.
    return max(candidates, key=lambda lits: (min(map(len, lits)), -len(lits)))


class Codebook:
    """An ordered set of themes; match() returns the keys found in a text."""

    def __init__(self, themes: Iterable[Theme]):
        self._themes: dict[str, Theme] = {}
        for theme in themes:
            previous = self._themes.get(theme.key)
            self._themes[theme.key] = previous.merged_with(theme) if previous else theme
        # Each theme's regex only runs when one of its required literals occurs in the text:
        # a substring test is far cheaper than a regex scan at every position.
        # Patterns are compiled one by one and a pattern only runs when one of its required
        # literals occurs in the text: a substring test is far cheaper than a regex scan.
        self._patterns: list[tuple[int, str, re.Pattern[str]]] = []
        self._always: set[int] = set()
        self._short: list[tuple[int, str]] = []
        self._by_prefix: dict[str, list[tuple[int, str]]] = {}
        for order, (key, theme) in enumerate(self._themes.items()):
            theme.regex()  # validates the whole theme
            for items in theme.patterns.values():
                for pattern in items:
                    index = len(self._patterns)
                    self._patterns.append((order, key, _theme_regex((pattern,))))
                    literals = _required_literals(_compile_pattern(pattern))
                    if not literals or "" in literals:
                        self._always.add(index)
                        continue
                    for literal in literals:
                        if len(literal) < 3:
                            self._short.append((index, literal))
                        else:
                            self._by_prefix.setdefault(literal[:3], []).append((index, literal))

    @classmethod
    @cache
    def default(cls) -> Codebook:
        """The default pain-point codebook shipped in data/codebook.json."""
        raw = resources.files("feedback.text").joinpath("data").joinpath("codebook.json")
        data = json.loads(raw.read_text(encoding="utf-8"))
        return cls(Theme.from_dict(value, key=key) for key, value in data["themes"].items())

    def merged(self, extra: Iterable[Theme | Mapping[str, Any]] | Mapping[str, Any]) -> Codebook:
        """A new codebook: these themes plus extra ones; a known key gets the extra patterns."""
        if isinstance(extra, Mapping):  # {key: {...}} form
            extra = [Theme.from_dict(value, key=key) for key, value in extra.items()]
        themes = [t if isinstance(t, Theme) else Theme.from_dict(t) for t in extra]
        return Codebook([*self._themes.values(), *themes])

    def _candidates(self, folded: str) -> list[int]:
        # Patterns whose required literals occur: literals are looked up by their first three
        # characters among the text's 3-grams instead of testing every literal.
        found = set(self._always)
        for index, literal in self._short:
            if index not in found and literal in folded:
                found.add(index)
        by_prefix = self._by_prefix
        for gram in {folded[i : i + 3] for i in range(len(folded) - 2)}:
            for index, literal in by_prefix.get(gram, ()):
                if index not in found and literal in folded:
                    found.add(index)
        return sorted(found)

    def spans_folded(self, folded: str) -> list[tuple[str, int]]:
        """(key, start offset) of the first non-negated match of each theme in folded text."""
        first: dict[str, tuple[int, int]] = {}
        for index in self._candidates(folded):
            order, key, regex = self._patterns[index]
            if key in first:
                continue
            for m in regex.finditer(folded):
                if not _NEGATED_BEFORE.search(folded, max(0, m.start() - 24), m.start()):
                    first[key] = (order, m.start())
                    break
        return [(key, start) for key, (_, start) in sorted(first.items(), key=lambda kv: kv[1])]

    def match_folded(self, folded: str) -> list[str]:
        """Theme keys whose patterns occur (not negated) in lower-cased, accent-folded text."""
        return [key for key, _ in self.spans_folded(folded)]

    def match(self, text: str) -> list[str]:
        """Theme keys found in a raw text."""
        return self.match_folded(" ".join(fold(text).split()))

    @property
    def keys(self) -> list[str]:
        """Theme keys in codebook order."""
        return list(self._themes)

    def __getitem__(self, key: str) -> Theme:
        return self._themes[key]

    def __contains__(self, key: object) -> bool:
        return key in self._themes

    def __iter__(self):
        return iter(self._themes.values())

    def __len__(self) -> int:
        return len(self._themes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {key: theme dict}."""
        return {key: theme.to_dict() for key, theme in self._themes.items()}
