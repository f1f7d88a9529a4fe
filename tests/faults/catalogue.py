"""The bad-input catalogue: every bad setting, bad Square answer, malformed field and broken lake the platform has
been tried with, the message each one gives, and what a person should do about it.

``tests/faults/test_bad_inputs.py`` tries every case and asserts its message; the README's troubleshooting section
is generated from the families below (and checked against them by the same test):

    .venv/bin/python -m tests.faults.catalogue            # print the section
    .venv/bin/python -m tests.faults.catalogue --write    # rewrite it in README.md
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from square_sales.ingestion.layout import CATALOG, CUSTOMERS, ORDERS, PAYMENTS, REFUNDS, policy_rows
from tests.faults import scenarios as s
from tests.support.processes import REPO_ROOT


@dataclass(frozen=True)
class Family:
    """One kind of message, as the README's troubleshooting table shows it."""

    example: str  # how the message begins
    meaning: str  # what happened and what to do


FAMILIES = {
    "setting": Family(
        "`<VARIABLE>='<value>' is not …; expected …` (also: `… is too small`, `… is in the future`)",
        "A setting is invalid. The message names the variable and what it accepts; the code location refuses to "
        "load (its first stderr line says so) until the variable is fixed (see Configuration).",
    ),
    "setting-combination": Family(
        "`<VARIABLE> must be set when …` / `… is set but … is not`",
        "A setting needs another one (or the environment needs it). Set both, or neither.",
    ),
    "secret-missing": Family(
        "`<VARIABLE> is empty` / `… is not set (AZURE_STORAGE_AUTH=…)`",
        "A secret the run needs is absent from its environment. Set it where the run starts (Key Vault, compose).",
    ),
    "square-token": Family(
        "`Square GET /v2/locations at … refused the access token (HTTP 401 …)`",
        "Square rejected SQUARE_ACCESS_TOKEN (wrong, revoked, or lacking a permission). Nothing was written.",
    ),
    "square-unavailable": Family(
        "`Square … still failing after N attempts over Ns (retry budget …, SQUARE_RETRY_MAX_SECONDS): …`",
        "Square (or the network to it) kept failing: rate limits, 5xx, timeouts or answers that were not JSON. "
        "The previous partition is kept; the run retries once, and the window schedule pulls the day again.",
    ),
    "square-refused": Family(
        "`Square … failed: HTTP 400 <CODE>: <detail>`",
        "Square refused the request for a reason retrying will not fix; its error code says which.",
    ),
    "square-not-a-page": Family(
        "`Square … answered HTTP 200 with errors: …` / `… answered without 'orders' but with …` / "
        "`… instead of an object` / `… is a string, not an object` / `… has no order_id`",
        "A success answer that is not what the endpoint returns (an API change, or a proxy, cache or firewall "
        "answering in Square's place). Nothing was written; look at what sits between the platform and Square.",
    ),
    "square-endless-paging": Family(
        "`Square … answered a cursor it had already given after N page(s) …` / `… still had more pages …`",
        "Paging would not end: a cursor came back again (a replaying proxy, an API fault) or a query outgrew its "
        "bound in pages or time. The query stopped; the previous partition is kept.",
    ),
    "malformed-money": Family(
        "`Square orders date=…: order <id> has total_money.amount = …, expected an integer amount of minor units`",
        "A money amount that cannot be read without guessing (a string, a fraction, too large). The pull stopped "
        "and the previous partition is kept: ask Square support with the object id.",
    ),
    "null-key": Family(
        "check `no_null_keys` fails: `Null keys in <day>: created_at null in N row(s)`",
        "Objects arrived without an id, location or created_at, or with one that cannot be read. They are in the "
        "lake with their raw JSON (and counted in the pull's `null_key_rows` / `malformed_fields`); the blocking "
        "check keeps the marts from building on them. Look them up in `raw_json`; pull the day again once Square "
        "answers properly.",
    ),
    "unreadable-value": Family(
        "check `no_schema_drift` warns: `unreadable value(s) kept as null: updated_at in N row(s)`",
        "A non-key field could not be read (wrong type, timestamp without zone). The object landed with the "
        "column null and its raw JSON intact; the dbt models read the JSON.",
    ),
    "missing-line-items": Family(
        "check `no_schema_drift` warns: `line_items absent or empty in N of M row(s) without returns`",
        "Sales arrived without their line items: their gross sales would read 0. The dbt test "
        "`assert_line_items_sum_to_order_totals` fails on them too.",
    ),
    "lake": Family(
        "`Lake '<root>': could not … (…)`",
        "The lake could not be reached, read or written: endpoint, key, SAS permissions, container. Each run "
        "checks this before it pulls anything.",
    ),
    "raw-inputs": Family(
        "`Refusing to build the marts from incomplete raw data, which would publish these days as having no "
        "sales: orders <day> …`",
        "A raw partition the dbt run reads is missing (never pulled, or deleted) or was emptied. dbt did not "
        "start; pull those days again, then build.",
    ),
    "unplaceable-change": Family(
        "sensor log: `N changed orders without a readable created_at/updated_at cannot be placed …`",
        "The late-change sensor saw changes it cannot map to a day; it names them. The window schedule and the "
        "audit still re-pull recent days.",
    ),
    "setup": Family(
        "`The dbt manifest … does not exist. Prepare it with ./platform.sh setup …`",
        "The code location was loaded before its build step. Run `./platform.sh setup`.",
    ),
}


