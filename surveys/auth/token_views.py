"""A user's API tokens: made here (shown once), listed by their prefix, revoked."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..api_tokens import TokenError, issue_token, revoke_token, tokens_of
from ..db import get_session
from ..messages import translated
from ..models import ROLE_SCOPES, ApiToken
from . import bp
from .forms import TokenForm


def _form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    form.scopes.choices = [(s, s) for s in ROLE_SCOPES.get(current_user.role, ())]
    return form


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = _form()
    session = get_session()
    status = 200
    if form.validate_on_submit():
        try:
            _token, raw = issue_token(session, current_user, form.scopes.data, form.name.data)
        except TokenError as error:
            form.scopes.errors.append(translated(error.message))
            status = 422
        else:
            # Rendered, not redirected: the raw value must never sit in a session cookie.
            return render_template(
                "auth/tokens.html",
                form=_form(formdata=None),  # a blank form under the new token
                tokens=tokens_of(session, current_user),
                raw=raw,
            ), 201
    elif form.errors:
        status = 422
    return render_template(
        "auth/tokens.html", form=form, tokens=tokens_of(session, current_user), raw=None
    ), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    session = get_session()
    token = session.get(ApiToken, token_id)
    # Another user's token is not found, so its existence does not leak.
    if token is None or token.user_id != current_user.id:
        abort(404)
    if token.revoked_at is None:  # the event commits with the revocation
        audit.record(
            session,
            "token_revoked",
            target=current_user.email,
            details={"token": token.prefix, "name": token.name},
        )
    revoke_token(session, token)
    flash(
        _("Token %(prefix)s… revoked; calls with it now get 401.", prefix=token.prefix), "success"
    )
    return redirect(url_for("auth.tokens"))
