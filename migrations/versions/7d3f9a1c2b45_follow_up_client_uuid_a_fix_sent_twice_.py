"""follow-up client_uuid: a fix the phone's outbox sends twice is stored once

Revision ID: 7d3f9a1c2b45
Revises: 7d3f9a2c41e8
Create Date: 2026-12-03 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3f9a1c2b45'
down_revision = '7d3f9a2c41e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_uuid', sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_follow_up_client_uuid'), ['client_uuid'])


def downgrade():
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_follow_up_client_uuid'), type_='unique')
        batch_op.drop_column('client_uuid')
