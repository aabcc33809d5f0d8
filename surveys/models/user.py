"""Accounts of the people who design questionnaires and read the results."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Base, utcnow

ROLES = ("admin", "researcher", "cx_lead")
MIN_PASSWORD_LENGTH = 12  # ASVS 2.1.1


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session and "keep me logged in" cookie (get_id); raising it ends them all,
    # copies included: the server keeps no sessions, so this is how a logout reaches them.
    session_version: Mapped[int] = mapped_column(default=0)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every session and remembered login of this account stops working."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def can_design(self) -> bool:
        return self.role in ("admin", "researcher")
