"""The demo: a five-stage journey, live questionnaires, synthetic responses and two accounts.

`seed_demo_data` builds the journey, its questionnaires, a few interviews and the accounts
once, then adds N responses on every run. Responses go in as Core bulk inserts with ids
allocated here, so answers point at their response without a round trip and a million
responses take minutes. Everything but the passwords follows from the seed.
"""

from __future__ import annotations

import bisect
import itertools
import os
import random
import secrets
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from . import demo_texts as fragments
from . import rollups, scoring
from .cases.demo import seed_demo_cases
from .demo_composer import compose_text
from .design_service import create_questionnaire, publish
from .journeys import create_journey
from .models import (
    Answer,
    AnswerTheme,
    Journey,
    Questionnaire,
    Response,
    TextAnalysis,
    User,
)
from .question_rules import matches
from .question_types import EMOTIONS, TEXT_TYPES, AnswerValue, scale_of

DEMO_JOURNEY_NAME = "Online shop — customer journey"
DEMO_JOURNEY_DESCRIPTION = (
    "Demo data: an online shop selling home goods and clothing in French and English, "
    "from the first ad a customer sees to the recommendation they make."
)
DEMO_USERS = (
    ("researcher@parcours.demo", "researcher"),
    ("cx@parcours.demo", "cx_lead"),
    ("admin@parcours.demo", "admin"),
)
LOGINS_FILE = "demo-logins.txt"

# (stage, kind, touchpoint, share of the responses): purchase and retention hear the most.
DEMO_SURVEYS = (
    ("awareness", "csat", "social_media", 10),
    ("consideration", "ces", "website", 14),
    ("purchase", "csat", "checkout", 28),
    ("retention", "csat", "delivery", 33),
    ("advocacy", "nps", None, 15),
)
INTERVIEW_GUIDE = ("purchase", "interview", "checkout")

BANDS = ("negative", "passive", "positive")
BAND_INDEX = {name: index for index, name in enumerate(BANDS)}
# Share of unhappy, lukewarm and happy respondents per stage; delivery hurts the most.
BAND_MIX = {
    "awareness": (18, 32, 50),
    "consideration": (22, 33, 45),
    "purchase": (20, 25, 55),
    "retention": (27, 23, 50),
    "advocacy": (25, 30, 45),
}
# Two incidents give the demo's time series something to show: (stage, from and to days
# ago, extra share of unhappy respondents in percent). Their themes are in demo_texts.
INCIDENTS = {"retention": (38, 31, 25), "purchase": (16, 14, 20)}

# The score each band gives, weighted, per fixed scale.
SCORES = {
    "nps": (
        {0: 2, 1: 2, 2: 3, 3: 4, 4: 5, 5: 8, 6: 10},
        {7: 6, 8: 5},
        {9: 5, 10: 6},
    ),
    "csat": ({1: 5, 2: 5}, {3: 6, 4: 3}, {4: 3, 5: 7}),
    "ces": ({1: 3, 2: 4, 3: 3}, {4: 5, 5: 5}, {6: 6, 7: 5}),
}
TEXT_RATE = {"negative": 0.92, "passive": 0.75, "positive": 0.68}
EMOTION_RATE = 0.72
PASSIVE_WITH_THEME = 0.7
FRENCH_SHARE = 0.55
B2B_SHARE = 0.14
CHANNELS = {"email": 55, "sms": 25, "qr": 20}
DEVICES = {"mobile": 62, "desktop": 31, "tablet": 7}
STAGES_WITH_ORDER = {"purchase", "retention", "advocacy"}
# Answers per hour of the day (UTC): lunch breaks and evenings.
HOUR_WEIGHTS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 7, 7, 6, 4, 2)
DAYS = 90

# Distinct texts per (stage, market, band, theme): a few hundred answers are nearly all
# different, and a million need tens of thousands of analyses, not a million.
POOL_SIZE = {"negative": 120, "passive": 100, "positive": 900}

BATCH_SIZE = 10_000
PROGRESS_EVERY = 100_000

RESPONSES = Response.__table__
ANSWERS = Answer.__table__
ANALYSES = TextAnalysis.__table__
ANSWER_THEMES = AnswerTheme.__table__


# --- accounts ---------------------------------------------------------------------------


