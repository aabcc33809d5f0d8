"""The audit log: who did what, when (logins, role changes, exports, erasures, purges).

An event is added to the caller's session and commits with the work it records, so an export
that failed or an erasure rolled back leaves no event, and one that happened always has one.
"""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from .models import AUDIT_ACTIONS, AuditEvent, User

TARGET_MAX = 200


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    target: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Add an event for `action` by `actor` (the logged-in user when not given, nobody from
    the command line) on `target`."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else "",
        target=target[:TARGET_MAX],
        details=details or {},
        address=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    return event
