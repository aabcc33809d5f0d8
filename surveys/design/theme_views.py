"""The pain-point codebook: default themes, the install's own themes, emerging themes."""

from __future__ import annotations

import re
from collections import Counter

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback.locale_format import number

from .. import scoring
from ..auth import designer_required, reader_required
from ..db import get_session
from ..i18n import current_language
from ..jobs import QueueUnavailable, background_enabled
from ..jobs.scoring_jobs import queue_rescore
from ..models import Answer, AnswerTheme, Journey, Response, TextAnalysis, Theme
from . import bp
from .forms import ThemeForm, parse_keywords
from .journey_views import get_or_404

INLINE_RESCORE_LIMIT = 3000  # more than this: the page points at `flask analyze` instead
EMERGING_MAX_ANSWERS = 2000
PATTERN_SAMPLE = 3
RESCORE_COMMAND = "flask --app surveys analyze"

_READABLE = [
    (re.compile(r"\[\^ \][*+]|\[a-z\][*+]"), "*"),  # any ending
    (re.compile(r"\[([a-z])[^\]]*\]"), r"\1"),  # re[cç]u -> recu
    (re.compile(r"\{\d*,?\d*\}|\(\?:"), ""),
    (re.compile(r"\s+~\s+"), " … "),
    (re.compile(r"\|"), " / "),
    (re.compile(r"(?<=\))\?|\?(?=\s|$)|\+"), ""),
    (re.compile(r"\\(.)"), r"\1"),
]


def readable_pattern(pattern: str) -> str:
    """A codebook regex as a researcher reads it: deliver* … (late / delayed)."""
    for regex, replacement in _READABLE:
        pattern = regex.sub(replacement, pattern)
    return " ".join(pattern.split())


# The codebook's own words for a bad key (feedback.text.codebook), shown in the page's language.
INVALID_KEY = re.compile(r"^invalid theme key: (?P<key>.*) \(use lower_snake_case\)$", re.S)


def _count(n: int) -> str:
    return number(n, 0, current_language())


def inline_rescore_limit() -> int:
    return int(current_app.config.get("INLINE_RESCORE_LIMIT", INLINE_RESCORE_LIMIT))


def _page(form: ThemeForm | None = None, status: int = 200):
    session = get_session()
    own = session.scalars(select(Theme).order_by(Theme.key)).all()
    available = scoring.analysis_available()
    default = scoring.Codebook.default() if available else []
    default_rows = [
        {
            "key": theme.key,
            "label": theme.label,
            "description": theme.description,
            "emotion": theme.emotion,
            "samples": {
                lang: [readable_pattern(p) for p in patterns[:PATTERN_SAMPLE]]
                for lang, patterns in theme.patterns.items()
            },
            "more": sum(len(p) for p in theme.patterns.values())
            - sum(min(len(p), PATTERN_SAMPLE) for p in theme.patterns.values()),
        }
        for theme in default
    ]
    default_keys = {row["key"] for row in default_rows}
    stale = scoring.count_to_score(session, False) if available else 0
    return render_template(
        "design/themes.html",
        form=form or ThemeForm(),
        own=own,
        default_rows=default_rows,
        default_keys=default_keys,
        extended={t.key for t in own} & default_keys,
        available=available,
        stale=stale,
        # With a worker, the page queues any number of answers.
        limit=stale if background_enabled() else inline_rescore_limit(),
        command=RESCORE_COMMAND,
    ), status


@bp.get("/themes")
@reader_required
def themes():
    return _page()


def _check(form: ThemeForm, data: dict, is_new_key: bool) -> bool:
    """Validate through the codebook itself; put any problem on the form's fields."""
    if not scoring.analysis_available():
        form.key.errors = [_("The text analysis is not installed: themes cannot be checked.")]
        return False
    try:
        scoring.CodebookTheme.from_dict(data)
    except ValueError as error:
        bad_key = INVALID_KEY.match(str(error))
        form.key.errors = [
            _("Invalid key: %(key)s (use lower_snake_case)", key=bad_key["key"])
            if bad_key
            else str(error)  # the codebook's own words, in English
        ]
        return False
    if is_new_key and not data["label"]:
        form.label_en.errors = [_("Name the new theme, in English or French.")]
        return False
    return True


