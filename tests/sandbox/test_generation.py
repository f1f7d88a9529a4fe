"""Generation is deterministic from the seed, lazy, and bounded in memory (in-process, no server needed)."""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson

from square_sandbox.days import KINDS
from square_sandbox.store import Store, _day_weight
from square_sandbox.timeutil import to_us
from square_sandbox.truth import location_day_summary
from square_sandbox.world import SandboxConfig, World


def _store(seed: int, **overrides) -> Store:
    options = {"locations": 2, "orders_per_day": 25, "start_date": dt.date(2026, 1, 1), **overrides}
    config = SandboxConfig(seed=seed, **options)
    return Store(World(config))


def _bodies(store: Store, day: dt.date) -> list[bytes]:
    location = store.world.locations[1]
    data = store.day(location, day)
    return [record.body for segment in (data.main, data.late) for kind in segment.values() for record in kind]


def test_same_seed_same_data_other_seed_other_data():
    day = dt.date(2026, 3, 14)
    assert _bodies(_store(5), day) == _bodies(_store(5), day)
    assert _bodies(_store(5), day) != _bodies(_store(6), day)


def test_memory_stays_bounded_over_a_long_history():
    store = _store(5, day_cache_size=4, late_cache_size=40)
    now = to_us(dt.datetime(2026, 12, 31, tzinfo=dt.UTC))
    locations = store.world.locations
    total = 0
    for month in range(1, 13):
        start = to_us(dt.datetime(2026, month, 1, tzinfo=dt.UTC))
        total += len(
            store.all_records("order", locations, {"created_at": (start, start + 86_400_000_000 * 7)}, now)
        )
    assert total > 12 * 7 * 2 * 20  # a year of weeks was served...
    assert len(store._main) <= 4 and len(store._late) <= 40  # ...from a bounded cache


def test_each_location_has_its_own_time_zone_and_business_hours():
    store = _store(5)
    for location in store.world.locations:
        data = store.day(location, dt.date(2026, 6, 1))
        for record in data.main["order"]:
            local = dt.datetime.fromtimestamp(record.created / 1e6, location.zone)
            assert local.date() == dt.date(2026, 6, 1) and 8 <= local.hour < 21
    assert len({location.timezone for location in store.world.locations}) == 2


