"""dbt in DuckDB, wired into Dagster: the models as assets, their automation and the warehouse rebuild job."""

from dagster import Definitions

from data_platform.resources.lake import LakeResource


def transform_definitions(lake: LakeResource) -> Definitions:
    """The dbt assets, automation sensor, rebuild job and the `dbt` resource (its target follows the lake).

    The assets need the `warehouse` resource, bound by the code location. Fails with DbtManifestMissing (telling
    to run `./platform.sh setup`) when the manifest has not been prepared.
    """
    from square_sales.transform.assets import square_dbt_assets
    from square_sales.transform.automation import rebuild_warehouse_job, square_dbt_automation_sensor
    from square_sales.transform.project import build_dbt_resource

    return Definitions(
        assets=square_dbt_assets,
        jobs=[rebuild_warehouse_job],
        sensors=[square_dbt_automation_sensor],
        resources={"dbt": build_dbt_resource(lake)},
    )
