"""Invitations: one customer asked to answer one questionnaire, through a private link."""

from .service import (
    EXPIRY_DAYS_MAX,
    META_KEYS_MAX,
    META_VALUE_MAX,
    InvitationCounts,
    InvitationError,
    InvitationRequest,
    check_meta,
    check_request,
    counts,
    create_invitations,
    invitation_by_token,
    invitation_link,
    is_expired,
    new_token,
    qr_link,
    status_of,
)

__all__ = [
    "EXPIRY_DAYS_MAX",
    "META_KEYS_MAX",
    "META_VALUE_MAX",
    "InvitationCounts",
    "InvitationError",
    "InvitationRequest",
    "check_meta",
    "check_request",
    "counts",
    "create_invitations",
    "invitation_by_token",
    "invitation_link",
    "is_expired",
    "new_token",
    "qr_link",
    "status_of",
]
