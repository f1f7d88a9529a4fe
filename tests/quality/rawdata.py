"""Write raw partitions in the documented lake layout, through the ingestion code's own row builder."""

from __future__ import annotations

import datetime as dt
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
from dagster import AssetSpec, DagsterInstance, Definitions

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import ORDERS, PAYMENTS, REFUNDS, RawEntity
from square_sales.partitions import daily_partitions
from square_sales.quality import RAW_QUALITY_JOB, build_quality_definitions
from square_sales.quality.config import QualitySettings

UTC = dt.UTC


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def order(location: str, created: dt.datetime, amount: int = 1000, **extra) -> dict:
    body = {
        "id": extra.pop("id", f"ORD-{uuid.uuid4().hex[:10]}"),
        "location_id": location,
        "created_at": rfc3339(created),
        "updated_at": rfc3339(extra.pop("updated", created + dt.timedelta(minutes=2))),
        "closed_at": rfc3339(created + dt.timedelta(minutes=2)),
        "state": "COMPLETED",
        "version": 4,
        "total_money": {"amount": amount, "currency": "USD"},
        "line_items": [
            {
                "uid": "1",
                "name": "Coffee",
                "quantity": "1",
                "total_money": {"amount": amount, "currency": "USD"},
            }
        ],
    }
    body.update(extra)
    return body


def payment(location: str, created: dt.datetime, uploaded: dt.datetime | None = None) -> dict:
    body = {
        "id": f"PAY-{uuid.uuid4().hex[:10]}",
        "location_id": location,
        "order_id": f"ORD-{uuid.uuid4().hex[:10]}",
        "created_at": rfc3339(created),
        "updated_at": rfc3339(uploaded or created + dt.timedelta(seconds=3)),
        "status": "COMPLETED",
        "amount_money": {"amount": 1000, "currency": "USD"},
        "total_money": {"amount": 1000, "currency": "USD"},
    }
    if uploaded is not None:
        body["is_offline_payment"] = True
        body["offline_payment_details"] = {"client_created_at": rfc3339(created)}
    return body


def write_partition(
    lake: LakeResource,
    entity: RawEntity,
    day: dt.date,
    objects: list[dict],
    ingested_at: dt.datetime | None = None,
) -> None:
    batch = entity.to_batch(objects, ingested_at or dt.datetime.now(UTC), "test-run")
    with lake.staged_file(entity.partition_path(day)) as path:
        pq.write_table(pa.Table.from_batches([batch], schema=entity.schema), path)


def midday(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def quality_defs(lake: LakeResource, settings: QualitySettings, window_days: int = 3) -> Definitions:
    partitions = daily_partitions()
    specs = [AssetSpec(e.asset_key, partitions_def=partitions) for e in (ORDERS, PAYMENTS, REFUNDS)]
    return Definitions.merge(
        Definitions(assets=specs, resources={"lake": lake}),
        build_quality_definitions(settings, window_days, partitions),
    )


def run_checks(defs: Definitions, day: dt.date, instance: DagsterInstance | None = None):
    job = defs.resolve_job_def(RAW_QUALITY_JOB)
    result = job.execute_in_process(
        tags={"dagster/partition": day.isoformat()}, instance=instance, raise_on_error=False
    )
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}