def demo_logins(instance_path: str) -> list[tuple[str, str, str]]:
    """The demo logins kept in the instance folder: (email, password, role) rows."""
    path = Path(instance_path) / LOGINS_FILE
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("#") or len(fields) != 3:
            continue
        rows.append((fields[0], fields[1], fields[2]))
    return rows


def _write_logins(instance_path: str, logins: Sequence[tuple[str, str, str]]) -> None:
    path = Path(instance_path) / LOGINS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created private: the file holds passwords, so it is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# Demo accounts made by `flask seed-demo`: email, password, role.\n")
        for row in logins:
            out.write("\t".join(row) + "\n")
    path.chmod(0o600)  # an older file may have been created with wider rights


def _ensure_accounts(
    session: Session, instance_path: str, echo: Callable[[str], object]
) -> list[tuple[str, str, str]]:
    """The demo accounts, created with random passwords the first time."""
    saved = {email: password for email, password, _role in demo_logins(instance_path)}
    logins = []
    for email, role in DEMO_USERS:
        user = session.scalar(select(User).where(func.lower(User.email) == email))
        password = saved.get(email)
        if user is None:
            user = User(email=email, role=role)
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
            session.add(user)
        elif password is None:
            # Its saved login is gone: a new password is the only way to hand out a login.
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            echo(f"New password for {email}: its saved login was missing.")
        elif not user.check_password(password):
            echo(f"{email} changed its password since the demo was seeded; not shown.")
            continue
        logins.append((email, password, user.role))
    session.flush()
    return logins


# --- structure --------------------------------------------------------------------------


def _demo_journey(session: Session) -> tuple[Journey, bool]:
    journey = session.scalar(
        select(Journey)
        .where(Journey.name == DEMO_JOURNEY_NAME, Journey.template == "five-stage")
        .order_by(Journey.id)
        .limit(1)
    )
    if journey is not None:
        return journey, False
    journey = create_journey(session, DEMO_JOURNEY_NAME, "five-stage", DEMO_JOURNEY_DESCRIPTION)
    session.flush()
    return journey, True


def _demo_questionnaire(
    session: Session, journey: Journey, stage_key: str, kind: str, touchpoint_key: str | None
) -> Questionnaire | None:
    """The journey's questionnaire of that kind for the stage and touchpoint, made once."""
    stage = journey.stage_by_key(stage_key)
    touchpoint = journey.touchpoint_by_key(touchpoint_key) if touchpoint_key else None
    if stage is None or (touchpoint_key and touchpoint is None):
        return None  # a researcher reshaped the demo journey; leave it as it is
    query = select(Questionnaire).where(
        Questionnaire.journey_id == journey.id,
        Questionnaire.stage_id == stage.id,
        Questionnaire.kind == kind,
        Questionnaire.touchpoint_id == touchpoint.id
        if touchpoint
        else Questionnaire.touchpoint_id.is_(None),
    )
    questionnaire = session.scalar(query.order_by(Questionnaire.id).limit(1))
    if questionnaire is None:
        questionnaire = create_questionnaire(session, journey, stage, kind, touchpoint=touchpoint)
    if kind != "interview" and questionnaire.status == "draft":
        publish(questionnaire)
    session.flush()
    return questionnaire


def _add_interviews(session: Session, guide: Questionnaire, interviewer: User | None) -> int:
    """The interviews of the demo guide, once: notes per question, scored like any answer."""
    if session.scalar(select(func.count()).where(Response.questionnaire_id == guide.id)):
        return 0
    version = guide.current_version
    questions = {q.key: q for q in version.questions}
    today = datetime.now(UTC).replace(hour=10, minute=30, second=0, microsecond=0)
    for spec in fragments.INTERVIEWS:
        when = today - timedelta(days=spec["days_ago"])
        response = Response(
            questionnaire_id=guide.id,
            version_id=version.id,
            language=spec["language"],
            status="complete",
            channel="interview",
            meta={"interviewee": spec["interviewee"]},
            interviewer_id=interviewer.id if interviewer else None,
            started_at=when - timedelta(minutes=40),
            submitted_at=when,
        )
        for key, question in questions.items():
            note = spec["notes"].get(key)
            choice = spec["emotion"] if question.type == "emotion" else None
            if (question.type in TEXT_TYPES and note) or choice:
                response.answers.append(
                    Answer(
                        question_id=question.id,
                        stage_id=guide.stage_id,
                        touchpoint_id=question.touchpoint_id or guide.touchpoint_id,
                        text=note if choice is None else None,
                        choice=choice,
                    )
                )
        session.add(response)
        session.flush()
        scoring.score_answers(session, [a for a in response.answers if a.text], spec["language"])
    return len(fragments.INTERVIEWS)


