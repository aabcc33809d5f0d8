"""The language a report is written in: its words (a gettext catalog) and its figures.

Reports are rendered outside any request (a worker, the command line), so they cannot ask
Flask-Babel: whoever asks for one hands over a `ReportLanguage`, loaded from the app's
catalogs (`ReportLanguage.load(code, surveys.i18n.TRANSLATIONS)`). Without one, English.
Strings are marked with `lang.gettext("...")` / `lang.ngettext(...)`, which `pybabel extract`
finds like any gettext call; placeholders are `%(name)s` with keyword values, a literal `%`
in a string that has values is written `%%` (as in Flask-Babel).
"""

from __future__ import annotations

from datetime import date, datetime
from os import PathLike

from babel.support import NullTranslations, Translations

from feedback import locale_format


class ReportLanguage:
    def __init__(self, code: str = "en", translations: NullTranslations | None = None):
        self.code = code or "en"
        self.translations = translations if translations is not None else NullTranslations()

    @classmethod
    def load(cls, code: str, directory: str | PathLike) -> ReportLanguage:
        """The catalog of `code` in `directory` (English words where it has none)."""
        return cls(code, Translations.load(str(directory), [code]))

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        """The form for `num`; `%(num)s` is the count written the locale's way."""
        values.setdefault("num", self.number(num))
        return self.translations.ngettext(singular, plural, num) % values

    def number(self, value: float | int | None, digits: int = 0, signed: bool = False) -> str:
        return locale_format.number(value, digits, self.code, signed)

    def percent(self, fraction: float | None, digits: int = 0, signed: bool = False) -> str:
        return locale_format.percent(fraction, digits, self.code, signed)

    def day(self, value: date | datetime | None) -> str:
        return locale_format.day(value, self.code)

    def moment(self, value: datetime | None) -> str:
        return locale_format.moment(value, self.code)


ENGLISH = ReportLanguage()
