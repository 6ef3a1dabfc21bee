"""visit (completed_by_id, completed_at): the workload's work done this week per worker

Revision ID: a7c3e9d41f20
Revises: 25b6e99840e5
Create Date: 2026-12-03 12:25:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9d41f20'
down_revision = '25b6e99840e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(
            'ix_visit_completed_by_completed_at', ['completed_by_id', 'completed_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_completed_by_completed_at')