# --- responses --------------------------------------------------------------------------


class _Weighted:
    """A weighted choice that costs one random number and a bisection."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weights: Mapping[Hashable, float]):
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


@dataclass
class _Question:
    id: int
    role: str  # score | text | emotion | choice | choices | skip
    touchpoint_id: int | None
    scores: tuple[_Weighted, ...] = ()
    options: tuple[str, ...] = ()
    key: str = ""
    show_if: dict | None = None  # a follow-up is answered only when its rule matches


@dataclass
class _Survey:
    questionnaire_id: int
    version_id: int
    stage: str
    stage_id: int
    questions: list[_Question]
    bands: _Weighted
    incident_bands: _Weighted
    themes: _Weighted
    incident_themes: _Weighted


@dataclass
class _Respondent:
    language: str
    market: str
    band: str
    theme: str | None
    meta: dict


def _score_weights(qtype: str, settings: Mapping | None) -> tuple[_Weighted, ...]:
    """Per band, the weighted scores of a scored question: low, middle, high of its scale."""
    if qtype in SCORES:
        return tuple(_Weighted(w) for w in SCORES[qtype])
    low, high = scale_of(qtype, settings)
    values = list(range(low, high + 1))  # at least 3 points
    cut1, cut2 = max(1, round(len(values) * 0.4)), max(2, round(len(values) * 0.7))
    parts = (values[:cut1], values[cut1:cut2], values[cut2:])
    return tuple(_Weighted(dict.fromkeys(part, 1)) for part in parts)


def _survey(questionnaire: Questionnaire, share: float) -> _Survey:
    version = questionnaire.current_version
    questions = []
    for q in version.questions:
        touchpoint_id = q.touchpoint_id or questionnaire.touchpoint_id
        if scale_of(q.type, q.settings) is not None:
            questions.append(
                _Question(q.id, "score", touchpoint_id, _score_weights(q.type, q.settings))
            )
        elif q.type in TEXT_TYPES:
            questions.append(_Question(q.id, "text", touchpoint_id))
        elif q.type == "emotion":
            questions.append(_Question(q.id, "emotion", touchpoint_id))
        elif q.type in ("single_choice", "multi_choice") and q.options:
            role = "choice" if q.type == "single_choice" else "choices"
            options = tuple(str(o["value"]) for o in q.options)
            questions.append(_Question(q.id, role, touchpoint_id, options=options))
        else:
            continue
        questions[-1].key, questions[-1].show_if = q.key, q.show_if
    stage = questionnaire.stage.key
    mix = BAND_MIX[stage]
    extra = INCIDENTS.get(stage, (0, 0, 0))[2]
    incident_mix = (mix[0] + extra, mix[1], max(5, mix[2] - extra))
    themes = fragments.STAGE_THEMES[stage]
    surge = fragments.INCIDENT_THEMES.get(stage, {})
    incident_themes = {t: w * surge.get(t, 1) for t, w in themes.items()}
    return _Survey(
        questionnaire.id,
        version.id,
        stage,
        questionnaire.stage_id,
        questions,
        _Weighted(dict(zip(BANDS, mix, strict=True))),
        _Weighted(dict(zip(BANDS, incident_mix, strict=True))),
        _Weighted(themes),
        _Weighted(incident_themes),
    )


def _timestamps(rng: random.Random, count: int, now: float) -> list[float]:
    """`count` moments of the last DAYS days, in order, busier at lunch and in the evening."""
    hours = _Weighted(dict(enumerate(HOUR_WEIGHTS)))
    midnight = now - now % 86400
    stamps = []
    for _ in range(count):
        moment = now + 1
        while moment > now:  # later today has not happened yet: draw again
            day = midnight - rng.randrange(DAYS) * 86400
            moment = day + (hours.pick(rng) + rng.random()) * 3600
        stamps.append(moment)
    stamps.sort()
    return stamps


class _ResponseFactory:
    """Makes the rows of synthetic responses; texts come from pools, analyses are memoised."""

    def __init__(self, rng: random.Random, surveys: Sequence[_Survey], shares, codebook):
        self.rng = rng
        self.surveys = _Weighted(dict(zip(range(len(surveys)), shares, strict=True)))
        self.survey_list = list(surveys)
        self.codebook = codebook
        self.markets = {
            language: _Weighted(
                {
                    key: m["weight"]
                    for key, m in fragments.MARKETS.items()
                    if m["language"] == language
                }
            )
            for language in ("fr", "en")
        }
        self.countries = {key: _Weighted(m["countries"]) for key, m in fragments.MARKETS.items()}
        self.channels = _Weighted(CHANNELS)
        self.devices = _Weighted(DEVICES)
        self.pools: dict[tuple, dict[int, str]] = {}
        self.analyses: dict[tuple[str, str], dict] = {}
        self.now = time.time()
        self.incident_windows = {
            stage: (self.now - start * 86400, self.now - end * 86400)
            for stage, (start, end, _extra) in INCIDENTS.items()
        }
        self.french = 0

    def text(self, stage: str, market: str, band: str, theme: str | None) -> str:
        pool = self.pools.setdefault((stage, market, band, theme), {})
        slot = self.rng.randrange(POOL_SIZE[band])
        text = pool.get(slot)
        if text is None:
            text = pool[slot] = compose_text(self.rng, stage, market, band, theme)
        return text

    def analysis(self, text: str, language: str) -> dict:
        found = self.analyses.get((text, language))
        if found is None:
            result = scoring.analyze(text, language=language, codebook=self.codebook)
            found = self.analyses[(text, language)] = {
                "analyzer_version": scoring.analyzer_version(self.codebook),
                "language": result.language,
                "polarity": result.polarity,
                "subjectivity": result.subjectivity,
                "label": result.label,
                "emotions": dict(result.emotions),
                "emotion": result.emotion,
                "themes": list(result.themes),
                "reason": result.reason,
            }
        return found

    def batch(self, stamps: Sequence[float], ids: dict[str, int]) -> dict[str, list[dict]]:
        """The rows of one batch of responses, with ids counted on from `ids`."""
        rng = self.rng
        rows: dict[str, list[dict]] = {
            "responses": [],
            "score": [],
            "text": [],
            "choice": [],
            "choices": [],
            "analyses": [],
            "themes": [],
        }
        for stamp in stamps:
            survey = self.survey_list[self.surveys.pick(rng)]
            respondent = self._respondent(survey, stamp)
            submitted = datetime.fromtimestamp(stamp, UTC)
            rows["responses"].append(
                {
                    "id": ids["responses"],
                    "questionnaire_id": survey.questionnaire_id,
                    "version_id": survey.version_id,
                    "language": respondent.language,
                    "status": "complete",
                    "channel": "web",
                    "meta": respondent.meta,
                    "submitted_at": submitted,
                    "started_at": submitted - timedelta(seconds=rng.randint(20, 240)),
                }
            )
            self._answers(rows, ids, survey, respondent, submitted)
            ids["responses"] += 1
        return rows

    def _respondent(self, survey: _Survey, stamp: float) -> _Respondent:
        """Who answers, where from, and how they feel (worse during an incident)."""
        rng = self.rng
        language = "fr" if rng.random() < FRENCH_SHARE else "en"
        self.french += language == "fr"
        market = self.markets[language].pick(rng)
        window = self.incident_windows.get(survey.stage)
        incident = window is not None and window[0] <= stamp <= window[1]
        band = (survey.incident_bands if incident else survey.bands).pick(rng)
        theme = None
        if band == "negative" or (band == "passive" and rng.random() < PASSIVE_WITH_THEME):
            theme = (survey.incident_themes if incident else survey.themes).pick(rng)
        meta = {
            "channel": self.channels.pick(rng),
            "country": self.countries[market].pick(rng),
            "customer_type": "B2B" if rng.random() < B2B_SHARE else "B2C",
            "device": self.devices.pick(rng),
        }
        if survey.stage in STAGES_WITH_ORDER:
            meta["order_id"] = f"PC-{rng.randrange(1_000_000, 10_000_000)}"
        return _Respondent(language, market, band, theme, meta)

    def _answers(self, rows, ids, survey: _Survey, who: _Respondent, submitted) -> None:
        """One answer row per question answered, filed by the columns it fills."""
        rng = self.rng
        given: dict[str, AnswerValue] = {}  # what the follow-ups' rules read
        for question in survey.questions:
            if not matches(question.show_if, given):
                continue
            row = {
                "id": ids["answers"],
                "response_id": ids["responses"],
                "question_id": question.id,
                "stage_id": survey.stage_id,
                "touchpoint_id": question.touchpoint_id,
            }
            role = question.role
            if role == "score":
                row["number"] = question.scores[BAND_INDEX[who.band]].pick(rng)
            elif role == "text":
                if rng.random() >= TEXT_RATE[who.band]:
                    continue
                row["text"] = text = self.text(survey.stage, who.market, who.band, who.theme)
                if self.codebook is not None:
                    self._scored(rows, row, text, who.language, submitted, ids)
            elif role == "emotion":
                if rng.random() >= EMOTION_RATE:
                    continue
                row["choice"] = rng.choice(self._emotions(who.band, who.theme))
                role = "choice"
            elif role == "choice":
                row["choice"] = rng.choice(question.options)
            else:
                picked = set(rng.sample(question.options, rng.randint(1, len(question.options))))
                row["choices"] = [o for o in question.options if o in picked]
            rows[role].append(row)
            ids["answers"] += 1
            given[question.key] = AnswerValue(
                number=row.get("number"), choice=row.get("choice"), choices=row.get("choices")
            )

    def _scored(self, rows, answer: dict, text: str, language: str, when, ids) -> None:
        result = self.analysis(text, language)
        rows["analyses"].append(
            {
                **result,
                "id": ids["analyses"],
                "answer_id": answer["id"],
                "stage_id": answer["stage_id"],
                "touchpoint_id": answer["touchpoint_id"],
                "created_at": when,
            }
        )
        ids["analyses"] += 1
        for theme in dict.fromkeys(result["themes"]):
            rows["themes"].append(
                {
                    "answer_id": answer["id"],
                    "theme_key": theme,
                    "source": "auto",
                    "stage_id": answer["stage_id"],
                    "touchpoint_id": answer["touchpoint_id"],
                    "polarity": result["polarity"],
                }
            )

    @staticmethod
    def _emotions(band: str, theme: str | None) -> Sequence[str]:
        if band == "positive":
            return fragments.POSITIVE_EMOTIONS
        if band == "passive" or theme is None:
            return fragments.PASSIVE_EMOTIONS
        return fragments.THEME_EMOTIONS.get(theme, EMOTIONS)


def _next_id(session: Session, table) -> int:
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def _sync_sequences(session: Session) -> None:
    """On PostgreSQL, move the id sequences past the ids this module wrote itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (RESPONSES, ANSWERS, ANALYSES):
        session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, "id"),
                    func.coalesce(func.max(table.c.id), 0) + 1,
                    False,
                )
            )
        )


