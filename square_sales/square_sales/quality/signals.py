"""Signal checks on the raw layer (WARN, never blocking): things a person should look at, not stop the data for.

Schema drift (Square added or dropped a field, or sent a value the layout could not read), volume far from the
store's usual weekday, and too many offline payments uploaded late.
"""

from datetime import UTC, datetime, timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    DailyPartitionsDefinition,
    asset_check,
)

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import ORDERS, PAYMENTS, RawEntity
from square_sales.quality.common import SAMPLE, check_days, md_table
from square_sales.quality.config import QualitySettings
from square_sales.quality.fields import DOCUMENTED, REQUIRED, REQUIRED_UNLESS
from square_sales.quality.reading import raw_days

# A location-day with fewer payments than this is too small for a meaningful late-arrival share.
LATE_ARRIVAL_MIN_PAYMENTS = 20


def _malformed_counts(con, entity: RawEntity) -> dict[str, int]:
    """Per source field, rows whose typed column is null while raw_json holds a value there: a value the
    ingestion could not read and kept as null (``layout``'s policy ``kept``)."""
    columns = [c for c in entity.columns if c.path]
    counts = con.execute(
        "SELECT "
        + ", ".join(
            f"count(*) FILTER (WHERE {c.name} IS NULL AND coalesce(json_type(raw_json, '$.{c.source}'), 'NULL') "
            "<> 'NULL')"
            for c in columns
        )
        + " FROM raw"
    ).fetchone()
    return {c.source: n for c, n in zip(columns, counts, strict=True) if n}


def _missing_unless_counts(con, entity: RawEntity) -> dict[str, tuple[int, str]]:
    """Per conditionally required field, rows without it (or with it empty) that lack the alternative too."""
    missing = {}
    for field_name, unless in REQUIRED_UNLESS[entity.name].items():
        (count,) = con.execute(
            f"SELECT count(*) FROM raw WHERE coalesce(json_array_length(raw_json, '$.{field_name}'), 0) = 0 "
            f"AND json_type(raw_json, '$.{unless}') IS NULL"
        ).fetchone()
        if count:
            missing[field_name] = (count, unless)
    return missing


def schema_drift_check(entity: RawEntity, partitions: DailyPartitionsDefinition) -> AssetChecksDefinition:
    documented, required = DOCUMENTED[entity.name], REQUIRED[entity.name]

    @asset_check(
        asset=entity.asset_key,
        name="no_schema_drift",
        description=(
            "Top-level fields in raw_json: none outside Square's documented schema, none we rely on missing; no "
            "value the ingestion could not read (kept as null)."
        ),
        partitions_def=partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = check_days(context)
        with raw_days(lake, entity, days) as (con, _):
            rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
            present = dict(
                con.execute(
                    "SELECT key, count(*) FROM (SELECT unnest(json_keys(raw_json)) AS key FROM raw) GROUP BY key"
                ).fetchall()
            )
            malformed = _malformed_counts(con, entity)
            missing_unless = _missing_unless_counts(con, entity)
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
        problems += [
            f"{f} absent or empty in {n} of {rows} row(s) without {unless}"
            for f, (n, unless) in missing_unless.items()
        ]
        if malformed:
            problems.append(
                "unreadable value(s) kept as null: "
                + ", ".join(f"{f} in {n} row(s)" for f, n in sorted(malformed.items()))
            )
        return AssetCheckResult(
            passed=not problems,
            severity=AssetCheckSeverity.WARN,
            description="; ".join(problems) if problems else f"{len(present)} known fields, none missing.",
            metadata={
                "rows": rows,
                "new_fields": ", ".join(new) or "-",
                "missing_fields": ", ".join([*missing, *missing_unless]) or "-",
                "malformed_fields": ", ".join(f"{f}: {n}" for f, n in sorted(malformed.items())) or "-",
                "fields_seen": len(present),
            },
        )

    return check


def volume_anomaly_check(
    settings: QualitySettings, partitions: DailyPartitionsDefinition
) -> AssetChecksDefinition:
    weeks = settings.volume_trailing_weeks

    @asset_check(
        asset=ORDERS.asset_key,
        name="volume_within_trailing_weekday_range",
        description=(
            f"Each location's orders and net sales for the day are within "
            f"[{settings.volume_min_ratio}x, {settings.volume_max_ratio}x] of its average over the same weekday "
            f"of the previous {weeks} weeks (no sales at all: register offline or store closed)."
        ),
        partitions_def=partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        findings, table, days_without_history, open_days = [], [], [], []
        now = datetime.now(UTC)
        for day in check_days(context):
            # A business day still under way has fewer sales than a whole one: judging it would cry wolf.
            if partitions.time_window_for_partition_key(day.isoformat()).end > now:
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
            "location_days": md_table(
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


def late_arrival_check(
    settings: QualitySettings, partitions: DailyPartitionsDefinition
) -> AssetChecksDefinition:
    @asset_check(
        asset=PAYMENTS.asset_key,
        name="late_arrival_share_within_limit",
        description=(
            f"Per location and day, at most {settings.late_arrival_max_share:.0%} of payments are offline payments "
            f"uploaded {settings.late_arrival_minutes} min or more after they were taken."
        ),
        partitions_def=partitions,
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        days = check_days(context)
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
                "per_location": md_table(
                    ["day", "location", "payments", "late", "share", "max delay", "status"], table
                ),
            },
        )

    return check