def _merge_keywords(old: dict, new: dict) -> dict:
    langs = dict.fromkeys([*(old or {}), *new])
    return {
        lang: list(dict.fromkeys([*(old or {}).get(lang, []), *new.get(lang, [])]))
        for lang in langs
    }


@bp.route("/themes/new", methods=["GET", "POST"])
@designer_required
def new_theme():
    """Add a theme, or keywords to an existing key (default or the install's own)."""
    if request.method == "GET":
        form = ThemeForm(formdata=None)
        form.key.data = request.args.get("key", "")[:60]
        form.label_en.data = form.label_fr.data = request.args.get("label", "")[:120]
        for lang in ("en", "fr"):
            words = parse_keywords(request.args.get(f"keywords_{lang}", ""))
            getattr(form, f"keywords_{lang}").data = "\n".join(words)
        return render_template("design/theme_form.html", form=form, theme=None)
    form = ThemeForm()
    if form.validate_on_submit():
        session = get_session()
        data = form.to_data()
        existing = session.scalar(select(Theme).where(Theme.key == data["key"]))
        in_default = scoring.analysis_available() and data["key"] in scoring.Codebook.default()
        if _check(form, data, is_new_key=existing is None and not in_default):
            if existing is None:
                theme = Theme(key=data["key"], label=data["label"])
                theme.description = data["description"]
                theme.keywords = data["keywords"]
                session.add(theme)
            else:
                existing.label = {**(existing.label or {}), **data["label"]}
                existing.description = data["description"] or existing.description
                existing.keywords = _merge_keywords(existing.keywords, data["keywords"])
            try:
                session.commit()
            except IntegrityError:  # the same key saved by someone else meanwhile
                session.rollback()
                form.key.errors = [_("This key was just added: open it from the list to edit it.")]
            else:
                if existing or in_default:
                    flash(_("Keywords added to %(key)s.", key=data["key"]), "success")
                else:
                    flash(_("Theme added: %(key)s.", key=data["key"]), "success")
                return redirect(url_for("design.themes"))
    return _page(form, 422)


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@designer_required
def edit_theme(theme_id: int):
    theme = get_or_404(Theme, theme_id)
    form = ThemeForm(formdata=None) if request.method == "GET" else ThemeForm()
    if request.method == "GET":
        form.fill_from(theme)
    else:
        form.key.data = theme.key  # the key names stored themes: it is not edited
        if form.validate_on_submit():
            data = form.to_data()
            in_default = scoring.analysis_available() and theme.key in scoring.Codebook.default()
            if _check(form, data, is_new_key=not in_default):
                theme.label = data["label"]
                theme.description = data["description"]
                theme.keywords = data["keywords"]
                get_session().commit()
                flash(_("Theme %(key)s saved.", key=theme.key), "success")
                return redirect(url_for("design.themes"))
    status = 422 if request.method == "POST" else 200
    return render_template("design/theme_form.html", form=form, theme=theme), status


@bp.post("/themes/<int:theme_id>/delete")
@designer_required
def delete_theme(theme_id: int):
    theme = get_or_404(Theme, theme_id)
    session = get_session()
    key = theme.key
    session.delete(theme)
    session.commit()
    flash(_("Theme %(key)s deleted.", key=key), "success")
    return redirect(url_for("design.themes"))