@dataclass(frozen=True)
class Case:
    id: str
    family: str
    expect: str  # a regular expression the message must match
    run: Callable[[s.Harness], s.Outcome]
    kind: str = "error"  # error | flagged | accepted


def _setting(case_id: str, expect: str, family: str = "setting", **environ: str) -> Case:
    return Case(case_id, family, expect, s.bad_setting(**environ))


TOMORROW = "2999-01-01"
SETTINGS = [
    _setting("platform-env-unknown", r"PLATFORM_ENV='qa' is not valid; expected one of", PLATFORM_ENV="qa"),
    _setting(
        "lake-url-scheme", r"LAKE_ROOT_URL='s3://b/x' has unsupported scheme 's3'", LAKE_ROOT_URL="s3://b/x"
    ),
    _setting("lake-url-no-container", r"names no container", LAKE_ROOT_URL="abfs:///x"),
    _setting(
        "lake-url-missing-in-prod",
        r"LAKE_ROOT_URL must be set when PLATFORM_ENV=prod",
        family="setting-combination",
        PLATFORM_ENV="prod",
    ),
    _setting(
        "azure-auth-unknown", r"AZURE_STORAGE_AUTH='password' is not valid", AZURE_STORAGE_AUTH="password"
    ),
    _setting(
        "azure-account-is-a-url",
        r"AZURE_STORAGE_ACCOUNT_NAME='https://acct.blob.core.windows.net' is not a storage account name",
        AZURE_STORAGE_ACCOUNT_NAME="https://acct.blob.core.windows.net",
    ),
    _setting("duckdb-path-is-a-folder", r"DUCKDB_PATH='/tmp' is a folder", DUCKDB_PATH="/tmp"),
    _setting(
        "ui-base-url-without-scheme",
        r"DAGSTER_UI_BASE_URL='localhost:3000' must start with http",
        DAGSTER_UI_BASE_URL="localhost:3000",
    ),
    _setting(
        "square-environment-unknown", r"SQUARE_ENVIRONMENT='live' is not valid", SQUARE_ENVIRONMENT="live"
    ),
    _setting(
        "square-base-url-scheme", r"SQUARE_BASE_URL='ftp://x' must start with http", SQUARE_BASE_URL="ftp://x"
    ),
    _setting(
        "square-base-url-no-host", r"SQUARE_BASE_URL='http:' must .* name a host", SQUARE_BASE_URL="http://"
    ),
    _setting(
        "timezone-unknown",
        r"REPORTING_TIMEZONE='Mars/Olympus' is not an IANA",
        REPORTING_TIMEZONE="Mars/Olympus",
    ),
    _setting(
        "timezone-localtime", r"REPORTING_TIMEZONE='localtime' is not an IANA", REPORTING_TIMEZONE="localtime"
    ),
    _setting(
        "start-date-format",
        r"SQUARE_PARTITIONS_START_DATE='01/03/2026' is not a date",
        SQUARE_PARTITIONS_START_DATE="01/03/2026",
    ),
    _setting(
        "start-date-in-the-future",
        rf"SQUARE_PARTITIONS_START_DATE={TOMORROW} is in the future; expected a date up to .* \(today in "
        r"REPORTING_TIMEZONE=America/New_York\)",
        SQUARE_PARTITIONS_START_DATE=TOMORROW,
    ),
    _setting(
        "start-date-before-square",
        r"SQUARE_PARTITIONS_START_DATE=0026-01-01 is too early",
        SQUARE_PARTITIONS_START_DATE="0026-01-01",
    ),
    _setting("window-days-zero", r"BACKFILL_WINDOW_DAYS=0 is too small", BACKFILL_WINDOW_DAYS="0"),
    _setting("window-days-text", r"BACKFILL_WINDOW_DAYS='abc' is not an integer", BACKFILL_WINDOW_DAYS="abc"),
    _setting("window-days-huge", r"BACKFILL_WINDOW_DAYS=400 is too large", BACKFILL_WINDOW_DAYS="400"),
    _setting(
        "window-days-fraction", r"BACKFILL_WINDOW_DAYS='1.5' is not an integer", BACKFILL_WINDOW_DAYS="1.5"
    ),
    _setting(
        "backfill-cron-words",
        r"BACKFILL_SCHEDULE_CRON='every hour' is not a valid cron",
        BACKFILL_SCHEDULE_CRON="every hour",
    ),
    _setting(
        "backfill-cron-never-fires",
        r"BACKFILL_SCHEDULE_CRON='0 0 31 2 \*' is not a valid cron",
        BACKFILL_SCHEDULE_CRON="0 0 31 2 *",
    ),
    _setting(
        "sensor-interval-tiny",
        r"CHANGE_SENSOR_INTERVAL_SECONDS=1 is too small",
        CHANGE_SENSOR_INTERVAL_SECONDS="1",
    ),
    _setting("audit-days-negative", r"AUDIT_DAYS=-3 is too small", AUDIT_DAYS="-3"),
    _setting("audit-cron", r"AUDIT_SCHEDULE_CRON='daily' is not a valid cron", AUDIT_SCHEDULE_CRON="daily"),
    _setting(
        "request-timeout-zero",
        r"SQUARE_REQUEST_TIMEOUT_SECONDS=0.0 is too small",
        SQUARE_REQUEST_TIMEOUT_SECONDS="0",
    ),
    _setting(
        "request-timeout-infinite",
        r"SQUARE_REQUEST_TIMEOUT_SECONDS='inf' is not a finite number",
        SQUARE_REQUEST_TIMEOUT_SECONDS="inf",
    ),
    _setting(
        "retry-budget-nan",
        r"SQUARE_RETRY_MAX_SECONDS='nan' is not a finite number",
        SQUARE_RETRY_MAX_SECONDS="nan",
    ),
    _setting(
        "freshness-age-zero",
        r"QUALITY_FRESHNESS_MAX_AGE_HOURS=0 is too small",
        QUALITY_FRESHNESS_MAX_AGE_HOURS="0",
    ),
    _setting(
        "freshness-cron",
        r"QUALITY_FRESHNESS_SCHEDULE_CRON='every hour' is not a valid cron",
        QUALITY_FRESHNESS_SCHEDULE_CRON="every hour",
    ),
    _setting(
        "volume-weeks-text",
        r"QUALITY_VOLUME_TRAILING_WEEKS='many' is not an integer",
        QUALITY_VOLUME_TRAILING_WEEKS="many",
    ),
    _setting(
        "volume-min-above-one",
        r"QUALITY_VOLUME_MIN_RATIO=1.5 and QUALITY_VOLUME_MAX_RATIO=3.0 must satisfy MIN < 1 < MAX",
        QUALITY_VOLUME_MIN_RATIO="1.5",
    ),
    _setting("volume-min-zero", r"QUALITY_VOLUME_MIN_RATIO=0.0 is too small", QUALITY_VOLUME_MIN_RATIO="0"),
    _setting(
        "volume-max-infinite",
        r"QUALITY_VOLUME_MAX_RATIO='inf' is not a finite number",
        QUALITY_VOLUME_MAX_RATIO="inf",
    ),
    _setting(
        "volume-max-huge",
        r"QUALITY_VOLUME_MAX_RATIO=1000000000.0 is too large",
        QUALITY_VOLUME_MAX_RATIO="1e9",
    ),
    _setting(
        "late-minutes-beyond-offline-limit",
        r"QUALITY_LATE_ARRIVAL_MINUTES=100000 is too large; expected an integer >= 1 and <= 4320",
        QUALITY_LATE_ARRIVAL_MINUTES="100000",
    ),
    _setting(
        "late-share-above-one",
        r"QUALITY_LATE_ARRIVAL_MAX_SHARE=7.0 must be a share in \(0, 1\]",
        QUALITY_LATE_ARRIVAL_MAX_SHARE="7",
    ),
    _setting("alert-timeout-zero", r"ALERT_TIMEOUT_SECONDS=0 is too small", ALERT_TIMEOUT_SECONDS="0"),
    _setting("alert-retries-negative", r"ALERT_RETRIES=-1 is too small", ALERT_RETRIES="-1"),
    _setting(
        "alert-interval-tiny",
        r"ALERT_SENSOR_INTERVAL_SECONDS=5 is too small",
        ALERT_SENSOR_INTERVAL_SECONDS="5",
    ),
    _setting("smtp-port-out-of-range", r"SMTP_PORT=70000 is too large", SMTP_PORT="70000"),
    _setting(
        "teams-retired-connector",
        r"TEAMS_WEBHOOK_URL is not a Teams Workflows webhook URL",
        TEAMS_WEBHOOK_URL="https://contoso.webhook.office.com/webhookb2/abc",
    ),
    _setting(
        "teams-without-sig",
        r"TEAMS_WEBHOOK_URL has no sig= parameter",
        TEAMS_WEBHOOK_URL="https://prod.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=1",
    ),
    _setting(
        "ntfy-url-without-scheme",
        r"NTFY_URL='ntfy.sh/alerts' is not an ntfy topic URL",
        NTFY_URL="ntfy.sh/alerts",
    ),
    _setting(
        "ntfy-token-without-url",
        r"NTFY_TOKEN is set but NTFY_URL is not",
        family="setting-combination",
        NTFY_TOKEN="tk_secret",
    ),
    _setting(
        "smtp-without-recipients",
        r"ALERT_EMAIL_TO must list at least one address when SMTP_HOST is set",
        family="setting-combination",
        SMTP_HOST="smtp.example.com",
    ),
    _setting(
        "email-recipient-malformed",
        r"ALERT_EMAIL_TO contains 'ops-at-example.com', which is not an email address",
        SMTP_HOST="smtp.example.com",
        ALERT_EMAIL_FROM="dagster@example.com",
        ALERT_EMAIL_TO="ops-at-example.com",
    ),
    _setting(
        "email-without-smtp",
        r"ALERT_EMAIL_TO/ALERT_EMAIL_FROM/SMTP_USERNAME are set but SMTP_HOST is not",
        family="setting-combination",
        ALERT_EMAIL_FROM="dagster@example.com",
    ),
    _setting(
        "smtp-without-password",
        r"SMTP_PASSWORD must be set when SMTP_HOST is set",
        family="setting-combination",
        SMTP_HOST="smtp.example.com",
        ALERT_EMAIL_FROM="dagster@example.com",
        ALERT_EMAIL_TO="ops@example.com",
        SMTP_USERNAME="dagster",
    ),
]


