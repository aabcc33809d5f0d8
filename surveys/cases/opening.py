"""Opening follow-up cases from a questionnaire's alert rules.

`open_cases_for` runs in the transaction that stores a complete response (and again in the
scoring job's, once its texts are scored): one query for the questionnaire's active rules,
one for the rules this response already opened a case under, one for its answers. A rule
opens at most one case per response (a unique constraint says so too), so a replay or a
late scoring never opens a second one.

A new case is a `case.opened` webhook event in the same transaction; its owner's email goes
out after the commit (`notify`), never while the customer's page waits.
`open_cases_for_existing` runs the rules over responses stored before (the demo's bulk
load, a rule added to a questionnaire that already has answers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    AlertRule,
    Answer,
    AnswerTheme,
    CaseEvent,
    FollowUpCase,
    Invitation,
    Question,
    Questionnaire,
    Response,
    TextAnalysis,
    User,
    aware,
    utcnow,
)
from ..webhooks.events import record
from .payloads import case_data
from .rules import AnswerFacts, matching_answer, spec_of

EXISTING_BATCH = 500


def active_rules(session: Session, questionnaire_id: int) -> list[AlertRule]:
    return list(
        session.scalars(
            select(AlertRule)
            .where(AlertRule.questionnaire_id == questionnaire_id, AlertRule.active.is_(True))
            .order_by(AlertRule.id)
        )
    )


def open_cases_for(session: Session, response: Response) -> list[FollowUpCase]:
    """The cases `response` opens under its questionnaire's alert rules, added to `session`."""
    if response.status != "complete":
        return []
    rules = active_rules(session, response.questionnaire_id)
    if not rules:
        return []
    taken = set(
        session.scalars(select(FollowUpCase.rule_id).where(FollowUpCase.response_id == response.id))
    )
    rules = [rule for rule in rules if rule.id not in taken]
    if not rules:
        return []
    with_text = any(rule.kind == "negative_text" for rule in rules)
    facts = answer_facts(session, [response.id], with_text).get(response.id, [])
    cases = _open(session, rules, response, facts, utcnow())
    if cases:
        announce(session, cases)
    return cases


def answer_facts(
    session: Session, response_ids: Sequence[int], with_text: bool
) -> dict[int, list[AnswerFacts]]:
    """Per response, its answers as the rules read them (scores; texts with their analysis
    and themes when `with_text`), in answer order."""
    columns = [
        Answer.id,
        Answer.response_id,
        Question.key,
        Answer.number,
        Answer.text,
        Answer.stage_id,
        Answer.touchpoint_id,
    ]
    query = select(*columns).join(Question, Question.id == Answer.question_id)
    if with_text:
        query = query.add_columns(TextAnalysis.label, TextAnalysis.polarity).outerjoin(
            TextAnalysis, TextAnalysis.answer_id == Answer.id
        )
    rows = session.execute(
        query.where(Answer.response_id.in_(response_ids)).order_by(Answer.id)
    ).all()
    themes: dict[int, set[str]] = defaultdict(set)
    if with_text:
        scored = [row[0] for row in rows if row[4] and row[7] is not None]
        if scored:
            for answer_id, key in session.execute(
                select(AnswerTheme.answer_id, AnswerTheme.theme_key).where(
                    AnswerTheme.answer_id.in_(scored)
                )
            ):
                themes[answer_id].add(key)
    found: dict[int, list[AnswerFacts]] = defaultdict(list)
    for row in rows:
        found[row[1]].append(
            AnswerFacts(
                answer_id=row[0],
                key=row[2],
                number=row[3],
                text=row[4],
                label=row[7] if with_text else None,
                polarity=row[8] if with_text else None,
                themes=frozenset(themes.get(row[0], ())),
                stage_id=row[5],
                touchpoint_id=row[6],
            )
        )
    return found


def _open(
    session: Session,
    rules: Sequence[AlertRule],
    response: Response,
    facts: Sequence[AnswerFacts],
    opened_at: datetime,
) -> list[FollowUpCase]:
    cases = []
    for rule in rules:
        answer = matching_answer(spec_of(rule), facts)
        if answer is None:
            continue
        cases.append(_new_case(session, rule, response, answer, opened_at))
    if cases:
        session.flush()
    return cases


