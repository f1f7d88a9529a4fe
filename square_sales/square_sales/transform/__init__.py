"""dbt in DuckDB, wired into Dagster: the models as assets, the marts' gold tables (square_sales/gold/), their
automation and the warehouse rebuild job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dagster import DailyPartitionsDefinition, Definitions

if TYPE_CHECKING:
    from square_sales.quality.freshness_policies import FreshnessPolicies


def transform_definitions(
    partitions: DailyPartitionsDefinition, freshness: FreshnessPolicies | None = None
) -> Definitions:
    """The dbt assets and the gold tables published from the marts, one automation sensor and the rebuild job
    for both, without resources.

    The assets need the `dbt` and `warehouse` resources, bound by the code location. Fails with DbtManifestMissing
    (telling to run `./platform.sh setup`) when the manifest has not been prepared. ``freshness``: the policies the
    models and gold tables declare (the code location passes the domain's; tests may leave them out).
    """
    from square_sales.gold.assets import build_gold_assets
    from square_sales.transform.assets import build_dbt_assets
    from square_sales.transform.automation import build_automation_sensor, build_rebuild_warehouse_job

    # One sensor and one job for the models and their gold tables: a re-pulled day's dbt models and gold tables
    # are requested together and run in one run (one hold of the warehouse pool), gold after dbt.
    assets = [*build_dbt_assets(partitions, freshness), *build_gold_assets(partitions, freshness)]
    return Definitions(
        assets=assets,
        jobs=[build_rebuild_warehouse_job(assets)],
        sensors=[build_automation_sensor(assets)],
    )