def test_generated_data_is_pinned():
    """The bodies, visibility and ground truth of a few location-days, as a digest: a refactoring of the
    generator must keep every draw in its order. Change the digest only for an intended change of the data."""
    config = SandboxConfig(
        seed=7,
        locations=2,
        orders_per_day=60,
        start_date=dt.date(2026, 10, 1),
        offline_share=0.3,
        refund_share=0.2,
    )
    store = Store(World(config))
    now = to_us(dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    digest = hashlib.sha256()
    for location in store.world.locations:
        for day in (dt.date(2026, 10, 3), dt.date(2026, 10, 4)):
            data = store.day(location, day)
            for record in (r for segment in (data.main, data.late) for kind in KINDS for r in segment[kind]):
                digest.update(b"%d %d " % (record.visible_from, record.visible_until) + record.body)
            digest.update(orjson.dumps(location_day_summary(store, location, day, now)))
    assert digest.hexdigest() == "f1ee71d4cdc9c325fdd6a44a781193a12dc94cdc6f44a0a48ed4e53fe7e1f947"


def _money(entry: dict, key: str) -> int:
    return entry[key]["amount"] if key in entry else 0


def _check_sale(order: dict) -> None:
    lines = order["line_items"]
    for line in lines:
        quantity = int(line["quantity"])
        modifiers = sum(_money(m, "base_price_money") for m in line.get("modifiers", []))
        assert _money(line, "gross_sales_money") == (_money(line, "base_price_money") + modifiers) * quantity
        assert _money(line, "variation_total_price_money") == _money(line, "base_price_money") * quantity
        for modifier in line.get("modifiers", []):
            assert _money(modifier, "total_price_money") == _money(modifier, "base_price_money") * quantity
        assert _money(line, "total_money") == (
            _money(line, "gross_sales_money")
            - _money(line, "total_discount_money")
            + _money(line, "total_tax_money")
        )
        assert _money(line, "total_discount_money") == sum(
            _money(a, "applied_money") for a in line.get("applied_discounts", [])
        )
        assert _money(line, "total_tax_money") == sum(
            _money(a, "applied_money") for a in line.get("applied_taxes", [])
        )
    for key, applied_key, uid_key in (
        ("discounts", "applied_discounts", "discount_uid"),
        ("taxes", "applied_taxes", "tax_uid"),
    ):
        for entry in order.get(key, []):
            on_lines = [a for line in lines for a in line.get(applied_key, []) if a[uid_key] == entry["uid"]]
            assert _money(entry, "applied_money") == sum(_money(a, "applied_money") for a in on_lines)
    assert _money(order, "total_discount_money") == sum(
        _money(line, "total_discount_money") for line in lines
    )
    assert _money(order, "total_tax_money") == sum(_money(line, "total_tax_money") for line in lines)
    total = sum(_money(line, "total_money") for line in lines) + _money(order, "total_tip_money")
    assert _money(order, "total_money") == total
    for tender in order.get("tenders", []):
        assert _money(tender, "amount_money") + _money(tender, "tip_money") == total
    returned = _money(order.get("return_amounts", {}), "total_money")
    assert _money(order["net_amounts"], "total_money") == total - returned


def _check_return(order: dict, refund: dict) -> None:
    (order_return,) = order["returns"]
    lines = order_return["return_line_items"]
    for line in lines:
        assert _money(line, "total_money") == (
            _money(line, "gross_return_money")
            - _money(line, "total_discount_money")
            + _money(line, "total_tax_money")
        )
    for key, applied_key, uid_key in (
        ("return_discounts", "applied_discounts", "discount_uid"),
        ("return_taxes", "applied_taxes", "tax_uid"),
    ):
        for entry in order_return.get(key, []):
            on_lines = [a for line in lines for a in line.get(applied_key, []) if a[uid_key] == entry["uid"]]
            assert _money(entry, "applied_money") == sum(_money(a, "applied_money") for a in on_lines)
    returned = sum(_money(line, "total_money") for line in lines)
    assert _money(order["return_amounts"], "total_money") == returned == _money(refund, "amount_money")
    assert _money(order["net_amounts"], "total_money") == -returned and _money(order, "total_money") == 0


def test_amounts_add_up_on_sales_returns_tenders_and_refunds():
    """Lines, modifiers, discounts, taxes, tenders, net amounts and returns agree to the cent."""
    store = _store(9, orders_per_day=200, refund_share=0.2)
    now = to_us(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    orders, refunds, payments = [], {}, {}
    for location in store.world.locations:
        for day in (dt.date(2026, 2, 2), dt.date(2026, 2, 3)):
            data = store.day(location, day)
            for segment in (data.main, data.late):
                orders += [
                    orjson.loads(r.body) for r in segment["order"] if r.visible_from <= now < r.visible_until
                ]
                refunds.update((r.facts.order_id, orjson.loads(r.body)) for r in segment["refund"])
                payments.update((r.id, orjson.loads(r.body)) for r in segment["payment"])
    sales = [order for order in orders if "returns" not in order]
    returns = [order for order in orders if "returns" in order]
    for order in sales:
        _check_sale(order)
    for order in returns:
        _check_return(order, refunds[order["id"]])
    for payment in payments.values():
        assert _money(payment, "total_money") == _money(payment, "amount_money") + _money(
            payment, "tip_money"
        )
    assert (
        len(returns) > 20
        and any(o.get("discounts") for o in sales)
        and any("modifiers" in line for o in sales for line in o["line_items"])
    )


def test_cached_days_stay_within_the_memory_budget_however_large_the_days():
    """The day cache is bounded by the bytes it holds, not only by a count: three times the volume does not
    mean three times the memory."""
    store = _store(5, orders_per_day=600, cache_mb=8, day_cache_size=1000, late_cache_size=1000)
    location = store.world.locations[0]
    for offset in range(12):
        store.day(location, dt.date(2026, 2, 1) + dt.timedelta(days=offset))
    assert store._main.weight <= 8 * 2**20 + _day_weight(store.day(location, dt.date(2026, 2, 12)))
    assert 1 <= len(store._main) < 12  # some days were evicted to keep within the budget


def test_a_large_catalog_and_directory_are_served_lazily():
    """50,000 catalog objects and 200,000 customer profiles cost no memory until a page is asked for."""
    from square_sandbox.catalog_history import Position

    world = World(SandboxConfig(seed=3, locations=5, start_date=dt.date(2026, 1, 1), catalog_objects=50_000,
                                customers=200_000))  # fmt: skip
    now = to_us(dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    history = world.catalog_history
    objects, following = history.page({"ITEM", "ITEM_VARIATION"}, now, Position(0), 1000)
    assert len(objects) == 1000 and following is not None
    everything = sum(len(history.page({"ITEM", "ITEM_VARIATION", "CATEGORY", "TAX", "DISCOUNT", "MODIFIER_LIST",
                                       "MODIFIER"}, 2**61, Position(unit), 10**6, include_deleted=True)[0])
                     for unit in (0,))  # fmt: skip
    assert 49_000 <= everything <= 51_000  # every object ever made, deleted ones included
    existing = world.directory.existing(now)
    assert 170_000 < len(existing) <= 200_000
    assert {customer.body(now)["id"] for customer in existing[:100]} == {
        customer.id for customer in existing[:100]
    }
