"""Detractor alert rules and the follow-up cases they open

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("question_key", sa.String(length=40), nullable=True),
        sa.Column("min_score", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column("polarity_below", sa.Float(), nullable=True),
        sa.Column("theme_keys", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("touchpoint_owners", sa.JSON(), nullable=False),
        sa.Column("due_in_hours", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_alert_rules_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_alert_rules_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
    )
    op.create_index(
        op.f("ix_alert_rules_questionnaire_id"), "alert_rules", ["questionnaire_id"], unique=False
    )
    op.create_table(
        "follow_up_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sa.String(length=120), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), nullable=True),
        sa.Column("customer_ref", sa.String(length=200), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["journey_id"],
            ["journeys.id"],
            name=op.f("fk_follow_up_cases_journey_id_journeys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_follow_up_cases_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaires.id"],
            name=op.f("fk_follow_up_cases_questionnaire_id_questionnaires"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_follow_up_cases_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["alert_rules.id"],
            name=op.f("fk_follow_up_cases_rule_id_alert_rules"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["stages.id"], name=op.f("fk_follow_up_cases_stage_id_stages")
        ),
        sa.ForeignKeyConstraint(
            ["touchpoint_id"],
            ["touchpoints.id"],
            name=op.f("fk_follow_up_cases_touchpoint_id_touchpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_cases")),
        sa.UniqueConstraint("rule_id", "response_id", name=op.f("uq_follow_up_cases_rule_id")),
    )
    op.create_index(
        "ix_follow_up_cases_cell", "follow_up_cases", ["stage_id", "touchpoint_id"], unique=False
    )
    op.create_index(
        op.f("ix_follow_up_cases_owner_id"), "follow_up_cases", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_follow_up_cases_questionnaire_id"),
        "follow_up_cases",
        ["questionnaire_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_follow_up_cases_response_id"), "follow_up_cases", ["response_id"], unique=False
    )
    op.create_index(
        "ix_follow_up_cases_status_due", "follow_up_cases", ["status", "due_at"], unique=False
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_case_events_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["follow_up_cases.id"],
            name=op.f("fk_case_events_case_id_follow_up_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_follow_up_cases_status_due", table_name="follow_up_cases")
    op.drop_index(op.f("ix_follow_up_cases_response_id"), table_name="follow_up_cases")
    op.drop_index(op.f("ix_follow_up_cases_questionnaire_id"), table_name="follow_up_cases")
    op.drop_index(op.f("ix_follow_up_cases_owner_id"), table_name="follow_up_cases")
    op.drop_index("ix_follow_up_cases_cell", table_name="follow_up_cases")
    op.drop_table("follow_up_cases")
    op.drop_index(op.f("ix_alert_rules_questionnaire_id"), table_name="alert_rules")
    op.drop_table("alert_rules")
