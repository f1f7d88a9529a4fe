"""Gift cards and their activities as Square's Gift Cards API shows them: each card is activated (ACTIVATE),
spent by the gift card payments of its day (REDEEM), and credited back when such a payment is refunded
(REFUND); its balance as of the clock follows."""

from __future__ import annotations

import dataclasses
import datetime as dt

from square_sandbox.cache import BoundedCache
from square_sandbox.days import LATE_HORIZON_US, DayGenerator
from square_sandbox.giftcards import GiftCard, gift_card_origin
from square_sandbox.listing import hex_id
from square_sandbox.records import EVENTUALLY
from square_sandbox.sales import money
from square_sandbox.store import Store
from square_sandbox.timeutil import format_us
from square_sandbox.world import Location, World


@dataclasses.dataclass(frozen=True, slots=True)
class Activity:
    id: str
    card: GiftCard
    location_id: str
    activity_type: str  # ACTIVATE | REDEEM | REFUND
    at: int
    amount: int
    balance_after: int
    payment_id: str | None = None
    redeem_activity_id: str | None = None

    def body(self) -> dict:
        activity = {
            "id": self.id,
            "type": self.activity_type,
            "location_id": self.location_id,
            "created_at": format_us(self.at),
            "gift_card_id": self.card.id,
            "gift_card_gan": self.card.gan,
            "gift_card_balance_money": money(self.balance_after),
        }
        if self.activity_type == "ACTIVATE":
            activity["activate_activity_details"] = {
                "amount_money": money(self.amount),
                "reference_id": f"eGift-{self.card.id[-8:]}",
                "buyer_payment_instrument_ids": [hex_id("instrument", self.card.id, length=20)],
            }
        elif self.activity_type == "REDEEM":
            activity["redeem_activity_details"] = {
                "amount_money": money(self.amount),
                "payment_id": self.payment_id,
                "status": "COMPLETED",
            }
        else:
            activity["refund_activity_details"] = {
                "redeem_activity_id": self.redeem_activity_id,
                "amount_money": money(self.amount),
                "payment_id": self.payment_id,
            }
        return activity


def gift_card_type(card: GiftCard) -> str:
    """PHYSICAL, or (one in three) DIGITAL."""
    return "PHYSICAL" if int(hex_id("type", card.id, length=2), 16) % 3 else "DIGITAL"


class GiftCardBook:
    """The cards of each location-day and everything that happened to them."""

    def __init__(self, world: World, store: Store, generator: DayGenerator) -> None:
        self.world = world
        self.store = store
        self.generator = generator
        self._activities = BoundedCache(1024)  # (location, due day, now) -> activities

    def cards(self, location: Location, due_day: dt.date) -> list[GiftCard]:
        return self.generator.gift_cards(location, due_day)

    def card(self, card_id: str) -> tuple[Location, GiftCard] | None:
        origin = gift_card_origin(card_id)
        if origin is None or origin[0] >= len(self.world.locations):
            return None
        location = self.world.locations[origin[0]]
        return next(((location, c) for c in self.cards(location, origin[1]) if c.id == card_id), None)

    def activities(self, location: Location, due_day: dt.date, now: int) -> list[Activity]:
        """Every activity of the cards due on ``due_day`` up to ``now`` (later ones may follow)."""
        key = (location.index, due_day, now)
        found = self._activities.get(key)
        if found is None:
            found = [a for a in self._day_activities(location, due_day, now) if a.at <= now]
            self._activities.put(key, found)
        return found

    def _day_activities(self, location: Location, due_day: dt.date, now: int) -> list[Activity]:
        cards = {card.id: card for card in self.cards(location, due_day)}
        activities = [
            Activity(hex_id("activate", card.id, length=26), card, location.id, "ACTIVATE", card.activated_at,
                     card.amount, card.amount)
            for card in cards.values()
        ]  # fmt: skip
        if location.day_bounds(due_day)[0] > now:
            return activities
        balances = {card_id: card.amount for card_id, card in cards.items()}
        redeemed: dict[str, str] = {}  # payment id -> redeem activity id
        for payment, refund in self._spending(location, due_day, now):
            if refund is None:
                card = cards[payment.facts.gift_card_id]
                balances[card.id] -= payment.total
                activity = Activity(hex_id("redeem", payment.id, length=26), card, location.id, "REDEEM", payment.created,
                                    payment.total, balances[card.id], payment.id)  # fmt: skip
                redeemed[payment.id] = activity.id
            else:
                card = cards[refund.facts.payment.gift_card_id]
                balances[card.id] += refund.total
                activity = Activity(hex_id("refund", refund.id, length=26), card, location.id, "REFUND", refund.created,
                                    refund.total, balances[card.id], payment.id, redeemed[payment.id])  # fmt: skip
            activities.append(activity)
        return activities

    def _spending(self, location: Location, due_day: dt.date, now: int) -> list:
        """(payment, None) for each gift card payment of the day and (payment, refund) for each refund of one,
        in time order."""
        start, end = location.day_bounds(due_day)
        payments = self.store.all_records("payment", [location], {"created_at": (start, end - 1)}, EVENTUALLY)
        spent = {p.id: p for p in payments if p.facts.gift_card_id}
        window = {"created_at": (start, min(start + LATE_HORIZON_US, now))}
        refunds = [
            r
            for r in self.store.all_records("refund", [location], window, EVENTUALLY)
            if r.facts.payment_id in spent
        ]
        events = [(p.created, p.id, p, None) for p in spent.values()] + [
            (r.created, r.id, spent[r.facts.payment_id], r) for r in refunds
        ]
        return [(payment, refund) for _, _, payment, refund in sorted(events, key=lambda e: (e[0], e[1]))]

    def card_body(self, location: Location, card: GiftCard, now: int) -> dict:
        """Square's GiftCard as of ``now``."""
        known = [
            a for a in self.activities(location, card.due_day, now) if a.card.id == card.id and a.at <= now
        ]
        balance = max(known, key=lambda a: (a.at, a.activity_type != "ACTIVATE")).balance_after
        return {
            "id": card.id,
            "type": gift_card_type(card),
            "gan_source": "SQUARE",
            "state": "ACTIVE",
            "balance_money": money(balance),
            "gan": card.gan,
            "created_at": format_us(card.activated_at),
        }
