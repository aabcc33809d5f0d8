"""The `data` of each webhook event: plain JSON, keyed the way the API and the exports are.

An anonymous questionnaire's responses carry neither customer reference nor metadata: the
keys are left out, not sent empty.
"""

from __future__ import annotations

from ..models import PainPoint, Response


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _value(answer):
    if answer.choices is not None:
        return list(answer.choices)
    if answer.choice is not None:
        return answer.choice
    if answer.number is not None:
        number = float(answer.number)
        return int(number) if number.is_integer() else number
    return answer.text


def response_data(response: Response) -> dict:
    questionnaire = response.questionnaire
    data: dict = {
        "id": response.id,
        "questionnaire_id": response.questionnaire_id,
        "journey_id": questionnaire.journey_id,
        "stage_key": questionnaire.stage.key,
        "touchpoint_key": questionnaire.touchpoint.key if questionnaire.touchpoint else None,
        "language": response.language,
        "status": response.status,
        "submitted_at": _iso(response.submitted_at),
        "answers": {answer.question.key: _value(answer) for answer in response.answers},
    }
    if not questionnaire.anonymous:
        meta = dict(response.meta or {})
        invitation = response.invitation
        data["customer_ref"] = (
            invitation.customer_ref if invitation is not None else meta.get("customer_ref")
        ) or None
        data["metadata"] = meta
    return data


def pain_point_data(pain_point: PainPoint) -> dict:
    return {
        "id": pain_point.id,
        "journey_id": pain_point.journey_id,
        "stage_key": pain_point.stage.key,
        "touchpoint_key": pain_point.touchpoint.key if pain_point.touchpoint else None,
        "theme": pain_point.theme_key,
        "status": pain_point.status,
        "owner": pain_point.owner,
        "note": pain_point.note,
        "updated_at": _iso(pain_point.updated_at),
        "resolved_at": _iso(pain_point.resolved_at),
    }
