"""campaign client_uuid: a campaign form sent twice starts one campaign

Revision ID: 5b1e0c7d9a21
Revises: 0647b504f37c
Create Date: 2026-12-01 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e0c7d9a21'
down_revision = '0647b504f37c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_uuid', sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_campaign_client_uuid'), ['client_uuid'])


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_campaign_client_uuid'), type_='unique')
        batch_op.drop_column('client_uuid')
