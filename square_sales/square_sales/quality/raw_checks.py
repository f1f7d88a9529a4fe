"""Asset checks on the raw Square layer: duplicates, null keys, schema drift, volume, late arrivals, freshness.

Partitioned checks evaluate the partitions of the run that executes them (one day, or every day of a backfill
range). Integrity checks are ERROR and ``blocking``: dbt models downstream do not build on broken raw data.
Signals that need a human look (drift, volume, late uploads) are WARN and never block.
"""

from datetime import UTC, date, datetime, timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    AssetRecordsFilter,
    MetadataValue,
    asset_check,
)

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import DAILY_ENTITIES, ORDERS, PAYMENTS, RawEntity
from square_sales.partitions import daily_partitions
from square_sales.quality.config import QualitySettings
from square_sales.quality.fields import DOCUMENTED, KEY_COLUMNS, REQUIRED
from square_sales.quality.reading import raw_days

SAMPLE = 5
# A location-day with fewer payments than this is too small for a meaningful late-arrival share.
LATE_ARRIVAL_MIN_PAYMENTS = 20


def raw_asset_key(entity: RawEntity) -> AssetKey:
    return AssetKey(["square", "raw", entity.name])


def _days(context: AssetCheckExecutionContext) -> list[date]:
    return [date.fromisoformat(key) for key in context.partition_keys]


def _days_text(days: list[date]) -> str:
    return days[0].isoformat() if len(days) == 1 else f"{days[0]}...{days[-1]} ({len(days)} days)"


def _md_table(header: list[str], rows: list[tuple]) -> MetadataValue:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return MetadataValue.md("\n".join(lines))


# -- integrity (ERROR, blocking) --------------------------------------------------------------------------------


def _duplicate_ids_check(entity: RawEntity) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_asset_key(entity),
        name="no_duplicate_ids",
        description=f"Each {entity.name[:-1]} id appears once per partition (a duplicate double-counts sales).",
        blocking=True,
        partitions_def=daily_partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = _days(context)
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
                f"{len(duplicates)} {entity.name[:-1]} id(s) appear more than once in {_days_text(days)} "
                f"({extra_rows} extra row(s)), e.g. {sample}"
                if duplicates
                else f"All {rows} ids are unique in {_days_text(days)}."
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


