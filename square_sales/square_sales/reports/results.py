"""The parity check's results: passed or failed, with the figures and the table of what differs in metadata, and
the raw partitions to re-pull for the store-days that differ."""

from __future__ import annotations

from dagster import AssetCheckResult, MetadataValue

from square_sales.reports.mart_side import StoreDay
from square_sales.reports.parity import Comparison, Difference, raw_partitions_of
from square_sales.reports.specs import PARITY_CHECK, ReportSpec

DIFFERENCES_SHOWN = 50
STORE_DAYS_SHOWN = 200
SKIPPED_SHOWN = 20


def comparison_result(
    spec: ReportSpec, comparison: Comparison, timezones: dict[str, str], reporting_timezone: str
) -> AssetCheckResult:
    report = comparison.report
    differing = comparison.differing_store_days
    view = f"Square's Reporting API view {spec.view}"
    if differing:
        description = (
            f"{len(differing)} of {len(comparison.compared)} store-days differ from {view} "
            f"({len(comparison.differences)} measure values); re-pull the raw partitions listed"
        )
    else:
        description = f"All {len(comparison.compared)} store-days compared equal {view}"
    metadata = {
        "view": MetadataValue.text(spec.view),
        "business_days": MetadataValue.text(f"{comparison.first}..{comparison.last}"),
        "square_data_as_of": MetadataValue.text(
            comparison.data_as_of.isoformat() if comparison.data_as_of else "not given"
        ),
        "store_days_compared": MetadataValue.int(len(comparison.compared)),
        "store_days_differing": MetadataValue.int(len(differing)),
        "store_days_skipped": MetadataValue.int(len(comparison.skipped)),
        "measures_compared": MetadataValue.text(", ".join(m.member for m in report.measures)),
        "differences": MetadataValue.md(_differences_table(comparison.differences) or "none"),
    }
    if report.not_listed:
        metadata["not_listed_by_square"] = MetadataValue.text(", ".join(report.not_listed))
    if comparison.skipped:
        metadata["skipped_store_days"] = MetadataValue.md(_skipped_table(comparison))
    if differing:
        partitions = {
            store_day: raw_partitions_of(
                store_day, timezones.get(store_day[0], reporting_timezone), reporting_timezone
            )
            for store_day in differing
        }
        metadata["differing_store_days"] = MetadataValue.md(_store_days_table(comparison, partitions))
        repull = sorted({partition for days in partitions.values() for partition in days})
        metadata["raw_partitions_to_repull"] = MetadataValue.text(", ".join(repull))
    return AssetCheckResult(
        asset_key=spec.key,
        check_name=PARITY_CHECK,
        passed=not differing,
        description=description,
        metadata=metadata,
    )


def not_compared_result(spec: ReportSpec, not_listed: tuple[str, ...]) -> AssetCheckResult:
    """Square no longer lists what the report is keyed by: nothing to compare, said plainly (not a failure of the
    mart)."""
    return AssetCheckResult(
        asset_key=spec.key,
        check_name=PARITY_CHECK,
        passed=True,
        description=(
            f"Not compared: Square's Reporting API (/v1/meta) no longer lists {', '.join(not_listed)}, which "
            f"{spec.model} is compared by"
        ),
        metadata={
            "view": MetadataValue.text(spec.view),
            "not_listed_by_square": MetadataValue.text(", ".join(not_listed)),
        },
    )


def error_result(spec: ReportSpec, message: str) -> AssetCheckResult:
    """Square could not be asked (permissions, a query that never finished, Square down): the check fails with
    Square's answer, the run goes on."""
    return AssetCheckResult(
        asset_key=spec.key,
        check_name=PARITY_CHECK,
        passed=False,
        description=message,
        metadata={"view": MetadataValue.text(spec.view), "error": MetadataValue.text(message)},
    )


def _differences_table(differences: list[Difference]) -> str:
    if not differences:
        return ""
    lines = [
        "| store | business day | report key | measure | mart | Square | mart - Square |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for difference in differences[:DIFFERENCES_SHOWN]:
        location_id, day, *rest = difference.key
        key = ", ".join("∅" if value is None else str(value) for value in rest) or "(the day)"
        lines.append(
            f"| {location_id} | {day} | {key} | {difference.measure} | {difference.mart} | "
            f"{difference.square} | {difference.mart - difference.square} |"
        )
    more = len(differences) - DIFFERENCES_SHOWN
    footer = (
        f"\n\n…and {more} more. Money in minor units (cents)." if more > 0 else "\n\nMoney in minor units."
    )
    return "\n".join(lines) + footer


def _store_days_table(comparison: Comparison, partitions: dict[StoreDay, list[str]]) -> str:
    measures: dict[StoreDay, set[str]] = {}
    for difference in comparison.differences:
        measures.setdefault(difference.store_day, set()).add(difference.measure)
    lines = ["| store | business day | measures that differ | raw partitions |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {location_id} | {day} | {', '.join(sorted(measures[(location_id, day)]))} | "
        f"{', '.join(partitions[(location_id, day)])} |"
        for location_id, day in comparison.differing_store_days[:STORE_DAYS_SHOWN]
    ]
    more = len(comparison.differing_store_days) - STORE_DAYS_SHOWN
    return "\n".join(lines) + (f"\n\n…and {more} more" if more > 0 else "")


def _skipped_table(comparison: Comparison) -> str:
    lines = ["| store | business day | why skipped |", "| --- | --- | --- |"]
    skipped = sorted(comparison.skipped.items())
    lines += [f"| {location_id} | {day} | {why} |" for (location_id, day), why in skipped[:SKIPPED_SHOWN]]
    more = len(skipped) - SKIPPED_SHOWN
    return "\n".join(lines) + (f"\n\n…and {more} more" if more > 0 else "")
