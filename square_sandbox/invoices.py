"""Invoices: now and then a store bills a business customer (a corporate gift order) through Square Invoices.

Invoices are outside the Point of Sale: they carry no order and count in no sales report here. Each location-day
has one with some chance, from its own generator (seed, "invoice", location, date): drafted, sent an hour
later (UNPAID), then paid within weeks or canceled after the due date, as of the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from square_sandbox.ids import rng_for
from square_sandbox.listing import hex_id
from square_sandbox.sales import money
from square_sandbox.timeutil import US_PER_DAY, US_PER_HOUR, format_us
from square_sandbox.world import Location, World

INVOICE_CHANCE = 0.15
TERMS_DAYS = 30


@dataclasses.dataclass(frozen=True)
class Invoice:
    id: str
    number: str
    location: Location
    day: dt.date
    customer_id: str
    amount: int
    created: int
    settled: int  # when it was paid or canceled
    paid: bool
    creator: str

    @property
    def sent(self) -> int:
        return self.created + US_PER_HOUR

    def timeline(self) -> list[tuple[int, str]]:
        return [
            (self.created, "DRAFT"),
            (self.sent, "UNPAID"),
            (self.settled, "PAID" if self.paid else "CANCELED"),
        ]

    def body(self, now: int) -> dict:
        reached = [(since, status) for since, status in self.timeline() if since <= now]
        since, status = reached[-1]
        completed = self.amount if status == "PAID" else 0
        return {
            "id": self.id,
            "version": len(reached) - 1,
            "location_id": self.location.id,
            "primary_recipient": {"customer_id": self.customer_id},
            "payment_requests": [
                {
                    "uid": hex_id("request", self.id, length=22),
                    "request_method": "EMAIL",
                    "request_type": "BALANCE",
                    "due_date": (self.day + dt.timedelta(days=TERMS_DAYS)).isoformat(),
                    "tipping_enabled": False,
                    "computed_amount_money": money(self.amount),
                    "total_completed_amount_money": money(completed),
                }
            ],
            "delivery_method": "EMAIL",
            "invoice_number": self.number,
            "title": "Corporate gift order",
            "description": "Gift boxes for your team, delivered to your office.",
            "scheduled_at": format_us(self.sent),
            "next_payment_amount_money": money(self.amount - completed if status != "CANCELED" else 0),
            "status": status,
            "timezone": self.location.timezone,
            "created_at": format_us(self.created),
            "updated_at": format_us(since),
            "accepted_payment_methods": {"card": True, "square_gift_card": False, "bank_account": True,
                                         "buy_now_pay_later": False, "cash_app_pay": False},
            "sale_or_service_date": self.day.isoformat(),
            "store_payment_method_enabled": False,
            "creator_team_member_id": self.creator,
        }  # fmt: skip


def invoice_of_day(world: World, location: Location, day: dt.date) -> Invoice | None:
    rng = rng_for(world.config.seed, "invoice", location.index, day.isoformat())
    if rng.random() >= INVOICE_CHANCE or not world.old_customer_ids:
        return None
    created = (
        location.business_midnight(day)
        + rng.randrange(10, 16) * US_PER_HOUR
        + rng.randrange(3600) * 1_000_000
    )
    paid = rng.random() < 0.85
    settled = created + (rng.randint(3, 25) if paid else TERMS_DAYS + 5) * US_PER_DAY
    return Invoice(
        id=f"inv:0-{hex_id(world.config.seed, 'invoice', location.id, day, length=26)}",
        number=f"{location.index + 1:02d}-{day:%y%m%d}",
        location=location,
        day=day,
        customer_id=rng.choice(world.old_customer_ids),
        amount=rng.randrange(20000, 200000, 500),
        created=created,
        settled=settled,
        paid=paid,
        creator=world.team[location.id][0].id,
    )
