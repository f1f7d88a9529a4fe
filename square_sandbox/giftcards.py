"""Gift cards: each is bought some weeks before the one day it is spent at a store.

The cards due at a location-day come from their own generator (seed, location, date), so the cards, their
activations and their amounts are known without generating any sales; the day's sales then spend them
(a sale paid by gift card takes a due card with enough balance, or is paid by card instead).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

from square_sandbox.ids import EPOCH_DAY, rng_for
from square_sandbox.timeutil import US_PER_DAY, US_PER_HOUR

GIFT_CARD_SHARE = 0.05  # of sales paid by gift card (when a due card has the balance)
AMOUNTS = [2500, 5000, 5000, 10000, 10000, 20000]
MAX_AGE_DAYS = 120  # a card is activated 1..MAX_AGE_DAYS days before its day
PREFIX = "gftc:"


@dataclasses.dataclass(frozen=True, slots=True)
class GiftCard:
    id: str
    gan: str
    location_index: int
    due_day: dt.date
    activated_at: int
    amount: int


def gift_card_id(rng: random.Random, location_index: int, day: dt.date) -> str:
    """``gftc:`` and 32 hex digits, the last six naming the card's location and day (to find it again)."""
    return f"{PREFIX}{rng.getrandbits(104):026x}{location_index:02x}{(day - EPOCH_DAY).days:04x}"


def gift_card_origin(card_id: str) -> tuple[int, dt.date] | None:
    if not card_id.startswith(PREFIX) or len(card_id) != len(PREFIX) + 32:
        return None
    try:
        return int(card_id[-6:-4], 16), EPOCH_DAY + dt.timedelta(days=int(card_id[-4:], 16))
    except ValueError:
        return None


def due_gift_cards(
    seed: int, location_index: int, day: dt.date, midnight: int, order_count: int
) -> list[GiftCard]:
    """The cards spent at a location on ``day`` (``midnight`` is its local start)."""
    rng = rng_for(seed, "gift-cards", location_index, day.isoformat())
    cards = []
    for _ in range(max(1, math.ceil(order_count * GIFT_CARD_SHARE))):
        activated = midnight - rng.randint(1, MAX_AGE_DAYS) * US_PER_DAY + rng.randrange(9, 20) * US_PER_HOUR
        cards.append(
            GiftCard(
                id=gift_card_id(rng, location_index, day),
                gan=f"7783{rng.randrange(10**12):012d}",
                location_index=location_index,
                due_day=day,
                activated_at=activated + rng.randrange(3600) * 1_000_000,
                amount=rng.choice(AMOUNTS),
            )
        )
    return cards


class GiftCardLedger:
    """The balances of a day's due cards while the day's sales spend them."""

    def __init__(self, cards: list[GiftCard]) -> None:
        self.cards = cards
        self.balances = {card.id: card.amount for card in cards}

    def redeem(self, rng: random.Random, amount: int) -> tuple[GiftCard, int] | None:
        """(card, balance after) of a card that pays ``amount``, or None when no due card has enough left."""
        start = rng.randrange(len(self.cards))
        for offset in range(len(self.cards)):
            card = self.cards[(start + offset) % len(self.cards)]
            if self.balances[card.id] >= amount:
                self.balances[card.id] -= amount
                return card, self.balances[card.id]
        return None
