"""French and English for every page: Flask-Babel catalogs, the language switch, locale formats.

The language of a page is, in order: one the page itself settled on (a respondent page speaks
one of its questionnaire's languages, see `respond.messages.choose_language`), `?lang=` (the
switch on every page; remembered in a cookie for a year), the remembered choice, the browser's
Accept-Language, English. Catalogs live in surveys/translations (`.po` sources committed, `.mo`
compiled by `make translations`, which `make run` and `make test` call).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

from feedback import locale_format

LANGUAGES = ("en", "fr")
# Each language named in itself, as a switch must (a French reader looks for "Français").
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
ROLE_NAMES = {
    "admin": _l("administrator"),
    "researcher": _l("researcher"),
    "cx_lead": _l("CX lead"),
}
# A questionnaire's status as its badge reads.
STATUS_NAMES = {"draft": _l("draft"), "live": _l("live"), "closed": _l("closed")}
COOKIE = "parcours_language"
COOKIE_MAX_AGE = 365 * 24 * 3600
API_PATH = "/api/"
# Pages for people under the API's path: they speak the reader's language like any other page.
API_PAGES = ("/api/v1/docs",)
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

babel = Babel()


def asked_language() -> str | None:
    """The language the switch asked for on this request, if it is one of ours."""
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else None


def remembered_language() -> str | None:
    remembered = request.cookies.get(COOKIE, "")
    return remembered if remembered in LANGUAGES else None


def _is_api() -> bool:
    return request.path.startswith(API_PATH) and request.path not in API_PAGES


def select_locale() -> str:
    settled = g.get("page_language")
    if settled:
        return settled
    if _is_api():  # the JSON API speaks English (docs/api.md); its `lang` filters answers
        return LANGUAGES[0]
    return (
        asked_language()
        or remembered_language()
        or request.accept_languages.best_match(LANGUAGES)
        or LANGUAGES[0]
    )


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else LANGUAGES[0]


def settle_language(language: str) -> None:
    """A page that must speak `language` (a respondent page in its questionnaire's language)."""
    from flask_babel import refresh

    g.page_language = language
    refresh()


def keep_remembered_language() -> None:
    """This page's ?lang= picks what to show (a questionnaire's preview in one of its
    languages), not the reader's own language: it is not remembered."""
    g.keep_remembered_language = True


def switch_url(language: str) -> str:
    """This page again in `language`: same path and query, `lang` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", language))
    return f"{request.path}?{urlencode(args)}"


def _remember_choice(response):
    if _is_api():  # there `lang` is the answers' language, not the reader's
        return response
    asked = asked_language()
    if asked and asked != remembered_language() and not g.get("keep_remembered_language"):
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def _formats() -> dict:
    """Jinja filters writing figures in the page's language."""

    def number(value, digits=0, signed=False):
        return locale_format.number(value, digits, current_language(), signed)

    def percent(value, digits=0, signed=False):
        return locale_format.percent(value, digits, current_language(), signed)

    def day(value, style="medium"):
        return locale_format.day(value, current_language(), style)

    def moment(value, style="short"):
        return locale_format.moment(value, current_language(), style)

    return {"number": number, "percent": percent, "day": day, "moment": moment}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(_formats())
    app.after_request(_remember_choice)

    # Globals, not context: macros imported without context (`{% from ... import %}`) see them.
    app.jinja_env.globals.update(
        language_names=LANGUAGE_NAMES,
        switch_url=switch_url,
        role_name=lambda role: str(ROLE_NAMES.get(role, role)),
        status_name=lambda status: str(STATUS_NAMES.get(status, status)),
    )

    @app.context_processor
    def languages():
        return {"page_language": current_language()}
