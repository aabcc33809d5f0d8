"""The squared polarities in the journey map's rollups, for the margin of sentiment over time

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:50:00.000000

Rollups built before hold no squares: the state row goes, so the pages read the answers until
`init-db` (which runs this) rebuilds them all, squares included.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rollup_cells", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("polarity_sq_sum", sa.Float(), nullable=False, server_default="0")
        )
    op.execute("DELETE FROM rollup_state")


def downgrade() -> None:
    with op.batch_alter_table("rollup_cells", schema=None) as batch_op:
        batch_op.drop_column("polarity_sq_sum")
