"""Households a few thousand at a time, for the work a whole city needs every night.

A job that plans or re-derives 120,000 households must neither hold them all in memory
nor put every id into one `IN (…)` (PostgreSQL takes at most 65,535 parameters, SQLite
32,766). A batch is a range of household ids, or a slice of a given list of them, and
says how to filter any household id column by it.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from gridcare.extensions import db
from gridcare.registry.models import Household

# Households per batch: small enough for any database's parameter limit even when a
# batch names two schedules per household, large enough that a city is 24 batches.
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class HouseholdBatch:
    """Households with ids in (after, up_to], or exactly `ids`."""

    after: int = 0
    up_to: int | None = None
    ids: tuple[int, ...] | None = None

    def where(self, household_id_column):
        """The filter that keeps a query's rows to this batch's households."""
        if self.ids is not None:
            return household_id_column.in_(self.ids)
        if self.up_to is None:
            return household_id_column > self.after
        return household_id_column.between(self.after + 1, self.up_to)


def household_batches(
    household_ids: Iterable[int] | None = None, size: int | None = None
) -> Iterator[HouseholdBatch]:
    """Every household (by id ranges read as it goes), or the given ones, `size` at a time."""
    size = size or BATCH_SIZE
    if household_ids is not None:
        ids = sorted(set(household_ids))
        for start in range(0, len(ids), size):
            yield HouseholdBatch(ids=tuple(ids[start : start + size]))
        return
    after = 0
    while True:
        # The id `size` rows on: one short walk along the primary key per batch.
        up_to = db.session.scalar(
            select(Household.id)
            .where(Household.id > after)
            .order_by(Household.id)
            .offset(size - 1)
            .limit(1)
        )
        if up_to is None:
            if (
                db.session.scalar(select(Household.id).where(Household.id > after).limit(1))
                is not None
            ):
                yield HouseholdBatch(after=after)
            return
        yield HouseholdBatch(after=after, up_to=up_to)
        after = up_to