def _answers(case_id: str, family: str, expect: str, rule, operation, **paging) -> Case:
    return Case(case_id, family, expect, s.square_answers(rule, operation, **paging))


REPEATED = "answered a cursor it had already given after 2 page"
SQUARE = [
    Case(
        "token-empty",
        "secret-missing",
        r"SQUARE_ACCESS_TOKEN is empty",
        s.square_answers(s.constant({}), s.locations, token=" "),
    ),
    _answers(
        "token-refused",
        "square-token",
        r"Square GET /v2/locations at http://127\.0\.0\.1:\d+ refused the access token \(HTTP 401 UNAUTHORIZED",
        lambda _r: s.Answer({"errors": [{"code": "UNAUTHORIZED", "detail": "bad token"}]}, 401),
        s.locations,
    ),
    _answers(
        "rate-limited-forever",
        "square-unavailable",
        r"Square GET /v2/locations .* still failing after \d+ attempts .* HTTP 429 RATE_LIMITED",
        lambda _r: s.Answer({"errors": [{"code": "RATE_LIMITED"}]}, 429),
        s.locations,
    ),
    _answers(
        "server-error-forever",
        "square-unavailable",
        r"still failing after .* HTTP 503 SERVICE_UNAVAILABLE",
        lambda _r: s.Answer({"errors": [{"code": "SERVICE_UNAVAILABLE"}]}, 503),
        s.locations,
    ),
    _answers(
        "body-not-json",
        "square-unavailable",
        r"still failing after .* HTTP 200 with a body that is not JSON",
        lambda _r: s.Answer(b"<html>proxy login</html>"),
        s.locations,
    ),
    _answers(
        "bad-request",
        "square-refused",
        r"Square orders date=2026-11-12: Square POST /v2/orders/search at .* failed: HTTP 400 INVALID_VALUE: limit too high",
        s.constant({"errors": [{"code": "INVALID_VALUE", "detail": "limit too high"}]}, 400),
        s.pull(ORDERS),
    ),
    _answers(
        "errors-with-200",
        "square-not-a-page",
        r"Square orders date=2026-11-12: Square POST /v2/orders/search answered HTTP 200 with errors: INTERNAL_SERVER_ERROR: try later",
        s.constant({"errors": [{"code": "INTERNAL_SERVER_ERROR", "detail": "try later"}]}),
        s.pull(ORDERS),
    ),
    _answers(
        "entries-instead-of-orders",
        "square-not-a-page",
        r"Square POST /v2/orders/search answered without 'orders' but with cursor, order_entries|"
        r"answered without 'orders' but with order_entries",
        s.constant({"order_entries": [{"order_id": "A", "location_id": "L1"}]}),
        s.pull(ORDERS),
    ),
    _answers(
        "payments-page-is-a-list",
        "square-not-a-page",
        r"Square payments date=2026-11-12: Square GET /v2/payments \(location L1\) answered HTTP 200 with a list instead of an object",
        s.constant([{"id": "PAY-1"}]),
        s.pull(PAYMENTS),
    ),
    _answers(
        "refunds-list-is-an-object",
        "square-not-a-page",
        r"Square GET /v2/refunds \(location L1\) answered 'refunds' as an object, not a list",
        s.constant({"refunds": {"id": "REF-1"}}),
        s.pull(REFUNDS),
    ),
    _answers(
        "order-is-a-string",
        "square-not-a-page",
        r"Square POST /v2/orders/search: item 0 of 'orders' is a string \('3'\), not an object",
        s.constant({"orders": ["3"]}),
        s.pull(ORDERS),
    ),
    _answers(
        "cursor-is-a-number",
        "square-not-a-page",
        r"Square GET /v2/customers answered the cursor as a number \('123'\), not a string",
        s.constant({"cursor": 123, "customers": []}),
        s.snapshot(CUSTOMERS),
    ),
    _answers(
        "location-without-id",
        "square-not-a-page",
        r"Square GET /v2/locations answered a location without an id",
        lambda _r: s.Answer({"locations": [{"name": "Main St"}]}),
        s.locations,
    ),
    _answers(
        "audit-entry-without-order-id",
        "square-not-a-page",
        r"an order entry has no order_id \(\['location_id', 'version'\]\)",
        s.constant({"order_entries": [{"location_id": "L1", "version": 3}]}),
        s.audit,
    ),
    _answers(
        "baseline-errors-with-200",
        "square-not-a-page",
        r"Square POST /v2/orders/search answered HTTP 200 with errors",
        s.constant({"errors": [{"code": "BAD_GATEWAY"}]}),
        s.baseline,
    ),
    # The SearchOrders example of Square's OpenAPI contract, served for every page: the loop the issue found.
    _answers(
        "openapi-example-replayed-to-the-audit",
        "square-endless-paging",
        r"Square POST /v2/orders/search " + REPEATED,
        s.constant(
            {
                "cursor": "123",
                "order_entries": [
                    {"location_id": "057P5VYJ4A5X1", "order_id": "CAISEM82RcpmcFBM0TfOyiHV3es", "version": 1}
                ],
            }
        ),
        s.audit,
    ),
    _answers(
        "repeated-cursor-orders",
        "square-endless-paging",
        r"Square POST /v2/orders/search " + REPEATED,
        s.constant({"cursor": "123", "orders": [s._sample("orders")]}),
        s.pull(ORDERS),
    ),
    _answers(
        "repeated-cursor-payments",
        "square-endless-paging",
        r"Square GET /v2/payments \(location L1\) " + REPEATED,
        s.constant({"cursor": "p", "payments": [s._sample("payments")]}),
        s.pull(PAYMENTS),
    ),
    _answers(
        "repeated-cursor-refunds",
        "square-endless-paging",
        r"Square GET /v2/refunds \(location L1\) " + REPEATED,
        s.constant({"cursor": "r", "refunds": [s._sample("refunds")]}),
        s.pull(REFUNDS),
    ),
    _answers(
        "repeated-cursor-catalog",
        "square-endless-paging",
        r"Square GET /v2/catalog/list " + REPEATED,
        s.constant({"cursor": "c", "objects": [s._sample("objects")]}),
        s.snapshot(CATALOG),
    ),
    _answers(
        "repeated-cursor-customers",
        "square-endless-paging",
        r"Square customers snapshot_at=20261120T000000Z: Square GET /v2/customers " + REPEATED,
        s.constant({"cursor": "c", "customers": [s._sample("customers")]}),
        s.snapshot(CUSTOMERS),
    ),
    _answers(
        "repeated-cursor-late-change-sensor",
        "square-endless-paging",
        r"Square POST /v2/orders/search " + REPEATED,
        s.constant({"cursor": "123", "orders": [s._sample("orders")]}),
        s.late_changes,
    ),
    _answers(
        "cursor-cycle-of-two",
        "square-endless-paging",
        r"Square GET /v2/payments \(location L1\) answered a cursor it had already given after 3 page",
        lambda r: s.Answer({"cursor": "b" if r.query.get("cursor") == "a" else "a", "payments": []}),
        s.pull(PAYMENTS),
    ),
    _answers(
        "pages-without-end",
        "square-endless-paging",
        r"Square POST /v2/orders/search still had more pages after 50 page\(s\) .* over the bound of 50 pages",
        s.fresh_cursors("orders"),
        s.pull(ORDERS),
    ),
    _answers(
        "paging-too-slow",
        "square-endless-paging",
        r"Square GET /v2/customers still had more pages after \d+ page\(s\) .* over the bound of 1s per query",
        s.fresh_cursors("customers", delay=0.3),
        s.snapshot(CUSTOMERS),
        max_seconds=1.0,
    ),
]

