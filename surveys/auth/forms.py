from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..design.forms import MultiCheckboxField


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        # A pasted address often carries a space; it is not part of the address.
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in")


class TokenForm(FlaskForm):
    name = StringField(
        "What is it for?", validators=[DataRequired(), Length(max=100)],
        description="E.g. “Shop: post-purchase invitations”.",
    )  # fmt: skip
    scopes = MultiCheckboxField("Scopes", validators=[DataRequired("Choose at least one scope.")])