@bp.post("/themes/rescore")
@designer_required
def rescore_themes():
    """Re-score the answers the codebook change made stale, when there are few enough."""
    session = get_session()
    if not scoring.analysis_available():
        flash(_("The text analysis is not installed."), "error")
        return redirect(url_for("design.themes"))
    stale = scoring.count_to_score(session, False)
    if background_enabled():  # a worker takes any number, batch by batch
        try:
            outcome = queue_rescore()
        except QueueUnavailable:
            message = _(
                "The job queue did not answer: run `%(command)s` instead.", command=RESCORE_COMMAND
            )
            flash(message, "error")
        else:
            if outcome.already_pending:
                message = _(
                    "Re-scoring %(count)s answers in the background (a re-scoring was already "
                    "under way): reload this page to follow.",
                    count=_count(stale),
                )
            else:
                message = _(
                    "Re-scoring %(count)s answers in the background: reload this page to follow.",
                    count=_count(stale),
                )
            flash(message, "success")
        return redirect(url_for("design.themes"))
    if stale > inline_rescore_limit():
        flash(
            _(
                "%(count)s answers are out of date: too many to re-score here. "
                "Run `%(command)s` on the server.",
                count=_count(stale),
                command=RESCORE_COMMAND,
            ),
            "error",
        )
        return redirect(url_for("design.themes"))
    done = queue_rescore().result  # inline: in this request, as before
    flash(
        _("Re-scored %(count)s answers with the current codebook.", count=_count(done)),
        "success",
    )
    return redirect(url_for("design.themes"))


def _starred(term: str) -> str:
    # Emerging terms are folded and trimmed of plurals: a * lets them match every form.
    return " ".join(w + "*" if len(w) >= 4 and w.isalpha() else w for w in term.split())


def suggested_keywords(terms: list[str], texts: list[str]) -> list[tuple[str, int]]:
    """Keywords for a candidate, each with how many of its answers it matches, most first.

    Terms that match none of the answers (word pairs split by a stopword) are dropped.
    """
    found = []
    for keyword in dict.fromkeys(_starred(t) for t in terms):
        try:
            theme = scoring.CodebookTheme.from_dict({"key": "k", "keywords": [keyword]})
        except ValueError:
            continue
        book = scoring.Codebook([theme])
        hits = sum(bool(book.match(text)) for text in texts)
        if hits:
            found.append((keyword, hits))
    return sorted(found, key=lambda pair: -pair[1])


@bp.get("/journeys/<int:journey_id>/emerging-themes")
@reader_required
def emerging_themes(journey_id: int):
    """Negative answers of this journey that no theme names, grouped into candidate themes."""
    journey = get_or_404(Journey, journey_id)
    if not scoring.analysis_available():
        return render_template(
            "design/emerging_themes.html", journey=journey, candidates=[], n=0, available=False
        )
    stages = {s.id: s for s in journey.stages}
    themed = select(AnswerTheme.answer_id).where(AnswerTheme.answer_id == Answer.id).exists()
    rows = (
        get_session()
        .execute(
            select(
                Answer.id, Answer.text, Answer.stage_id, Answer.response_id, TextAnalysis.language
            )
            .join(TextAnalysis, TextAnalysis.answer_id == Answer.id)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.stage_id.in_(stages), TextAnalysis.label == "negative", ~themed)
            .order_by(Response.submitted_at.desc(), Answer.id.desc())
            .limit(EMERGING_MAX_ANSWERS)
        )
        .all()
    )
    by_id = {row.id: row for row in rows}
    candidates = []
    for found in scoring.emerging_themes([(row.id, row.text) for row in rows]):
        members = [by_id[i] for i in found.answer_ids]
        language = Counter(m.language for m in members).most_common(1)[0][0]
        language = language if language in ("en", "fr") else "en"
        keywords = suggested_keywords(found.keywords, [m.text for m in members])
        stage_counts = Counter(m.stage_id for m in members).most_common()
        candidates.append(
            {
                "key": found.key,
                "name": found.name,
                "size": found.size,
                "keywords": keywords,
                "stages": [(stages[sid], n) for sid, n in stage_counts],
                "examples": members[:3],
                "add_url": url_for(
                    "design.new_theme",
                    key=found.key,
                    label=found.name,
                    **{f"keywords_{language}": "\n".join(k for k, _ in keywords)},
                ),
            }
        )
    return render_template(
        "design/emerging_themes.html",
        journey=journey,
        candidates=candidates,
        n=len(rows),
        cap=EMERGING_MAX_ANSWERS,
        available=True,
    )