MONEY = r"expected an integer amount of minor units \(\d+ such object\(s\) in the page\); the partition was not replaced"
NULL_KEY = r"no_null_keys: Null keys in 2026-11-12: {} null in \d+ row"
UNREADABLE = r"no_schema_drift: .*unreadable value\(s\) kept as null: {} in \d+ row"


def _money(case_id: str, expect: str, entity, change, every: int = 3) -> Case:
    """A money amount that cannot be read: the pull stops, naming entity, partition, field and object."""
    return Case(
        case_id, "malformed-money", expect + ", " + MONEY, s.altered_field(entity, change, every=every)
    )


def _kept(case_id: str, family: str, expect: str, entity, change, check: str, **options) -> Case:
    """Landed with the value null (raw JSON kept), counted, and ``check`` fails naming it."""
    return Case(case_id, family, expect, s.altered_field(entity, change, check, **options), kind="flagged")


def _null_key(case_id: str, column: str, entity, change, every: int = 3) -> Case:
    return _kept(case_id, "null-key", NULL_KEY.format(column), entity, change, "no_null_keys", every=every)


def _unreadable(case_id: str, column: str, entity, change) -> Case:
    return _kept(case_id, "unreadable-value", UNREADABLE.format(column), entity, change, "no_schema_drift")


