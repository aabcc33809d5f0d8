"""Invitation reminders and the per-customer cooldown

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_invitations_customer_ref_created", ["customer_ref", "created_at"], unique=False
        )
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_after_days", sa.Integer(), nullable=False, server_default="3")
        )
        batch_op.add_column(
            sa.Column("max_reminders", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "suppressed_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("customer_ref", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("surveyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_suppressed_invitations_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressed_invitations")),
    )
    op.create_index(
        "ix_suppressed_invitations_questionnaire_created",
        "suppressed_invitations",
        ["questionnaire_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_suppressed_invitations_questionnaire_created", table_name="suppressed_invitations"
    )
    op.drop_table("suppressed_invitations")
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.drop_column("max_reminders")
        batch_op.drop_column("reminder_after_days")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_customer_ref_created")
        batch_op.drop_column("bounced_at")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("reminder_count")