def _insert_batch(session: Session, rows: Mapping[str, list[dict]]) -> None:
    # Answers go in by kind so each statement carries only the columns it fills.
    for table, key in (
        (RESPONSES, "responses"),
        (ANSWERS, "score"),
        (ANSWERS, "text"),
        (ANSWERS, "choice"),
        (ANSWERS, "choices"),
        (ANALYSES, "analyses"),
        (ANSWER_THEMES, "themes"),
    ):
        if rows[key]:
            session.execute(insert(table), rows[key])


def _add_responses(
    session: Session, factory: _ResponseFactory, count: int, echo: Callable[[str], object]
) -> dict[str, int]:
    stamps = _timestamps(factory.rng, count, factory.now)
    totals = {"answers": 0, "analyses": 0}
    started = time.perf_counter()
    for start in range(0, count, BATCH_SIZE):
        ids = {
            "responses": _next_id(session, RESPONSES),
            "answers": _next_id(session, ANSWERS),
            "analyses": _next_id(session, ANALYSES),
        }
        rows = factory.batch(stamps[start : start + BATCH_SIZE], ids)
        _insert_batch(session, rows)
        _sync_sequences(session)
        session.commit()
        totals["answers"] += sum(len(rows[k]) for k in ("score", "text", "choice", "choices"))
        totals["analyses"] += len(rows["analyses"])
        done = min(start + BATCH_SIZE, count)
        if done % PROGRESS_EVERY == 0 or done == count and count >= PROGRESS_EVERY:
            echo(f"  {done:,} / {count:,} responses ({time.perf_counter() - started:.0f} s)")
    return totals


