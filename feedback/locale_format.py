"""Numbers, percentages and dates written the way a reader's language writes them.

12.5% in English, 12,5 % in French: the locale's own pattern (Babel's CLDR data), with the
number of decimals the figure deserves. Pure functions, used by the pages (through the Jinja
filters) and by the reports built outside any request.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, parse_pattern

DEFAULT_LOCALE = "en"


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    return Locale.parse(str(name or DEFAULT_LOCALE).replace("-", "_"))


@lru_cache(maxsize=256)
def _pattern(name: str, kind: str, digits: int, signed: bool) -> NumberPattern:
    locale = _locale(name)
    formats = locale.percent_formats if kind == "percent" else locale.decimal_formats
    pattern = parse_pattern(formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    if signed:  # "+3" beside "-3": a change reads with its sign
        plus = locale.number_symbols.get("latn", locale.number_symbols).get("plusSign", "+")
        pattern.prefix = (plus + pattern.prefix[0], pattern.prefix[1])
    return pattern


def number(
    value: float | int | None, digits: int = 0, locale: str = DEFAULT_LOCALE, signed: bool = False
) -> str:
    """`value` with `digits` decimals and the locale's separators ("1,234.5" / "1 234,5")."""
    if value is None:
        return "—"
    return _pattern(str(locale), "decimal", digits, signed).apply(value, _locale(str(locale)))


def percent(
    value: float | None, digits: int = 0, locale: str = DEFAULT_LOCALE, signed: bool = False
) -> str:
    """A share (0.125) as the locale writes a percentage ("12.5%" / "12,5 %")."""
    if value is None:
        return "—"
    return _pattern(str(locale), "percent", digits, signed).apply(value, _locale(str(locale)))


def day(value: date | datetime | None, locale: str = DEFAULT_LOCALE, style: str = "medium") -> str:
    """A date ("Nov 23, 2026" / "23 nov. 2026")."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, style, locale=_locale(str(locale)))


def moment(value: datetime | None, locale: str = DEFAULT_LOCALE, style: str = "short") -> str:
    """A date and time as stored (UTC), in the locale's order ("11/23/26, 2:05 PM")."""
    if value is None:
        return "—"
    return format_datetime(value.replace(tzinfo=None), style, locale=_locale(str(locale)))
