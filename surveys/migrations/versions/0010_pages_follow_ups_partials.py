"""Pages and follow-up rules of questions, partial responses that resume, anonymous questionnaires

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("show_if", sa.JSON(), nullable=True))
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("anonymous_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("partial_timeout_hours", sa.Integer(), nullable=False, server_default="72")
        )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        # The keys of the questions shown to the customer so far (answered or not).
        batch_op.add_column(sa.Column("seen", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("page_reached", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("page_reached")
        batch_op.drop_column("seen")
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.drop_column("partial_timeout_hours")
        batch_op.drop_column("anonymous_since")
        batch_op.drop_column("anonymous")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_column("show_if")
        batch_op.drop_column("page")
