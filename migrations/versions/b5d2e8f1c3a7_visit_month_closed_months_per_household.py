"""visit_month: what each household's visits did in a closed month, for reports over long periods

Revision ID: b5d2e8f1c3a7
Revises: a7c3e9d41f20
Create Date: 2026-12-06 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d2e8f1c3a7'
down_revision = 'a7c3e9d41f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'visit_month',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('outcomes', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('late', sa.Integer(), nullable=False),
        sa.Column('missed', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['household_id'], ['household.id'], name=op.f('fk_visit_month_household_id_household')
        ),
        sa.PrimaryKeyConstraint('month', 'household_id', name=op.f('pk_visit_month')),
    )
    op.create_table(
        'stored_month',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('stored_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_stored_month')),
    )


def downgrade():
    op.drop_table('stored_month')
    op.drop_table('visit_month')
