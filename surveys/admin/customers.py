"""A customer's data, for administrators: what is stored under a customer reference, as a
JSON download, or erased after typing the reference again (surveys.privacy does the work).

The reference travels in POST bodies, never in a URL, so it stays out of access logs and
browser history.
"""

from __future__ import annotations

import json
import re

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from feedback.locale_format import number

from .. import privacy
from ..auth import roles_required
from ..db import get_session
from ..i18n import current_language
from . import bp

admin_required = roles_required()  # no other role: admins only


class LookupForm(FlaskForm):
    ref = StringField(
        _l("Customer reference"),
        validators=[
            DataRequired(_l("Enter a customer reference.")),
            Length(max=privacy.CUSTOMER_REF_MAX),
        ],
        description=_l("Exactly as in the invitations and the API (customer_ref)."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ExportForm(FlaskForm):
    ref = HiddenField(validators=[DataRequired(), Length(max=privacy.CUSTOMER_REF_MAX)])


class EraseForm(FlaskForm):
    ref = HiddenField(validators=[DataRequired(), Length(max=privacy.CUSTOMER_REF_MAX)])
    confirm = StringField(
        _l("Type the customer reference again to confirm"),
        validators=[DataRequired(_l("Type the customer reference to confirm."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def validate_confirm(self, field) -> None:
        if privacy.clean_customer_ref(field.data) != privacy.clean_customer_ref(self.ref.data):
            raise ValidationError(_("This is not the same reference: nothing was erased."))


def _customer_page(ref: str, erase: EraseForm | None = None, status: int = 200):
    data = privacy.customer_data(get_session(), ref)
    return render_template(
        "admin/customer.html",
        data=data,
        counts=data.counts(),
        erase=erase or EraseForm(formdata=None),
    ), status


@bp.route("/customers", methods=["GET", "POST"])
@admin_required
def customers():
    form = LookupForm()
    if form.validate_on_submit():
        return _customer_page(privacy.clean_customer_ref(form.ref.data))
    return render_template("admin/customers.html", form=form), (422 if form.errors else 200)


def _file_name(ref: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", ref).strip("-")[:60] or "customer"
    return f"customer-{stem}.json"


@bp.post("/customers/export")
@admin_required
def export_customer():
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("Look the customer up again, then download."), "error")
        return redirect(url_for("admin.customers"), 303)
    ref = privacy.clean_customer_ref(form.ref.data)
    session = get_session()
    document = privacy.export_customer(session, ref)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    session.commit()  # the audit event, once the document is made
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(ref)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/customers/erase")
@admin_required
def erase_customer():
    form = EraseForm()
    ref = privacy.clean_customer_ref(form.ref.data)
    if not ref:
        flash(_("Look the customer up again, then erase."), "error")
        return redirect(url_for("admin.customers"), 303)
    if not form.validate_on_submit():
        return _customer_page(ref, form, 422)
    session = get_session()
    counts = privacy.erase_customer(session, ref)
    session.commit()
    language = current_language()
    erased = ngettext(
        "%(count)s response erased, with its answers, text analyses and themes.",
        "%(count)s responses erased, with their answers, text analyses and themes.",
        counts["responses"],
        count=number(counts["responses"], 0, language),
    )
    stripped = ngettext(
        "%(count)s invitation kept without the customer's reference, email or metadata.",
        "%(count)s invitations kept without the customer's reference, email or metadata.",
        counts["invitations"],
        count=number(counts["invitations"], 0, language),
    )
    flash(" ".join((erased, stripped)), "success")
    return redirect(url_for("admin.customers"), 303)
