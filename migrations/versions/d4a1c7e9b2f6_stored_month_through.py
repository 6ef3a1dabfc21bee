"""stored_month.through: the running month's rows are stored through yesterday too

Revision ID: d4a1c7e9b2f6
Revises: b5d2e8f1c3a7
Create Date: 2026-12-06 17:00:00.000000

"""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "d4a1c7e9b2f6"
down_revision = "b5d2e8f1c3a7"
branch_labels = None
depends_on = None


def _last_day(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def upgrade():
    with op.batch_alter_table("stored_month") as batch_op:
        batch_op.add_column(sa.Column("through", sa.Date(), nullable=True))
    # Every month stored so far had closed: its rows run to its last day.
    stored_month = sa.table(
        "stored_month", sa.column("month", sa.Date), sa.column("through", sa.Date)
    )
    connection = op.get_bind()
    for (month,) in connection.execute(sa.select(stored_month.c.month)).all():
        connection.execute(
            stored_month.update()
            .where(stored_month.c.month == month)
            .values(through=_last_day(month))
        )
    with op.batch_alter_table("stored_month") as batch_op:
        batch_op.alter_column("through", existing_type=sa.Date(), nullable=False)


def downgrade():
    # A running month's rows would read as a whole month without it.
    connection = op.get_bind()
    stored_month = sa.table(
        "stored_month", sa.column("month", sa.Date), sa.column("through", sa.Date)
    )
    rows = connection.execute(sa.select(stored_month.c.month, stored_month.c.through)).all()
    partial = [month for month, through in rows if through != _last_day(month)]
    if partial:
        visit_month = sa.table("visit_month", sa.column("month", sa.Date))
        connection.execute(visit_month.delete().where(visit_month.c.month.in_(partial)))
        connection.execute(stored_month.delete().where(stored_month.c.month.in_(partial)))
    with op.batch_alter_table("stored_month") as batch_op:
        batch_op.drop_column("through")