def _new_case(
    session: Session,
    rule: AlertRule,
    response: Response,
    answer: AnswerFacts,
    opened_at: datetime,
) -> FollowUpCase:
    questionnaire: Questionnaire = response.questionnaire
    # Where the answer is about (fixed when it was stored), as the journey map places it.
    stage_id = answer.stage_id or questionnaire.stage_id
    touchpoint_id = answer.touchpoint_id if answer.stage_id else questionnaire.touchpoint_id
    ref, meta = customer_of(session, response)
    case = FollowUpCase(
        rule_id=rule.id,
        rule_name=rule.name,
        response_id=response.id,
        questionnaire_id=questionnaire.id,
        journey_id=questionnaire.journey_id,
        stage_id=stage_id,
        touchpoint_id=touchpoint_id,
        customer_ref=ref,
        anonymous=bool(questionnaire.anonymous),
        meta=meta,
        owner_id=owner_for(session, rule, touchpoint_id),
        due_at=opened_at + timedelta(hours=rule.due_in_hours),
        status="open",
        opened_at=opened_at,
        updated_at=opened_at,
    )
    case.events.append(CaseEvent(kind="opened", at=opened_at, text="", details={"rule": rule.name}))
    session.add(case)
    return case


def customer_of(session: Session, response: Response) -> tuple[str, dict]:
    """The customer reference and metadata to copy into a case ("" and {} when anonymous)."""
    if response.questionnaire.anonymous:
        return "", {}
    meta: dict = {}
    ref = ""
    if response.invitation_id is not None:
        invitation = session.get(Invitation, response.invitation_id)
        if invitation is not None:
            meta.update(invitation.meta or {})
            ref = invitation.customer_ref or ""
    meta.update(response.meta or {})
    ref = ref or str(meta.get("customer_ref") or "")
    meta.pop("customer_ref", None)
    return ref[:200], meta


def owner_for(session: Session, rule: AlertRule, touchpoint_id: int | None) -> int | None:
    """The rule's owner for that touchpoint, else its default owner; only active accounts."""
    candidates = []
    if touchpoint_id is not None:
        candidates.append((rule.touchpoint_owners or {}).get(str(touchpoint_id)))
    candidates.append(rule.owner_id)
    for user_id in candidates:
        if user_id:
            user = session.get(User, int(user_id))
            if user is not None and user.active:
                return user.id
    return None


def announce(session: Session, cases: Sequence[FollowUpCase]) -> None:
    """The `case.opened` webhook events now; the owners' emails after the commit."""
    from .notify import email_after_commit

    for case in cases:
        record(session, "case.opened", case_data(case))
    email_after_commit(session, [case.id for case in cases if case.owner_id])


def open_cases_for_existing(
    session: Session,
    questionnaire: Questionnaire,
    since: datetime | None = None,
    *,
    at_submission: bool = False,
    notify: bool = True,
) -> list[FollowUpCase]:
    """Run the questionnaire's active rules over its complete responses (submitted since
    `since`, when given); open the cases missing, in the caller's transaction.

    `at_submission` dates each case from its response (the demo's history) rather than now;
    without `notify` nothing is announced (no webhook event, no email).
    """
    rules = active_rules(session, questionnaire.id)
    if not rules:
        return []
    with_text = any(rule.kind == "negative_text" for rule in rules)
    query = select(Response.id).where(
        Response.questionnaire_id == questionnaire.id, Response.status == "complete"
    )
    if since is not None:
        query = query.where(Response.submitted_at >= since)
    ids = list(session.scalars(query.order_by(Response.id)))
    now = utcnow()
    opened: list[FollowUpCase] = []
    for start in range(0, len(ids), EXISTING_BATCH):
        chunk = ids[start : start + EXISTING_BATCH]
        taken: dict[int, set[int]] = defaultdict(set)
        for response_id, rule_id in session.execute(
            select(FollowUpCase.response_id, FollowUpCase.rule_id).where(
                FollowUpCase.response_id.in_(chunk)
            )
        ):
            taken[response_id].add(rule_id)
        facts = answer_facts(session, chunk, with_text)
        responses = session.scalars(select(Response).where(Response.id.in_(chunk))).all()
        for response in sorted(responses, key=lambda r: r.id):
            todo = [rule for rule in rules if rule.id not in taken[response.id]]
            when = aware(response.submitted_at) if at_submission else now
            opened += _open(session, todo, response, facts.get(response.id, []), when)
    if notify and opened:
        announce(session, opened)
    return opened
