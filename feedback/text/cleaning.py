"""Turn any answer (None, bytes, HTML, huge or broken text) into a bounded, clean string."""

from __future__ import annotations

import html
import re
import unicodedata

#: Only this many characters of cleaned text are analysed; longer answers are cut (documented).
MAX_CHARS = 5000
# HTML is stripped on a larger raw prefix so that markup does not eat the analysed budget.
_RAW_PREFIX = MAX_CHARS * 4

_SURROGATES = re.compile("[\ud800-\udfff]")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,2000}>")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def clean_text(value: object) -> str:
    """Return a stripped, tag-free, surrogate-free text of at most MAX_CHARS characters."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        text = bytes(value[: _RAW_PREFIX * 4]).decode("utf-8", errors="replace")
    elif isinstance(value, str):
        text = value
    else:
        text = str(value)
    text = text[:_RAW_PREFIX]
    if not text.isascii():
        text = _SURROGATES.sub("", text)
    if "<" in text:
        text = _TAG.sub(" ", _SCRIPT_STYLE.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    text = _CONTROL.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_CHARS]
