"""What the sandbox keeps of every object version it generated: its JSON body and the facts queries need.

A ``Record`` is one version of an order, payment or refund, visible in [visible_from, visible_until): an
offline sale becomes visible when its register uploads it, and a refunded sale is replaced by its updated
version at refund time. The facts are what filters, sorting and the ground truth read, so that no query has
to parse a body. Everything is slotted: a location-day holds thousands of these.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from square_sandbox.timeutil import LATEST_US

NEVER = LATEST_US  # visible_until of a version nothing replaces


@dataclasses.dataclass(frozen=True, slots=True)
class OrderFacts:
    """The amounts of an order's own lines: line items for a sale, return line items for a return order."""

    kind: ClassVar[str] = "order"
    gross: int
    discount: int
    tax: int
    tip: int
    is_return: bool


@dataclasses.dataclass(frozen=True, slots=True)
class PaymentFacts:
    kind: ClassVar[str] = "payment"
    order_id: str
    source_type: str  # CARD | CASH
    card_brand: str | None
    last_4: str | None
    offline_created: int | None  # offline_payment_details.client_created_at; None for online payments


@dataclasses.dataclass(frozen=True, slots=True)
class RefundFacts:
    kind: ClassVar[str] = "refund"
    payment_id: str
    order_id: str  # the return order
    source_type: str  # CARD | CASH, the refunded payment's


Facts = OrderFacts | PaymentFacts | RefundFacts


@dataclasses.dataclass(slots=True)
class VersionTimes:
    """When one version of an object was written (``updated_at``) and when it is visible."""

    updated: int
    visible_from: int
    visible_until: int = NEVER


@dataclasses.dataclass(slots=True)  # never changed, but not frozen: frozen ones are ~6x slower to build
class Record:
    id: str
    location_id: str
    created: int
    updated: int
    closed: int | None
    visible_from: int
    visible_until: int
    state: str
    version: int | None
    body: bytes
    facts: Facts
    total: int  # order total_money, payment total_money, refund amount_money

    @property
    def kind(self) -> str:
        """order | payment | refund"""
        return self.facts.kind

    def field(self, name: str) -> int | None:
        """The timestamp a query names (``created_at``, ...), as microseconds."""
        if name == "created_at":
            return self.created
        if name == "updated_at":
            return self.updated
        if name == "closed_at":
            return self.closed
        if name == "offline_created_at" and isinstance(self.facts, PaymentFacts):
            return self.facts.offline_created
        raise KeyError(name)
