"""Bad input from Square, through real runs of several raw assets: an endpoint the token lacks (403
INSUFFICIENT_SCOPES) fails its assets alone, naming the permission to grant, while the others land; an object of a
type the platform does not know is kept in the raw JSON and named by the schema-drift check."""

from __future__ import annotations

import datetime as dt

import duckdb
from dagster import AssetSelection, DagsterInstance, materialize

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.assets import build_daily_raw_assets
from square_sales.ingestion.resource import SquareClientResource
from square_sales.keys import raw_asset_key
from square_sales.partitions import daily_partitions
from square_sales.quality import build_partitioned_raw_checks, load_quality_settings
from tests.faults.square_double import Answer, Request, misbehaving_square
from tests.ingestion.conftest import CHAIN_NOW
from tests.ingestion.support import error_text
from tests.transform.pipeline import range_tags

DAYS = (dt.date(2026, 11, 16), dt.date(2026, 11, 17))
DENIED = "/v2/payouts"  # and every path below it: the payout entries are listed per payout
UNKNOWN_TYPE = "GIFT_CARD_SWAP"  # an activity type of a future API version
PULLED = ["orders", "payments", "timecards", "gift_card_activities", "payouts", "payout_entries"]


def _without_payouts_and_with_a_new_activity_type(request: Request) -> Answer:
    if request.path.startswith(DENIED):
        error = {
            "category": "AUTHENTICATION_ERROR",
            "code": "INSUFFICIENT_SCOPES",
            "detail": "Not authorized",
        }
        return Answer({"errors": [error]}, status=403)
    answer = request.upstream
    activities = answer.get("gift_card_activities") if isinstance(answer, dict) else None
    if activities:
        newcomer = {**activities[0], "id": f"{activities[0]['id']}-new", "type": UNKNOWN_TYPE}
        newcomer.pop(activities[0]["type"].lower() + "_activity_details", None)
        newcomer["gift_card_swap_activity_details"] = {"swapped_with": "gc_elsewhere"}
        answer = {**answer, "gift_card_activities": [*activities, newcomer]}
    return Answer(answer, request.upstream_status)


def test_a_missing_scope_fails_its_assets_alone_and_an_unknown_type_is_kept_and_reported(
    tmp_path, healthy_sandbox
):
    healthy_sandbox.set_clock(CHAIN_NOW)
    partitions = daily_partitions()
    assets = [a for a in build_daily_raw_assets(partitions) if a.key.path[-1] in PULLED]
    checks = build_partitioned_raw_checks(load_quality_settings({}), partitions)
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with (
        misbehaving_square(_without_payouts_and_with_a_new_activity_type, healthy_sandbox.base_url) as square,
        DagsterInstance.ephemeral() as instance,
    ):
        result = materialize(
            [*assets, *checks],
            selection=AssetSelection.assets(*assets),
            resources={
                "lake": lake,
                "square": SquareClientResource(base_url=square.url, access_token=healthy_sandbox.token),
            },
            instance=instance,
            tags=range_tags(*DAYS),
            raise_on_error=False,
        )

    landed = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
    assert landed == set(PULLED) - {"payouts", "payout_entries"}
    failures = {
        event.step_key: error_text(event.step_failure_data.error)
        for event in result.get_step_failure_events()
    }
    assert len(failures) == 2 and all("payout" in step for step in failures), failures.keys()
    for text in failures.values():
        assert "lacks the PAYOUTS_READ permission" in text and "Grant PAYOUTS_READ" in text, text

    # The newcomer is in the lake, whole, and the drift check of its days names its type.
    with duckdb.connect() as con:
        (kept,) = con.execute(
            "select count(*) from read_parquet(?) where type = ? and json_extract_string(raw_json, "
            "'$.gift_card_swap_activity_details.swapped_with') = 'gc_elsewhere'",
            [lake.path("raw/square/gift_card_activities") + "/*/*.parquet", UNKNOWN_TYPE],
        ).fetchone()
    assert kept >= 1, "the activity of an unknown type was not kept"
    [drift] = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.asset_key == raw_asset_key("gift_card_activities")
        and evaluation.check_name == "no_schema_drift"
    ]
    assert not drift.passed
    assert f"type {UNKNOWN_TYPE} in" in drift.description and "kept in raw_json" in drift.description
    assert UNKNOWN_TYPE in drift.metadata["unknown_types"].value
