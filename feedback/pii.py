"""Personal data found in free text, replaced by placeholders: `redact(text) -> (text, counts)`.

What is replaced, in French and English feedback alike (the placeholders are the same in
both languages, so a report reads the same whoever exports it):

- email addresses -> ``[email]``;
- phone numbers -> ``[phone]``: French (06 12 34 56 78, 06.12.34.56.78, 0612345678,
  01-23-45-67-89), international with ``+`` or ``00`` (+33 6 12 34 56 78, 0033612345678,
  +44 20 7946 0958, +1 (415) 555-2671, +33 (0)6 ...), other national numbers starting with 0
  (0470 12 34 56, 079 123 45 67, 020 7946 0958) and North American ones ((415) 555-2671,
  415-555-2671);
- IBANs -> ``[iban]``, with or without spaces, only when the country's length and the
  ISO 7064 mod-97 check agree;
- payment card numbers -> ``[card]``: 13 to 19 digits, bare or grouped by spaces or dashes
  (first group of four), a card network's first digit and length, and the Luhn check.

What is kept, on purpose: order numbers (#A-981, 123456), dates (12/03/2026, 2026-03-12),
prices (1 299,99 €), times, postcodes (75011), percentages, durations (3 semaines), version
numbers (10.0.19045), SIRET numbers, tracking numbers longer than a card. A text with no
digit and no ``@`` is returned as it is.

Pure Python, no Flask: the survey's storage, the exports and the tests call it alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

PLACEHOLDERS = {
    "email": "[email]",
    "phone": "[phone]",
    "iban": "[iban]",
    "card": "[card]",
}
KINDS = tuple(PLACEHOLDERS)

# --- emails ------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}",
)

# --- IBANs -------------------------------------------------------------------------------

# Lengths of the IBAN of each country (SWIFT's IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
    "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})([0-9]{2})")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

# --- payment cards -----------------------------------------------------------------------

# 13 to 19 digits, each separated from the next by at most one space or dash; never part of
# a longer run of digits, nor right after a `+` (a phone number).
_CARD = re.compile(r"(?<![0-9+])(?<![0-9][ -])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])(?![ -][0-9])")

# --- phone numbers -----------------------------------------------------------------------

# `+` or `00`, a country code, then digits, spaces, dots, dashes and brackets; the digits
# are counted in `_international`.
_INTERNATIONAL = re.compile(r"(?<![0-9A-Za-z+])(?:\+|00)[1-9][0-9 .()-]{6,24}")
# 0X then four pairs of digits, the same separator between each (none, space, dot, dash).
_FRENCH = re.compile(r"(?<![0-9+])0[1-9]([ .-]?)[0-9]{2}(?:\1[0-9]{2}){3}(?![0-9])")
# Another national number: 0 and two to four digits, then groups of two to four digits, the
# same separator throughout (0470 12 34 56, 079 123 45 67, 020 7946 0958).
_NATIONAL = re.compile(
    r"(?<![0-9+.,/-])0[1-9][0-9]{1,3}([ .-])[0-9]{2,4}(?:\1[0-9]{2,4}){1,3}(?![0-9])(?![.,/-][0-9])"
)
# North American: (415) 555-2671, 415-555-2671.
_NORTH_AMERICAN = re.compile(
    r"(?<![0-9])\([2-9][0-9]{2}\) ?[0-9]{3}[-. ][0-9]{4}(?![0-9])"
    r"|(?<![0-9-])[2-9][0-9]{2}-[0-9]{3}-[0-9]{4}(?![0-9-])"
)
_SEPARATORS = " .-"


def redact(text: str) -> tuple[str, dict[str, int]]:
    """`text` with its emails, phone numbers, IBANs and card numbers replaced by
    ``[email]``, ``[phone]``, ``[iban]`` and ``[card]``, and how many of each were replaced.

    Idempotent: a redacted text is returned as it is (placeholders hold no digit and no `@`).
    """
    counts = dict.fromkeys(KINDS, 0)
    if not text or not _worth_reading(text):
        return text, counts
    # Replacing a span may bring digits together that read as one more number: go on until
    # nothing changes. Each pass that changes something removes digits or `@`s, so it ends.
    while True:
        before = text
        for kind, find in _DETECTORS:
            text = _replace(text, find(text), kind, counts)
        if text == before or not _worth_reading(text):
            return text, counts


def redact_text(text: str | None) -> str | None:
    """Only the redacted text (None and "" pass unchanged)."""
    return redact(text)[0] if text else text


def _worth_reading(text: str) -> bool:
    return "@" in text or any(c in "0123456789" for c in text)


def _replace(text: str, spans: Iterator[tuple[int, int]], kind: str, counts) -> str:
    parts, last = [], 0
    for start, end in spans:
        if start < last:  # overlaps the span before: already replaced
            continue
        parts += [text[last:start], PLACEHOLDERS[kind]]
        counts[kind] += 1
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


# --- detectors: each gives the (start, end) spans of its kind, in order ----------------------


def _emails(text: str) -> Iterator[tuple[int, int]]:
    if "@" not in text:
        return
    for found in _EMAIL.finditer(text):
        yield found.span()


def _ibans(text: str) -> Iterator[tuple[int, int]]:
    after = 0
    for found in _IBAN_START.finditer(text):
        start = found.start()
        if start < after:
            continue
        end = _iban_end(text, found)
        if end is not None:
            after = end
            yield start, end


def _iban_end(text: str, found: re.Match) -> int | None:
    """Where the IBAN starting at `found` ends, or None when it is not a valid one."""
    country = found.group(1).upper()
    length = IBAN_LENGTHS.get(country)
    if length is None:
        return None
    rest, index, size = [], found.end(), len(text)
    while len(rest) < length - 4 and index < size:
        char = text[index]
        if char in _ALNUM:
            rest.append(char)
            index += 1
        elif char == " " and index + 1 < size and text[index + 1] in _ALNUM:
            index += 1  # one space between groups
        else:
            break
    if len(rest) < length - 4 or (index < size and text[index] in _ALNUM):
        return None  # too short, or the start of a longer code
    bban = "".join(rest).upper()
    if sum(c.isdigit() for c in bban) * 2 < len(bban):
        return None  # mostly letters: words, not an account number
    if not valid_iban(country + found.group(2) + bban):
        return None
    return index


def valid_iban(iban: str) -> bool:
    """The ISO 7064 mod-97 check of an IBAN written without spaces (any case)."""
    iban = iban.upper()
    if len(iban) < 5 or not iban.isascii() or not iban.isalnum():
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _cards(text: str) -> Iterator[tuple[int, int]]:
    for found in _CARD.finditer(text):
        if _is_card(found.group()):
            yield found.span()


def _is_card(candidate: str) -> bool:
    separators = {c for c in candidate if not c.isdigit()}
    if len(separators) > 1:
        return False
    if separators:
        groups = re.split(r"[ -]", candidate)
        if len(groups[0]) != 4 or any(not 3 <= len(g) <= 6 for g in groups[1:-1]):
            return False
        if not 1 <= len(groups[-1]) <= 6:
            return False
    digits = "".join(c for c in candidate if c.isdigit())
    return _card_network(digits) and luhn(digits)


def _card_network(digits: str) -> bool:
    """Whether a card network issues numbers of this length starting this way."""
    first, size = digits[0], len(digits)
    if size == 13:
        return first == "4"  # early Visa
    if size in (14, 15):
        return first == "3"  # Diners Club, American Express
    if size == 16:
        return first in "23456"  # Mastercard, Visa, JCB, Discover, UnionPay, Maestro
    return first in "3456"  # 17 to 19: Visa, Maestro, JCB, UnionPay


def luhn(digits: str) -> bool:
    """The Luhn check of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _phones(text: str) -> Iterator[tuple[int, int]]:
    spans = []
    for found in _INTERNATIONAL.finditer(text):
        if span := _international(text, found):
            spans.append(span)
    for pattern in (_FRENCH, _NORTH_AMERICAN):
        spans += [m.span() for m in pattern.finditer(text)]
    for found in _NATIONAL.finditer(text):
        if 9 <= sum(c.isdigit() for c in found.group()) <= 11:
            spans.append(found.span())
    yield from _disjoint(spans)