FIELDS = [
    _money(
        "money-amount-string",
        r"Square orders date=2026-11-12: order \S+ has total_money\.amount = \"3\"",
        ORDERS,
        s.set_field("total_money.amount", "3"),
    ),
    _money(
        "money-amount-fraction",
        r"order \S+ has total_money\.amount = 3\.5",
        ORDERS,
        s.set_field("total_money.amount", 3.5),
    ),
    _money(
        "money-is-a-number",
        r"order \S+ has total_money = 5 \(not an object, so no total_money\.amount\)",
        ORDERS,
        s.set_field("total_money", 5),
    ),
    _money(
        "money-beyond-int64",
        r"Square payments date=2026-11-12: payment \S+ has amount_money\.amount = 1\.23\d*e\+?29",
        PAYMENTS,
        s.set_field("amount_money.amount", 123456789012345678901234567890),
    ),
    _money(
        "refund-amount-string",
        r"Square refunds date=2026-11-12: refund \S+ has amount_money\.amount = \"ten\"",
        REFUNDS,
        s.set_field("amount_money.amount", "ten"),
        every=1,
    ),
    _null_key("created-at-unparseable", "created_at", ORDERS, s.set_field("created_at", "yesterday")),
    _null_key(
        "created-at-without-zone", "created_at", ORDERS, s.set_field("created_at", "2026-11-12T15:00:00")
    ),
    _null_key("orders-without-created-at", "created_at", ORDERS, s.drop_field("created_at")),
    _null_key("payments-without-created-at", "created_at", PAYMENTS, s.drop_field("created_at")),
    _null_key("refunds-without-created-at", "created_at", REFUNDS, s.drop_field("created_at"), every=1),
    _null_key("orders-without-id", "id", ORDERS, s.drop_field("id")),
    _null_key("order-id-a-number", "id", ORDERS, s.set_field("id", 42)),
    Case(
        "audit-of-orders-without-id",
        "null-key",
        r"completeness_vs_square: [1-9]\d* lake row\(s\) without id",
        s.audit_after(ORDERS, s.drop_field("id")),
        kind="flagged",
    ),
    _null_key("payments-without-location", "location_id", PAYMENTS, s.drop_field("location_id")),
    _null_key("refunds-without-payment-id", "payment_id", REFUNDS, s.drop_field("payment_id"), every=1),
    _unreadable("updated-at-unparseable", "updated_at", ORDERS, s.set_field("updated_at", "soon")),
    _unreadable("version-a-string", "version", ORDERS, s.set_field("version", "3")),
    _unreadable("state-a-number", "state", ORDERS, s.set_field("state", 7)),
    _unreadable(
        "offline-flag-a-string", "is_offline_payment", PAYMENTS, s.set_field("is_offline_payment", "false")
    ),
    _kept(
        "orders-without-line-items",
        "missing-line-items",
        r"no_schema_drift: .*line_items absent or empty in \d+ of \d+ row\(s\) without returns",
        ORDERS,
        s.drop_field("line_items"),
        "no_schema_drift",
        counted=False,
    ),
    Case(
        "nanosecond-timestamps",
        "unreadable-value",
        r"rows landed intact",
        s.altered_field(ORDERS, s.set_field("updated_at", "2026-11-12T20:00:00.123456789Z")),
        kind="accepted",
    ),
    Case(
        "changed-order-without-created-at",
        "unplaceable-change",
        r"1 changed orders without a readable created_at/updated_at cannot be placed on a business day: ORD-",
        s.unplaceable_change,
        kind="flagged",
    ),
]

