"""Ground truth straight from the generator (for tests and reconciliation), as of the clock.

Definitions are Square's Sales Summary ones, documented in README.md ("Sales Summary definitions").
"""

from __future__ import annotations

import datetime as dt

from square_sandbox.records import OrderFacts, PaymentFacts, Record
from square_sandbox.sales import CURRENCY, money
from square_sandbox.store import Store
from square_sandbox.timeutil import format_us
from square_sandbox.world import Location


def location_day_summary(store: Store, location: Location, day: dt.date, now: int) -> dict:
    start, end = location.day_bounds(day)
    ranges = {"created_at": (start, end - 1)}
    orders = store.all_records("order", [location], ranges, now)
    payments = store.all_records("payment", [location], ranges, now)
    refunds = store.all_records("refund", [location], ranges, now)
    completed = [order.facts for order in orders if order.state == "COMPLETED"]
    sales = [facts for facts in completed if not facts.is_return]
    returns = [facts for facts in completed if facts.is_return]
    gross = sum(sale.gross for sale in sales)
    returned_gross = sum(ret.gross for ret in returns)
    discounts = sum(sale.discount for sale in sales) - sum(ret.discount for ret in returns)
    tax = sum(sale.tax for sale in sales) - sum(ret.tax for ret in returns)
    tips = sum(sale.tip for sale in sales)
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
        "currency": CURRENCY,
    }


def truth_row(record: Record) -> dict:
    row = {
        "id": record.id,
        "location_id": record.location_id,
        "created_at": format_us(record.created),
        "updated_at": format_us(record.updated),
    }
    facts = record.facts
    if isinstance(facts, OrderFacts):
        row.update(version=record.version, state=record.state, total_money=money(record.total))
    elif isinstance(facts, PaymentFacts):
        row.update(
            order_id=facts.order_id,
            status=record.state,
            total_money=money(record.total),
            is_offline_payment=facts.offline_created is not None,
        )
    else:
        row.update(
            payment_id=facts.payment_id,
            order_id=facts.order_id,
            status=record.state,
            amount_money=money(record.total),
        )
    return row
