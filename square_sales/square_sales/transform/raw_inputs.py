"""Before dbt builds the daily marts: every raw partition the run reads that should hold data does.

A business day of the marts is computed from the raw partitions around it. A partition deleted from the lake, or
emptied, would otherwise be built as a day without sales, and every test would pass. So a run of the daily models
compares the lake with what Dagster recorded of each raw partition's pulls (``rows_by_partition`` in the raw
assets' materializations) and refuses to build, naming the partitions, when:

- a raw partition of the run's own days is not in the lake (never pulled, or deleted);
- a raw partition Dagster recorded as pulled is not in the lake (deleted);
- a raw partition whose last pull landed rows holds none in the lake (emptied).

An incremental run checks the raw partitions it reads (``partition_window``); a full refresh checks that every
partition Dagster recorded as pulled is still in the lake (emptied files are only caught by incremental runs, which
look at few days).
"""

from __future__ import annotations

from datetime import date, timedelta

from dagster import AssetExecutionContext, AssetRecordsFilter, DagsterInstance

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import DAILY_ENTITIES, RawEntity
from square_sales.quality.reading import raw_days
from square_sales.transform.partition_window import dbt_window_for_partitions

SHOWN = 10  # problems quoted in the message


class RawInputsMissing(RuntimeError):
    """The raw partitions a dbt run would read are not all in the lake: building would publish wrong days."""


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _last_recorded_rows(instance: DagsterInstance, entity: RawEntity, day: date) -> int | None:
    """The rows the last pull of the partition landed (None when Dagster has no figure for it)."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=entity.asset_key, asset_partitions=[day.isoformat()]), limit=1
    ).records
    if not records:
        return None
    metadata = records[0].asset_materialization.metadata if records[0].asset_materialization else {}
    by_partition = metadata.get("rows_by_partition")
    value = by_partition.value.get(day.isoformat()) if by_partition is not None else None
    return value if isinstance(value, int) else None


def _lake_days(lake: LakeResource, entity: RawEntity) -> set[date]:
    """The days with a partition file in the lake (one listing)."""
    return {
        date.fromisoformat(path.split("date=", 1)[1][:10]) for path in lake.find(entity.folder, ".parquet")
    }


def raw_input_problems(
    instance: DagsterInstance,
    lake: LakeResource,
    own_days: list[date],
    read_days: list[date],
    count_rows: bool,
) -> list[str]:
    """What is wrong with the raw partitions of ``read_days`` (those of ``own_days`` must all exist); with
    ``count_rows``, a partition whose last pull landed rows must hold some."""
    problems = []
    for entity in DAILY_ENTITIES:
        recorded = {date.fromisoformat(k) for k in instance.get_materialized_partitions(entity.asset_key)}
        in_lake = _lake_days(lake, entity)
        for day in read_days:
            if day not in in_lake and (day in own_days or day in recorded):
                pulled = "was pulled (Dagster recorded it) but" if day in recorded else "was never pulled:"
                problems.append(f"{entity.name} {day} {pulled} is not in the lake")
        if not count_rows:
            continue
        present = [day for day in read_days if day in in_lake and day in recorded]
        with raw_days(lake, entity, present) as (con, _):
            rows = dict(con.execute("SELECT date, count(*) FROM raw GROUP BY date").fetchall())
        problems += [
            f"{entity.name} {day} is empty in the lake although its last pull landed rows"
            for day in present
            if not rows.get(day) and (_last_recorded_rows(instance, entity, day) or 0) > 0
        ]
    return problems


def check_raw_inputs(context: AssetExecutionContext, lake: LakeResource, full_refresh: bool) -> None:
    """Raise RawInputsMissing when the run's raw inputs are incomplete (see the module docstring)."""
    window = context.partition_time_window
    dbt_window = dbt_window_for_partitions(window.start, window.end)
    own = _days(window.start.date(), window.end.date() - timedelta(days=1))
    if full_refresh:
        recorded = {
            date.fromisoformat(k)
            for entity in DAILY_ENTITIES
            for k in context.instance.get_materialized_partitions(entity.asset_key)
        }
        read = sorted(recorded | set(own))
    else:
        read = _days(dbt_window.raw_partition_start, dbt_window.raw_partition_end)
    problems = raw_input_problems(context.instance, lake, own, read, count_rows=not full_refresh)
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        raise RawInputsMissing(
            "Refusing to build the marts from incomplete raw data, which would publish these days as having no "
            f"sales: {'; '.join(problems[:SHOWN])}{more}. Pull those raw partitions again (materialize "
            "square/raw/orders, payments and refunds for them), then build."
        )