LAKE = [
    Case(
        "azure-wrong-key",
        "lake",
        r"Lake 'abfs://lake/platform': could not reach the lake root \(.*(AuthenticationFailed|authenticate|Authorization)",
        s.lake_scenario(s.azurite_lake(key="d3Jvbmcta2V5" * 7)),
    ),
    Case(
        "azure-unreachable",
        "lake",
        r"Lake 'abfs://lake/platform': could not reach the lake root",
        s.lake_scenario(
            lambda h: s.LakeResource(
                root_url="abfs://lake/platform",
                connection_string="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
                "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
                timeout_seconds=2,
            )
        ),
    ),
    Case(
        "azure-secret-missing",
        "secret-missing",
        r"AZURE_STORAGE_CONNECTION_STRING is not set \(AZURE_STORAGE_AUTH=connection_string\)",
        s.lake_scenario(lambda h: s.LakeResource(root_url="abfs://lake/platform")),
    ),
    Case(
        "local-lake-root-is-a-file",
        "lake",
        r"Lake '.*': could not reach the lake root \(FileExistsError",
        s.lake_scenario(lambda h: s.LakeResource(root_url=str(_a_file(h)))),
    ),
    Case(
        "raw-partition-never-pulled",
        "raw-inputs",
        r"Refusing to build the marts from incomplete raw data, .*: orders 2026-11-12 was never pulled: is not in "
        r"the lake[.;].* Pull those raw partitions again",
        s.raw_inputs("missing"),
    ),
    Case(
        "raw-partition-deleted",
        "raw-inputs",
        r"orders 2026-11-12 was pulled \(Dagster recorded it\) but is not in the lake",
        s.raw_inputs("deleted"),
    ),
    Case(
        "raw-partition-emptied",
        "raw-inputs",
        r"orders 2026-11-12 is empty in the lake although its last pull landed rows",
        s.raw_inputs("emptied"),
    ),
    Case(
        "dbt-manifest-missing",
        "setup",
        r"The dbt manifest .*/manifest\.json does not exist\. Prepare it with `\./platform\.sh setup`",
        lambda h: _manifest_missing(h),
    ),
]


