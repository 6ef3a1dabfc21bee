"""indexes the city's reports and searches use; none on booleans nothing selects by

Revision ID: 7d3f9a2c41e8
Revises: 5b1e0c7d9a21
Create Date: 2026-12-03 12:20:00.000000

Added: hazard.closed_at (hazards closed in a period), hazard.reported_by_id (a worker's
records; visit.completed_by_id is served by the workload's composite index), and on PostgreSQL trigram (GIN)
indexes for searching residents' names and households' addresses anywhere in the city
(b-trees on SQLite, which serve a search by the beginning). pg_trgm is created when the
database user may; without it the two are plain b-trees there too. Dropped: household.active, care_schedule.active and
resident (lives_alone, empty_nest), booleans no query selects rows by.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3f9a2c41e8'
down_revision = '5b1e0c7d9a21'
branch_labels = None
depends_on = None

SEARCH = (('ix_resident_name_search', 'resident', 'name'),
          ('ix_household_address_search', 'household', 'address'))


def _has_trigrams(bind) -> bool:
    """pg_trgm is there, or could be created now (a savepoint keeps a refusal harmless)."""
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade():
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.create_index('ix_hazard_closed_at', ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_reported_by_id'), ['reported_by_id'], unique=False)
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_active'))
    with op.batch_alter_table('care_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_schedule_active'))
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_flags')
        batch_op.drop_index(batch_op.f('ix_resident_name'))

    bind = op.get_bind()
    trigrams = bind.dialect.name == 'postgresql' and _has_trigrams(bind)
    for name, table, column in SEARCH:
        if trigrams:
            op.create_index(name, table, [column], unique=False, postgresql_using='gin',
                            postgresql_ops={column: 'gin_trgm_ops'})
        else:
            op.create_index(name, table, [column], unique=False)


def downgrade():
    for name, table, _ in SEARCH:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_name'), ['name'], unique=False)
        batch_op.create_index('ix_resident_flags', ['lives_alone', 'empty_nest'], unique=False)
    with op.batch_alter_table('care_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_schedule_active'), ['active'], unique=False)
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_active'), ['active'], unique=False)
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_reported_by_id'))
        batch_op.drop_index('ix_hazard_closed_at')
