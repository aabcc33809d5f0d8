from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..design.forms import MultiCheckboxField


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        # A pasted address often carries a space; it is not part of the address.
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in"))


class TokenForm(FlaskForm):
    name = StringField(
        _l("What is it for?"), validators=[DataRequired(), Length(max=100)],
        description=_l("E.g. “Shop: post-purchase invitations”."),
    )  # fmt: skip
    scopes = MultiCheckboxField(
        _l("Scopes"), validators=[DataRequired(_l("Choose at least one scope."))]
    )
