"""The catalog as of a time: the objects sales use, and a long tail of items the chain lists but rarely sells.

The objects on sale (variations, modifiers, taxes, discounts) never change, so orders keep pointing at their
version. Items are revised now and then (their description), which moves their ``version`` and ``updated_at``.
The long tail (``--catalog-objects``) is created over time, revised, and partly deleted (``is_deleted``); each
tail item is drawn from its own generator (seed, "tail", index), so any page of the catalog is built on demand.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import random

from square_sandbox.catalog import CURRENCY, Catalog, item_data_json
from square_sandbox.ids import random_id, rng_for
from square_sandbox.timeutil import US_PER_DAY, format_us

TOP_LEVEL = {"ITEM", "CATEGORY", "TAX", "DISCOUNT", "MODIFIER_LIST"}
NESTED = {
    "ITEM": ("ITEM_VARIATION", "item_data", "variations"),
    "MODIFIER_LIST": ("MODIFIER", "modifier_list_data", "modifiers"),
}
ADJECTIVES = [
    "Classic",
    "Vintage",
    "Organic",
    "Deluxe",
    "Compact",
    "Handmade",
    "Everyday",
    "Limited",
    "Travel",
    "Cozy",
]
NOUNS = [
    "Tote",
    "Scarf",
    "Journal",
    "Tumbler",
    "Blanket",
    "Diffuser",
    "Coaster",
    "Puzzle Box",
    "Bookmark",
    "Apron",
]
REVISION_DAYS = 45  # items on sale are revised about this often


@dataclasses.dataclass(frozen=True, slots=True)
class Timeline:
    """When an object was created, revised and (maybe) deleted; its version is the time of its last event."""

    created: int
    revisions: tuple[int, ...]
    deleted: int | None

    def last_event(self, now: int) -> int | None:
        """The time of the newest event by ``now`` (None: not created yet)."""
        if self.created > now:
            return None
        if self.deleted is not None and self.deleted <= now:
            return self.deleted
        return (
            self.revisions[bisect.bisect_right(self.revisions, now) - 1]
            if self.revisions and self.revisions[0] <= now
            else self.created
        )

    def revision(self, now: int) -> int:
        return bisect.bisect_right(self.revisions, now)

    def is_deleted(self, now: int) -> bool:
        return self.deleted is not None and self.deleted <= now


@dataclasses.dataclass(frozen=True)
class Position:
    """Where a listing stands: the next unit (a core object or a tail item) and the object within it."""

    unit: int
    sub: int = 0


class CatalogHistory:
    def __init__(self, catalog: Catalog, seed: int, base: int, start: int, total_objects: int) -> None:
        self.catalog = catalog
        self.seed = seed
        self.base = base  # when the core catalog was set up
        self.core = catalog.objects
        self.revisions = {
            obj["id"]: _revisions(seed, obj["id"], base, start) for obj in self.core if obj["type"] == "ITEM"
        }
        core_count = len(catalog.listing(TOP_LEVEL | {"ITEM_VARIATION", "MODIFIER"}))
        self.tail = [
            _tail_timeline(seed, index, start)
            for index in range(max(0, math.ceil((total_objects - core_count) / 3)))
        ]
        events = [base, *(t for times in self.revisions.values() for t in times)]
        for timeline in self.tail:
            events += [timeline.created, *timeline.revisions] + (
                [timeline.deleted] if timeline.deleted else []
            )
        self.events = sorted(events)

    @property
    def units(self) -> int:
        return len(self.core) + len(self.tail)

    def latest_time(self, now: int) -> int:
        """When the catalog last changed, as of ``now``."""
        return self.events[max(0, bisect.bisect_right(self.events, now) - 1)]

    def page(
        self, wanted: set[str], now: int, start: Position, limit: int, changed_after: int | None = None,
        include_deleted: bool = False,
    ) -> tuple[list[dict], Position | None]:  # fmt: skip
        """Up to ``limit`` objects from ``start`` on, in listing order, and where the next page starts."""
        found: list[dict] = []
        for unit in range(start.unit, self.units):
            objects = self._unit(unit, wanted, now, changed_after, include_deleted)
            for sub in range(start.sub if unit == start.unit else 0, len(objects)):
                if len(found) == limit:
                    return found, Position(unit, sub)
                found.append(objects[sub])
        return found, None

    def _unit(
        self, unit: int, wanted: set[str], now: int, changed_after: int | None, include_deleted: bool
    ) -> list[dict]:
        """The objects one unit contributes: the object itself and (when asked for) those nested in it."""
        if unit < len(self.core):
            obj, timeline = self.core[unit], self._core_timeline(self.core[unit])
        else:
            timeline = self.tail[unit - len(self.core)]
            obj = None
        last = timeline.last_event(now)
        if last is None or (timeline.is_deleted(now) and not include_deleted):
            return []
        if changed_after is not None and last <= changed_after:
            return []
        tail = obj is None
        if tail:
            obj = _tail_item(self.seed, unit - len(self.core), self.catalog)
        obj = _as_of(obj, timeline, now, tail)
        objects = [obj] if obj["type"] in wanted else []
        nested = NESTED.get(obj["type"])
        # What an item on sale nests never changes: it is not news when the item is revised.
        if nested and nested[0] in wanted and (tail or changed_after is None):
            objects += obj[nested[1]][nested[2]]
        return objects

    def _core_timeline(self, obj: dict) -> Timeline:
        return Timeline(self.base, self.revisions.get(obj["id"], ()), None)


def _revisions(seed: int, object_id: str, base: int, start: int) -> tuple[int, ...]:
    """An item on sale is revised every REVISION_DAYS or so from the first business day on."""
    rng = rng_for(seed, "revisions", object_id)
    times, at = [], start + rng.randrange(REVISION_DAYS) * US_PER_DAY
    for _ in range(40):
        times.append(at + rng.randrange(9 * 3600, 18 * 3600) * 1_000_000)
        at += rng.randint(REVISION_DAYS // 2, REVISION_DAYS * 3 // 2) * US_PER_DAY
    return tuple(times)


def _tail_timeline(seed: int, index: int, start: int) -> Timeline:
    rng = rng_for(seed, "tail-timeline", index)
    # Nine in ten were listed before the first business day, the rest over the following four months.
    if rng.random() < 0.9:
        created = start - rng.randrange(1, 500 * 86400) * 1_000_000
    else:
        created = start + rng.randrange(120 * 86400) * 1_000_000
    revisions = tuple(
        sorted(created + rng.randrange(1, 365 * 86400) * 1_000_000 for _ in range(rng.randrange(4)))
    )
    deleted = (
        max(created, start) + rng.randrange(86400, 365 * 86400) * 1_000_000 if rng.random() < 0.15 else None
    )
    if deleted is not None:
        revisions = tuple(t for t in revisions if t < deleted)
    return Timeline(created, revisions, deleted)


def _tail_item(seed: int, index: int, catalog: Catalog) -> dict:
    """Tail item ``index`` (with 1-3 variations), as first created."""
    rng = rng_for(seed, "tail", index)
    item_id = random_id(rng, 24).upper()
    category_id = rng.choice(list(catalog.category_names))
    name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} #{index + 1}"
    variations = [_tail_variation(rng, item_id, ordinal) for ordinal in range(1 + index % 3)]
    item_data = item_data_json(name, list(catalog.taxes.values()), variations, category_id)
    return {
        "type": "ITEM",
        "id": item_id,
        "is_deleted": False,
        "present_at_all_locations": True,
        "item_data": item_data,
    }


def _tail_variation(rng: random.Random, item_id: str, ordinal: int) -> dict:
    data = {
        "item_id": item_id,
        "name": ["Regular", "Large", "Gift Set"][ordinal],
        "sku": f"TAIL-{rng.randrange(100000, 999999)}",
        "ordinal": ordinal,
        "pricing_type": "FIXED_PRICING",
        "price_money": {"amount": rng.randrange(5, 120) * 100 - 1, "currency": CURRENCY},
        "sellable": True,
        "stockable": True,
    }
    return {"type": "ITEM_VARIATION", "id": random_id(rng, 24).upper(), "is_deleted": False,
            "present_at_all_locations": True, "item_variation_data": data}  # fmt: skip


def _as_of(obj: dict, timeline: Timeline, now: int, tail: bool) -> dict:
    """The object's version at ``now``: its stamp (``updated_at``; ``version`` = the last event in milliseconds),
    the revision in an item's description, the deletion flag. A tail item's variations share its stamp; the
    variations of an item on sale keep theirs (orders point at them)."""
    revision, deleted = timeline.revision(now), timeline.is_deleted(now)
    if not tail and revision == 0:
        return obj  # an object on sale as set up
    last = timeline.last_event(now)
    stamp = {"updated_at": format_us(last), "version": last // 1000, "is_deleted": deleted}
    found = {"type": obj["type"], "id": obj["id"], **stamp}
    found.update((key, value) for key, value in obj.items() if key not in found)
    if obj["type"] == "ITEM":
        item_data = dict(obj["item_data"])
        if revision:
            item_data["description"] = f"{item_data['name']}, revision {revision}."
        if tail:
            item_data["variations"] = [
                {"type": v["type"], "id": v["id"], **stamp, **v} | stamp for v in item_data["variations"]
            ]
        found["item_data"] = item_data
    return found