# --- the command ------------------------------------------------------------------------


def _instance_folder(instance_path: str | None) -> str:
    if instance_path is not None:
        return instance_path
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.instance_path
    raise ValueError("seed_demo_data needs instance_path outside a Flask app context.")


def seed_demo_data(
    session: Session,
    responses: int,
    seed: int,
    echo: Callable[[str], object] = print,
    instance_path: str | None = None,
) -> str:
    """Create the demo journey, questionnaires and accounts once; add `responses` responses.

    The accounts' logins are written to `demo-logins.txt` in the instance folder (default:
    the current app's). Returns a one-paragraph summary.
    """
    started = time.perf_counter()
    folder = _instance_folder(instance_path)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets

    journey, created = _demo_journey(session)
    echo(f"{'Created' if created else 'Reusing'} the demo journey #{journey.id}.")
    surveys, shares = [], []
    for stage, kind, touchpoint, share in DEMO_SURVEYS:
        questionnaire = _demo_questionnaire(session, journey, stage, kind, touchpoint)
        if questionnaire is not None:
            surveys.append(questionnaire)
            shares.append(share)
    guide = _demo_questionnaire(session, journey, *INTERVIEW_GUIDE)
    logins = _ensure_accounts(session, folder, echo)
    researcher = session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
    interviews = _add_interviews(session, guide, researcher) if guide is not None else 0
    session.commit()
    _write_logins(folder, logins)

    codebook = scoring.current_codebook(session) if scoring.analysis_available() else None
    factory = _ResponseFactory(
        rng, [_survey(q, s) for q, s in zip(surveys, shares, strict=True)], shares, codebook
    )
    totals = {"answers": 0, "analyses": 0}
    if responses and surveys:
        echo(f"Adding {responses:,} responses...")
        totals = _add_responses(session, factory, responses, echo)
    # The bulk inserts go around `store_response`: count the journey map's rollups afresh.
    if totals["answers"] or interviews:
        rollups.rebuild(session)
    else:
        rollups.ensure_built(session)
    session.commit()
    # Follow-up cases from the recent responses, worked by the CX lead (surveys.cases.demo).
    cx_lead = session.scalar(select(User).where(User.email == DEMO_USERS[1][0]))
    cases = seed_demo_cases(session, surveys, cx_lead, seed, responses)
    session.commit()

    listed = ", ".join(
        f"{q.stage.key} {q.kind.upper()} #{q.id}" + ("" if q.status == "live" else f" {q.status}")
        for q in surveys
    )
    live = sum(q.status == "live" for q in surveys)
    summary = f"Demo journey #{journey.id} “{journey.name}”: {live} live questionnaires ({listed})"
    if guide is not None:
        summary += f", draft interview guide #{guide.id}"
        summary += f" with {interviews} new interviews" if interviews else ""
    if not totals["answers"]:
        return summary + f". No responses added. Took {time.perf_counter() - started:.1f} s."
    summary += (
        f". Added {responses:,} responses with {totals['answers']:,} answers over the last "
        f"{DAYS} days, {100 * factory.french // responses}% in French. "
    )
    if codebook is not None:
        summary += (
            f"Scored {totals['analyses']:,} text answers ({len(factory.analyses):,} distinct "
            f"texts) with analyzer {scoring.ANALYZER_VERSION}. "
        )
    else:
        summary += (
            "Text answers are not scored: the text analysis is not available; run "
            "`flask --app surveys analyze` once it is. "
        )
    if cases:
        summary += f"Opened {cases:,} follow-up cases from the recent unhappy answers. "
    return summary + f"Took {time.perf_counter() - started:.1f} s."
