"""Which days a partitioned dbt run rebuilds and which raw partitions it reads: a pure function, unit-tested.

Raw partitions are business days in the reporting time zone (by ``created_at``); the marts are by each location's
own local business day. For any location whose UTC offset is within 24 hours of the reporting zone's, raw partition
D holds sales of local days D-1, D and D+1 (a store west of the reporting zone starts its day later, one east of
it earlier). So a run for partitions [S, E]:

- rebuilds local business days [S-1, E+1] (every day a re-pulled raw day can change), and
- reads raw partitions [S-2, E+2] (every raw day that can hold sales of those local days),

which keeps each run's cost proportional to its window, not to the length of history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Local business days a raw partition can spill into on either side (see the module docstring).
SPILL_DAYS = 1


@dataclass(frozen=True)
class DbtWindow:
    business_date_start: date
    business_date_end: date  # inclusive
    raw_partition_start: date
    raw_partition_end: date  # inclusive

    def as_dbt_vars(self) -> dict[str, str]:
        return {
            "business_date_start": self.business_date_start.isoformat(),
            "business_date_end": self.business_date_end.isoformat(),
            "raw_partition_start": self.raw_partition_start.isoformat(),
            "raw_partition_end": self.raw_partition_end.isoformat(),
        }


def dbt_window_for_partitions(start: date | datetime, end: date | datetime) -> DbtWindow:
    """The window for the partitions in [start, end): Dagster's ``partition_time_window`` (end exclusive).

    Datetimes are read as dates in their own time zone (Dagster gives midnights in the partitions' zone).
    """
    first = start.date() if isinstance(start, datetime) else start
    end_day = end.date() if isinstance(end, datetime) else end
    last = end_day - timedelta(days=1)
    if last < first:
        raise ValueError(f"Empty partition window [{first}, {end_day}): nothing to rebuild.")
    spill = timedelta(days=SPILL_DAYS)
    return DbtWindow(
        business_date_start=first - spill,
        business_date_end=last + spill,
        raw_partition_start=first - 2 * spill,
        raw_partition_end=last + 2 * spill,
    )
