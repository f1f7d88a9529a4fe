"""dbt in DuckDB, wired into Dagster: the models as assets, their automation and the warehouse rebuild job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagster import DailyPartitionsDefinition, Definitions

if TYPE_CHECKING:
    from square_sales.quality.freshness_policies import FreshnessPolicies


def transform_definitions(
    partitions: DailyPartitionsDefinition, freshness: FreshnessPolicies | None = None
) -> Definitions:
    """The dbt assets, their automation sensor and the rebuild job, without resources.

    The assets need the `dbt` and `warehouse` resources, bound by the code location. Fails with DbtManifestMissing
    (telling to run `./platform.sh setup`) when the manifest has not been prepared. ``freshness``: the policies the
    models declare (the code location passes the domain's; tests may leave them out).
    """
    from square_sales.transform.assets import build_dbt_assets
    from square_sales.transform.automation import build_automation_sensor, build_rebuild_warehouse_job

    dbt_assets = build_dbt_assets(partitions, freshness)
    return Definitions(
        assets=dbt_assets,
        jobs=[build_rebuild_warehouse_job(dbt_assets)],
        sensors=[build_automation_sensor(dbt_assets)],
    )
