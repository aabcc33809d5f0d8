"""journey map indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:00:00.000000
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Covering indexes: the journey map reads these columns for every answer and analysis
    # of a stage, so the index alone serves the scan and the wide rows (texts) stay unread.
    op.create_index(
        'ix_answers_cell_scores',
        'answers',
        ['stage_id', 'touchpoint_id', 'question_id', 'response_id', 'number', 'choice'],
    )
    op.create_index(
        'ix_text_analyses_cell',
        'text_analyses',
        ['stage_id', 'touchpoint_id', 'answer_id', 'emotion', 'polarity'],
    )
    # A period filter over every questionnaire of a journey.
    op.create_index('ix_responses_submitted_at', 'responses', ['submitted_at'])


def downgrade() -> None:
    op.drop_index('ix_responses_submitted_at', table_name='responses')
    op.drop_index('ix_text_analyses_cell', table_name='text_analyses')
    op.drop_index('ix_answers_cell_scores', table_name='answers')