def _a_file(h: s.Harness):
    path = h.tmp_path / "not-a-folder"
    path.write_text("x")
    return path


def _manifest_missing(h: s.Harness) -> s.Outcome:
    from square_sales.transform.project import DbtManifestMissing, dbt_manifest_path

    try:
        dbt_manifest_path(h.tmp_path / "target")
    except DbtManifestMissing as error:
        return s.Outcome("error", str(error))
    return s.Outcome("accepted", "no error")


CASES = [*SETTINGS, *SQUARE, *FIELDS, *LAKE]


# -- the README ----------------------------------------------------------------------------------------------

BEGIN = (
    "<!-- troubleshooting: generated by `python -m tests.faults.catalogue --write`; do not edit by hand -->"
)
END = "<!-- end of troubleshooting -->"


def tally() -> dict[str, int]:
    kinds = Counter(case.kind for case in CASES)
    return {"tried": len(CASES), **{kind: kinds[kind] for kind in ("error", "flagged", "accepted")}}


def readme_section() -> str:
    counts = Counter(case.family for case in CASES)
    lines = [
        BEGIN,
        "",
        f"Every message below comes from a case of the bad-input catalogue (`tests/faults/catalogue.py`, "
        f"{len(CASES)} cases, each tried and its message asserted by `tests/faults/test_bad_inputs.py`).",
        "",
        "| message | cases | what it means, what to do |",
        "| --- | ---: | --- |",
    ]
    lines += [f"| {f.example} | {counts[name]} | {f.meaning} |" for name, f in FAMILIES.items()]
    lines += [
        "",
        "**What happens to a malformed field** (`square_sales/square_sales/ingestion/layout.py`): `kept` = the "
        "object lands with its raw JSON and the column null, counted in the pull's metadata and reported by "
        "`no_schema_drift`; `kept (key: blocks)` = the same, and the blocking `no_null_keys` fails; `error` = the "
        "pull stops naming entity, partition, field and object id, and the previous partition stays.",
        "",
        "| field | entities | absent or malformed |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{source}` | {entities} | {policy} |" for source, entities, policy in policy_rows()]
    lines += ["", END]
    return "\n".join(lines)


def readme_block(text: str) -> str:
    match = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, flags=re.S)
    return match.group(0) if match else ""


def write_readme() -> None:
    readme = REPO_ROOT / "README.md"
    text = readme.read_text()
    block = readme_block(text)
    if not block:
        raise SystemExit(f"README.md has no troubleshooting block ({BEGIN})")
    readme.write_text(text.replace(block, readme_section()))


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write_readme()
    else:
        print(readme_section())
