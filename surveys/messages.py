"""Messages in English that a page shows in its reader's language.

The checks shared by the JSON API and the pages (invitations, the questionnaire exchange, API
tokens) speak English to the API, the CLI and the logs, whose words are a contract, and French
or English to the researcher's pages. A `Message` is that English text (a plain `str` to
whoever reads it) remembering its msgid and values, so a page can call `translated()`.
Flask-free: Flask-Babel is imported only when a page asks for the translation.
"""

from __future__ import annotations

from collections.abc import Sequence


class Count(int):
    """A count written with thousands separators: 10,000 in English, 10 000 in French."""

    def __str__(self) -> str:
        return f"{int(self):,}"


class Message(str):
    """An English message (what the API, the CLI and the logs read) that a page can show in
    its reader's language with `translated()`.

    It remembers its msgid and values to look them up in the catalog when a page shows it.
    Values may be messages themselves (translated in turn) or `Count`s (written the
    language's way). Build one with `N_`, which also marks the msgid for `pybabel extract`.
    """

    msgid: str | None  # None: another module's message (`of`)
    values: dict[str, object]
    lazy: object  # that module's lazy translation, if any
    lower_first: bool

    def __new__(cls, msgid: str, /, **values: object) -> Message:
        return cls._made(msgid % values if values else msgid, msgid, values)

    @classmethod
    def _made(cls, english, msgid, values, lazy=None, lower_first=False) -> Message:
        message = super().__new__(cls, english)
        message.msgid, message.values = msgid, values
        message.lazy, message.lower_first = lazy, lower_first
        return message

    @classmethod
    def of(cls, english: str, lazy: object = None) -> Message:
        """Another module's message: its English, and its lazy translation if it has one
        (`JourneyError.message`); without one, pages show the English."""
        return cls._made(english, None, {}, lazy)

    @classmethod
    def joined(cls, parts: Sequence[str], separator: str = " ") -> Message:
        """Messages one after the other, each translated in turn."""
        return cls._made(separator.join(parts), None, {}, _Joined(list(parts), separator))

    def with_lower_first(self) -> Message:
        """The message starting with a lower-case letter, to go on a sentence after a dash."""
        return Message._made(
            self[:1].lower() + self[1:], self.msgid, self.values, self.lazy, lower_first=True
        )

    def translated(self) -> str:
        """The message in the page's language (needs a request; English outside one)."""
        if self.msgid is None:
            text = str(self.lazy) if self.lazy is not None else str(self)
        else:
            from flask_babel import gettext

            values = {name: _translated(value) for name, value in self.values.items()}
            text = gettext(self.msgid, **values)
        return text[:1].lower() + text[1:] if self.lower_first else text


class _Joined:
    """The translation of `Message.joined`: read when a page shows it."""

    def __init__(self, parts: list[str], separator: str):
        self.parts, self.separator = parts, separator

    def __str__(self) -> str:
        return self.separator.join(translated(part) for part in self.parts)


def _translated(value: object) -> object:
    if isinstance(value, Message):
        return value.translated()
    if isinstance(value, Count):
        from feedback.locale_format import number

        from .i18n import current_language

        return number(int(value), 0, current_language())
    return value


def translated(message: object) -> str:
    """A message in the page's language: a `Message` (or a `JourneyError`, whose message is a
    lazy translation) translated, any other text as it is."""
    translate = getattr(message, "translated", None)
    return translate() if callable(translate) else str(message)


def N_(msgid: str, /, **values: object) -> Message:  # noqa: N802  (gettext's own name)
    """An English `Message`, its msgid marked for the catalog (`pybabel extract` reads N_)."""
    return Message(msgid, **values)