def _null_keys_check(entity: RawEntity) -> AssetChecksDefinition:
    columns = KEY_COLUMNS[entity.name]

    @asset_check(
        asset=raw_asset_key(entity),
        name="no_null_keys",
        description=f"Key columns ({', '.join(columns)}) are never null.",
        blocking=True,
        partitions_def=daily_partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = _days(context)
        counts = ", ".join(f"count(*) FILTER (WHERE {c} IS NULL)" for c in columns)
        with raw_days(lake, entity, days) as (con, _):
            rows, *nulls = con.execute(f"SELECT count(*), {counts} FROM raw").fetchone()
        bad = {c: n for c, n in zip(columns, nulls, strict=True) if n}
        return AssetCheckResult(
            passed=not bad,
            severity=AssetCheckSeverity.ERROR,
            description=(
                "Null keys in "
                + _days_text(days)
                + ": "
                + ", ".join(f"{c} null in {n} row(s)" for c, n in bad.items())
                if bad
                else f"No null keys in {rows} rows."
            ),
            metadata={"rows": rows, **{f"null_{c}": n for c, n in zip(columns, nulls, strict=True)}},
        )

    return check


# -- signals (WARN) ---------------------------------------------------------------------------------------------


def _schema_drift_check(entity: RawEntity) -> AssetChecksDefinition:
    documented, required = DOCUMENTED[entity.name], REQUIRED[entity.name]

    @asset_check(
        asset=raw_asset_key(entity),
        name="no_schema_drift",
        description="Top-level fields in raw_json: none outside Square's documented schema, none we rely on missing.",
        partitions_def=daily_partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = _days(context)
        with raw_days(lake, entity, days) as (con, _):
            rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
            present = dict(
                con.execute(
                    "SELECT key, count(*) FROM (SELECT unnest(json_keys(raw_json)) AS key FROM raw) GROUP BY key"
                ).fetchall()
            )
        new = sorted(set(present) - documented)
        missing = {f: rows - present.get(f, 0) for f in required if present.get(f, 0) < rows}
        problems = []
        if new:
            problems.append(f"new field(s) not in Square's schema: {', '.join(new)}")
        if missing:
            problems.append(
                "missing field(s): "
                + ", ".join(f"{f} absent in {n} of {rows} row(s)" for f, n in missing.items())
            )
        return AssetCheckResult(
            passed=not problems,
            severity=AssetCheckSeverity.WARN,
            description="; ".join(problems) if problems else f"{len(present)} known fields, none missing.",
            metadata={
                "rows": rows,
                "new_fields": ", ".join(new) or "-",
                "missing_fields": ", ".join(missing) or "-",
                "fields_seen": len(present),
            },
        )

    return check


def _volume_anomaly_check(settings: QualitySettings) -> AssetChecksDefinition:
    weeks = settings.volume_trailing_weeks

    @asset_check(
        asset=raw_asset_key(ORDERS),
        name="volume_within_trailing_weekday_range",
        description=(
            f"Each location's orders and net sales for the day are within "
            f"[{settings.volume_min_ratio}x, {settings.volume_max_ratio}x] of its average over the same weekday "
            f"of the previous {weeks} weeks (no sales at all: register offline or store closed)."
        ),
        partitions_def=daily_partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        findings, table, days_without_history, open_days = [], [], [], []
        now = datetime.now(UTC)
        for day in _days(context):
            # A business day still under way has fewer sales than a whole one: judging it would cry wolf.
            if daily_partitions.time_window_for_partition_key(day.isoformat()).end > now:
                open_days.append(day.isoformat())
                continue
            history = [day - timedelta(weeks=w) for w in range(1, weeks + 1)]
            with raw_days(lake, ORDERS, [day, *history]) as (con, found):
                past = [d for d in found if d != day]
                if len(past) < 2:
                    days_without_history.append(day.isoformat())
                    continue
                # Completed orders only: open and canceled orders are not sales.
                stats = con.execute(
                    """
                    WITH per_day AS (
                        SELECT location_id, date, count(*) AS orders, sum(total_money_amount) AS net_sales
                        FROM raw WHERE state = 'COMPLETED' GROUP BY location_id, date
                    ), locations AS (SELECT DISTINCT location_id FROM per_day)
                    SELECT l.location_id,
                           coalesce(max(p.orders) FILTER (WHERE p.date = $day), 0) AS orders,
                           coalesce(max(p.net_sales) FILTER (WHERE p.date = $day), 0) AS net_sales,
                           coalesce(sum(p.orders) FILTER (WHERE p.date <> $day), 0) / $n AS avg_orders,
                           coalesce(sum(p.net_sales) FILTER (WHERE p.date <> $day), 0) / $n AS avg_net_sales
                    FROM locations l LEFT JOIN per_day p USING (location_id)
                    GROUP BY l.location_id ORDER BY l.location_id
                    """,
                    {"day": day, "n": len(past)},
                ).fetchall()
            for location, orders, net_sales, avg_orders, avg_net_sales in stats:
                reasons = []
                for label, value, average in (
                    ("orders", orders, avg_orders),
                    ("net sales", net_sales, avg_net_sales),
                ):
                    if average > 0 and not (
                        settings.volume_min_ratio * average <= value <= settings.volume_max_ratio * average
                    ):
                        reasons.append(f"{label} {value:g} vs avg {average:.1f}")
                table.append(
                    (
                        day,
                        location,
                        orders,
                        f"{avg_orders:.1f}",
                        net_sales,
                        f"{avg_net_sales:.0f}",
                        "; ".join(reasons) or "ok",
                    )
                )
                if reasons:
                    findings.append(f"{location} on {day}: {', '.join(reasons)}")
        metadata = {
            "anomalies": len(findings),
            "location_days": _md_table(
                ["day", "location", "orders", "avg orders", "net sales", "avg net sales", "finding"], table
            ),
        }
        if days_without_history:
            metadata["days_without_enough_history"] = ", ".join(days_without_history)
        if open_days:
            metadata["days_still_open"] = ", ".join(open_days)
        return AssetCheckResult(
            passed=not findings,
            severity=AssetCheckSeverity.WARN,
            description="; ".join(findings[:SAMPLE])
            if findings
            else f"{len(table)} location-day(s) in range"
            + (
                f"; not enough history for {', '.join(days_without_history)}" if days_without_history else "."
            ),
            metadata=metadata,
        )

    return check


def _late_arrival_check(settings: QualitySettings) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_asset_key(PAYMENTS),
        name="late_arrival_share_within_limit",
        description=(
            f"Per location and day, at most {settings.late_arrival_max_share:.0%} of payments are offline payments "
            f"uploaded {settings.late_arrival_minutes} min or more after they were taken."
        ),
        partitions_def=daily_partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = _days(context)
        with raw_days(lake, PAYMENTS, days) as (con, _):
            # For an offline payment, created_at is when the register took it and updated_at when it reached Square.
            rows = con.execute(
                """
                SELECT date, location_id, count(*) AS payments,
                       count(*) FILTER (WHERE is_offline_payment
                                        AND updated_at - created_at >= to_minutes($minutes::BIGINT)) AS late,
                       max(updated_at - created_at) FILTER (WHERE is_offline_payment) AS max_delay
                FROM raw GROUP BY date, location_id ORDER BY date, location_id
                """,
                {"minutes": settings.late_arrival_minutes},
            ).fetchall()
        findings, table = [], []
        for day, location, payments, late, max_delay in rows:
            share = late / payments if payments else 0.0
            too_many = payments >= LATE_ARRIVAL_MIN_PAYMENTS and share > settings.late_arrival_max_share
            delay = f"{max_delay.total_seconds() / 3600:.1f} h" if max_delay else "-"
            table.append(
                (day, location, payments, late, f"{share:.1%}", delay, "TOO HIGH" if too_many else "ok")
            )
            if too_many:
                findings.append(
                    f"{location} on {day}: {late}/{payments} late ({share:.1%}, max delay {delay})"
                )
        return AssetCheckResult(
            passed=not findings,
            severity=AssetCheckSeverity.WARN,
            description="; ".join(findings[:SAMPLE])
            if findings
            else "Late-arrival share within limit everywhere.",
            metadata={
                "locations_over_limit": len(findings),
                "max_share_allowed": settings.late_arrival_max_share,
                "per_location": _md_table(
                    ["day", "location", "payments", "late", "share", "max delay", "status"], table
                ),
            },
        )

    return check


# -- freshness (unpartitioned, on a schedule) -------------------------------------------------------------------


def _freshness_check(entity: RawEntity, settings: QualitySettings, window_days: int) -> AssetChecksDefinition:
    max_age = timedelta(hours=settings.freshness_max_age_hours)

    @asset_check(
        asset=raw_asset_key(entity),
        name="window_partitions_fresh",
        description=(
            f"Each partition of the last {window_days} day(s) was pulled at most "
            f"{settings.freshness_max_age_hours} h ago (late offline uploads are only caught by re-pulls)."
        ),
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        now = datetime.now(UTC)
        last_key = daily_partitions.get_last_partition_key()
        first_day = date.fromisoformat(daily_partitions.get_first_partition_key())
        last_day = date.fromisoformat(last_key) if last_key else first_day - timedelta(days=1)
        days = [
            last_day - timedelta(days=back)
            for back in reversed(range(window_days))
            if last_day - timedelta(days=back) >= first_day
        ]
        with raw_days(lake, entity, days) as (con, _):
            pulled = dict(con.execute("SELECT date, max(_ingested_at) FROM raw GROUP BY date").fetchall())
        # A day with no sales (yet) has no rows to date it: Dagster's record of the partition's last pull does.
        for day in days:
            if pulled.get(day) is None:
                records = context.instance.fetch_materializations(
                    AssetRecordsFilter(asset_key=raw_asset_key(entity), asset_partitions=[day.isoformat()]),
                    limit=1,
                ).records
                if records:
                    pulled[day] = datetime.fromtimestamp(records[0].timestamp, tz=UTC)
        table, stale = [], []
        for day in days:
            at = pulled.get(day)
            age = now - at if at else None
            if age is None or age > max_age:
                stale.append(
                    f"{day} ({f'{age.total_seconds() / 3600:.1f} h ago' if age else 'never pulled'})"
                )
            table.append(
                (
                    day,
                    at.isoformat(timespec="seconds") if at else "never",
                    f"{age.total_seconds() / 3600:.1f}" if age else "-",
                )
            )
        return AssetCheckResult(
            passed=not stale,
            severity=AssetCheckSeverity.ERROR,
            description=(
                f"Stale partitions (older than {settings.freshness_max_age_hours} h): {', '.join(stale)}"
                if stale
                else f"All {len(days)} window partitions pulled within {settings.freshness_max_age_hours} h."
            ),
            metadata={
                "stale_partitions": len(stale),
                "max_age_hours": settings.freshness_max_age_hours,
                "partitions": _md_table(["partition", "last pulled (UTC)", "age (h)"], table),
            },
        )

    return check


def build_partitioned_raw_checks(settings: QualitySettings) -> list[AssetChecksDefinition]:
    checks = []
    for entity in DAILY_ENTITIES:
        checks += [_duplicate_ids_check(entity), _null_keys_check(entity), _schema_drift_check(entity)]
    return [*checks, _volume_anomaly_check(settings), _late_arrival_check(settings)]


def build_freshness_checks(settings: QualitySettings, window_days: int) -> list[AssetChecksDefinition]:
    return [_freshness_check(entity, settings, window_days) for entity in DAILY_ENTITIES]
