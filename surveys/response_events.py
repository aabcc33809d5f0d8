"""What follows a customer's answer, in the transaction that stores it.

A response that completes may open follow-up cases (its questionnaire's alert rules) and is a
`response.completed` webhook event; a step of an unfinished one is `response.partial`. Both
are written beside the response, so they commit with it or not at all; webhook deliveries
and notification emails go out after the commit (surveys.webhooks.events, surveys.cases).

Text rules need the answers' scores: when a worker scores them later, the scoring job calls
`scored` and the rules run again (a rule opens at most one case per response).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .cases.opening import open_cases_for
from .models import Response
from .webhooks.events import record
from .webhooks.payloads import response_data


def completed(session: Session, response: Response) -> None:
    """`response` was just stored complete (or its last step was): before the commit."""
    session.flush()
    open_cases_for(session, response)
    record(session, "response.completed", response_data(response))


def partial(session: Session, response: Response) -> None:
    """A step of an unfinished response was stored: before the commit."""
    session.flush()
    record(session, "response.partial", response_data(response))


def scored(session: Session, response: Response) -> None:
    """The response's text answers were scored after it was stored: before that commit."""
    if response.status == "complete":
        open_cases_for(session, response)
