"""The words of the customer's pages, from the catalog, and the language those pages speak.

A respondent page speaks one of its questionnaire's languages (`choose_language`), settled
for the whole page (`surveys.i18n.settle_language`), so every gettext on it, the base
template's included, speaks it. The texts a view picks by key (an error code of
`question_types.parse_form`, a notice, a message page) are here; the fixed ones are in the
templates.
"""

from __future__ import annotations

from flask import request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from feedback import locale_format

from ..i18n import current_language, remembered_language

# What the customer reads for each error code `parse_form` gives a question.
ERRORS = {
    "required": _l("Please answer this question."),
    "one_value": _l("Please give one answer only."),
    "not_a_number": _l("Please choose a number on the scale."),
    "out_of_range": _l("Please choose a value on the scale."),
    "unknown_choice": _l("Please choose one of the options."),
    "too_long": _l("This answer is too long: %(limit)s characters at most."),
}

TEXTS = {
    **ERRORS,
    # Notices above the questionnaire.
    "expired_form": _l("Your page had expired. We kept your answers: please send them again."),
    "unavailable": _l(
        "We could not save your answers just now. They are all still here: "
        "please send them again in a minute."
    ),
    "step_sent_before": _l(
        "That page had already been sent from another window: here is where you are now."
    ),
    "preview_ok": _l("Preview: these answers are valid. Nothing was saved."),
    # Message pages: a title and a sentence.
    "thanks_title": _l("Thank you!"),
    "thanks_body": _l("Your answers have been saved. You can close this page."),
    "already_title": _l("Already answered"),
    "already_body": _l("Your answers to this questionnaire were already saved. Thank you!"),
    "closed_title": _l("This questionnaire is closed"),
    "closed_body": _l("It no longer accepts answers. Thank you for your interest."),
    "expired_title": _l("This link has expired"),
    "expired_body": _l("The invitation is no longer valid. Thank you for your interest."),
    "invalid_link_title": _l("This link is not valid"),
    "invalid_link_body": _l("Check that the whole link was copied from your email."),
}


def choose_language(available: list[str], fallback: str | None = None) -> str:
    """Among the questionnaire's languages: ?lang= (or the form's `lang`), then the choice
    remembered from the language switch, then the browser's Accept-Language, then `fallback`
    (an invitation's language), then the questionnaire's first."""
    asked = request.values.get("lang", "")
    if asked in available:
        return asked
    remembered = remembered_language()
    if remembered in available:
        return remembered
    best = request.accept_languages.best_match(available)
    if best:
        return best
    return fallback if fallback in available else available[0]


def text(key: str, **values) -> str:
    """The text of `key` in the current language, `%(limit)s` written the locale's way."""
    message = str(TEXTS.get(key, key))
    if values.get("limit") is not None:
        values["limit"] = locale_format.number(values["limit"], 0, current_language())
    return message % values if values else message


def error_text(code: str, limit: int | None = None) -> str:
    """What the customer reads for an error code of `parse_form`, in the page's language."""
    return text(code, limit=limit)


def translator(language: str):
    """`text` in `language` whatever the page speaks (the preview, the interview form)."""

    def t(key: str, **values) -> str:
        with force_locale(language):
            return text(key, **values)

    return t