def _international(text: str, found: re.Match) -> tuple[int, int] | None:
    """The span of an international number read by `_INTERNATIONAL`, checked: trailing
    separators and brackets left out, single separators, balanced brackets, 8 to 15 digits
    (10 to 15 after `00`)."""
    start, number = found.start(), found.group()
    number = number.rstrip(_SEPARATORS + "()")  # a number ends with a digit
    if number.count("(") != number.count(")") or number.count("(") > 1:
        return None
    if re.search(r"[ .-]{2}|\)\(|[.-]\(|\)[.-]", number):
        return None  # doubled separators: not one number
    if number.startswith("00"):  # 00 is also how order numbers start: ask for more digits
        least, digits = 10, sum(c.isdigit() for c in number) - 2
    else:
        least, digits = 8, sum(c.isdigit() for c in number)
    if not least <= digits <= 15:
        return None
    return start, start + len(number)


def _disjoint(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The spans in order, the longest first where they start together, none overlapping."""
    last = 0
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start >= last:
            yield start, end
            last = end


# Emails first (their digits are not phone numbers), IBANs before cards (an IBAN holds runs
# of digits), cards before phones.
_DETECTORS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    ("email", _emails),
    ("iban", _ibans),
    ("card", _cards),
    ("phone", _phones),
)
