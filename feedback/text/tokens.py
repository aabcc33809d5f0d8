"""Fast lower-casing, accent folding and tokenisation shared by every analysis step."""

from __future__ import annotations

import re
import unicodedata

_FOLD_TABLE = str.maketrans(
    {
        **dict.fromkeys("àáâãäå", "a"),
        **dict.fromkeys("èéêë", "e"),
        **dict.fromkeys("ìíîï", "i"),
        **dict.fromkeys("òóôõö", "o"),
        **dict.fromkeys("ùúûü", "u"),
        "ç": "c",
        "ñ": "n",
        "ÿ": "y",
        "ý": "y",
        "œ": "oe",
        "æ": "ae",
        "ß": "ss",
        "\u2019": "'",
        "\u2018": "'",
        "\ufe0f": None,  # emoji variation selector: "❤️" and "❤" are the same symbol
        "\u200d": None,
    }
)

# Elided French articles/pronouns are tokens of their own ("n'est" -> "n'", "est") so that
# negation and stopwords see them; English contractions stay whole ("don't", "it's").
_ELISION = r"(?:jusqu|lorsqu|puisqu|quoiqu|qu|[cdjlmnst])'"
_EMOTICON = r"(?:[:;]'?-?[()dp/]|<3)"
_EMOJI = "[\U0001f000-\U0001faff\u2600-\u27bf\u2b50\u2b55\u231a-\u23ff]"
TOKEN_RE = re.compile(
    rf"(?<![\w']){_ELISION}|{_EMOTICON}|{_EMOJI}|[^\W_]+(?:[-'][^\W_]+)*|[.,;:!?]"
)


def fold(text: str) -> str:
    """Lower-case and strip accents ("Déçue" -> "decue"); ASCII text takes the fast path."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.translate(_FOLD_TABLE)
    if text.isascii() or unicodedata.is_normalized("NFD", text):
        return text  # only emoji or letters without accents left: nothing to decompose
    return _fold_rare(text)


def _fold_rare(text: str) -> str:
    # Accented letters outside the table: decompose and drop combining marks.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(folded: str) -> list[str]:
    """Split folded text into words, elisions, emoji, emoticons and clause punctuation."""
    return TOKEN_RE.findall(folded)
