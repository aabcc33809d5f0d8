"""Offline English/French detection for short answers: stopwords, elisions, accents, lexicons."""

from __future__ import annotations

from feedback.text.lexicons import lexicon, rules

_FRENCH_LETTERS = frozenset(rules()["language_letters"]["fr"])


def detect_tokens(tokens: list[str], raw_lower: str = "") -> str:
    """Return "en", "fr" or "und" for folded tokens (raw_lower gives accent cues)."""
    en, fr = lexicon("en"), lexicon("fr")
    score = 0.0
    for token in tokens:
        if token in fr.stopwords:
            score += 1.0
        if token in en.stopwords:
            score -= 1.0
        if token.endswith("'"):
            score += 1.0  # French elision: l', n', qu'
    if raw_lower and not raw_lower.isascii():
        score += 0.5 * min(4, sum(1 for c in raw_lower if c in _FRENCH_LETTERS))
    if score > 0:
        return "fr"
    if score < 0:
        return "en"
    # No function words: fall back on which sentiment lexicon knows more of the words.
    en_hits = sum(1 for t in tokens if t.isalpha() and t in en.words)
    fr_hits = sum(1 for t in tokens if t.isalpha() and t in fr.words)
    if en_hits > fr_hits:
        return "en"
    if fr_hits > en_hits:
        return "fr"
    return "und"


def detect_language(text: str) -> str:
    """Return "en", "fr" or "und" (undetermined) for a free-text answer."""
    from feedback.text.cleaning import clean_text
    from feedback.text.tokens import fold, tokenize

    cleaned = clean_text(text)
    return detect_tokens(tokenize(fold(cleaned)), cleaned.lower())
