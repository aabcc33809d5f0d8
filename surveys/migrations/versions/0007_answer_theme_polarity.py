"""answer theme polarity

The answer's polarity beside each of its themes, so the pain points' quotes (the most
negative answers of a theme at a cell) come from one index instead of a sort of them all.
The new index starts with the old one's columns and replaces it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answer_themes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('polarity', sa.Float(), nullable=True))
    op.execute(
        "UPDATE answer_themes SET polarity = (SELECT text_analyses.polarity FROM text_analyses "
        "WHERE text_analyses.answer_id = answer_themes.answer_id)"
    )
    with op.batch_alter_table('answer_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_themes_cell')
        batch_op.create_index(
            'ix_answer_themes_quotes',
            ['stage_id', 'touchpoint_id', 'theme_key', 'polarity'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('answer_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_themes_quotes')
        batch_op.create_index(
            'ix_answer_themes_cell', ['stage_id', 'touchpoint_id', 'theme_key'], unique=False
        )
        batch_op.drop_column('polarity')
