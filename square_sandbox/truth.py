"""Ground truth straight from the generator (for tests and reconciliation), as of the clock.

Definitions are Square's Sales Summary ones, documented in README.md ("Sales Summary definitions").
"""

from __future__ import annotations

import datetime as dt

from square_sandbox.days import Record
from square_sandbox.store import Store
from square_sandbox.timeutil import format_us
from square_sandbox.world import Location


def location_day_summary(store: Store, location: Location, day: dt.date, now: int) -> dict:
    start, end = location.day_bounds(day)
    ranges = {"created_at": (start, end - 1)}
    orders = store.all_records("order", [location], ranges, now)
    payments = store.all_records("payment", [location], ranges, now)
    refunds = store.all_records("refund", [location], ranges, now)
    sales = [o for o in orders if o.state == "COMPLETED" and not o.facts[7]]
    returns = [o for o in orders if o.state == "COMPLETED" and o.facts[7]]
    gross = sum(o.facts[0] for o in sales)
    returned_gross = sum(o.facts[4] for o in returns)
    discounts = sum(o.facts[1] for o in sales) - sum(o.facts[5] for o in returns)
    tax = sum(o.facts[2] for o in sales) - sum(o.facts[6] for o in returns)
    tips = sum(o.facts[3] for o in sales)
    refunded = sum(r.total for r in refunds if r.state == "COMPLETED")
    collected = sum(p.total for p in payments if p.state == "COMPLETED") - refunded
    net_sales = gross - returned_gross - discounts
    return {
        "location_id": location.id,
        "date": day.isoformat(),
        "order_count": len(sales),
        "gross_sales": gross,
        "returns": returned_gross,
        "discounts": discounts,
        "net_sales": net_sales,
        "tax": tax,
        "tips": tips,
        "total_collected": collected,
        "refunds": refunded,
        "currency": "USD",
    }


def truth_row(record: Record) -> dict:
    row = {
        "id": record.id,
        "location_id": record.location_id,
        "created_at": format_us(record.created),
        "updated_at": format_us(record.updated),
    }
    if record.kind == "order":
        row.update(
            version=record.version,
            state=record.state,
            total_money={"amount": record.total, "currency": "USD"},
        )
    elif record.kind == "payment":
        row.update(
            order_id=record.links[0],
            status=record.state,
            total_money={"amount": record.total, "currency": "USD"},
            is_offline_payment=record.facts[4] is not None,
        )
    else:
        row.update(
            payment_id=record.links[0],
            order_id=record.links[1],
            status=record.state,
            amount_money={"amount": record.total, "currency": "USD"},
        )
    return row
