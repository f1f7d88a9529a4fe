"""Integrity checks on the raw layer (ERROR, blocking): dbt models downstream do not build on broken raw data.

A duplicated id double-counts sales; a null key loses a row in every join downstream. The ingestion lands an object
whose id or created_at is absent or unreadable with the key null (its raw JSON kept), so it is this check that
stops it, with the partition and counts, instead of the object disappearing.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    DailyPartitionsDefinition,
    asset_check,
)

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import RawEntity
from square_sales.quality.common import SAMPLE, check_days, days_text
from square_sales.quality.reading import raw_days


def duplicate_ids_check(entity: RawEntity, partitions: DailyPartitionsDefinition) -> AssetChecksDefinition:
    @asset_check(
        asset=entity.asset_key,
        name="no_duplicate_ids",
        description=f"Each {entity.name[:-1]} id appears once per partition (a duplicate double-counts sales).",
        blocking=True,
        partitions_def=partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = check_days(context)
        with raw_days(lake, entity, days) as (con, found):
            rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
            duplicates = con.execute(
                "SELECT date, id, count(*) AS n FROM raw GROUP BY date, id HAVING n > 1 ORDER BY n DESC, date, id"
            ).fetchall()
        extra_rows = sum(n - 1 for _, _, n in duplicates)
        sample = ", ".join(str(i) for _, i, _ in duplicates[:SAMPLE])
        return AssetCheckResult(
            passed=not duplicates,
            severity=AssetCheckSeverity.ERROR,
            description=(
                f"{len(duplicates)} {entity.name[:-1]} id(s) appear more than once in {days_text(days)} "
                f"({extra_rows} extra row(s)), e.g. {sample}"
                if duplicates
                else f"All {rows} ids are unique in {days_text(days)}."
            ),
            metadata={
                "rows": rows,
                "duplicate_ids": len(duplicates),
                "extra_rows": extra_rows,
                "sample_ids": sample or "-",
                "files_read": len(found),
            },
        )

    return check


def null_keys_check(entity: RawEntity, partitions: DailyPartitionsDefinition) -> AssetChecksDefinition:
    columns = entity.key_columns

    @asset_check(
        asset=entity.asset_key,
        name="no_null_keys",
        description=f"Key columns ({', '.join(columns)}) are never null.",
        blocking=True,
        partitions_def=partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = check_days(context)
        counts = ", ".join(f"count(*) FILTER (WHERE {c} IS NULL)" for c in columns)
        with raw_days(lake, entity, days) as (con, _):
            rows, *nulls = con.execute(f"SELECT count(*), {counts} FROM raw").fetchone()
        bad = {c: n for c, n in zip(columns, nulls, strict=True) if n}
        return AssetCheckResult(
            passed=not bad,
            severity=AssetCheckSeverity.ERROR,
            description=(
                "Null keys in "
                + days_text(days)
                + ": "
                + ", ".join(f"{c} null in {n} row(s)" for c, n in bad.items())
                if bad
                else f"No null keys in {rows} rows."
            ),
            metadata={"rows": rows, **{f"null_{c}": n for c, n in zip(columns, nulls, strict=True)}},
        )

    return check
