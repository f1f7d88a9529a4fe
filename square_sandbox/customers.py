"""The customer directory as of the clock: profiles are created over time, updated, and some deleted.

The first ``customers_per_location x locations`` profiles are drawn in one sequence (seed, "customers"): those
created before the first business day are the returning customers sales pick, and they are never deleted.
Beyond them (``--customers``), profiles are derived one by one from a hash of their index, so 200,000 of them
cost nothing until listed. Later updates and deletions also follow from a hash, of the customer's id.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import random
from collections.abc import Callable

from square_sandbox.cache import BoundedCache
from square_sandbox.ids import ALPHABET, random_id, rng_for
from square_sandbox.timeutil import US_PER_DAY, US_PER_SECOND, format_us, parse_rfc3339

FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kai",
    "Lena",
]
LAST_NAMES = ["Ng", "Garcia", "Smith", "Okafor", "Kowalski", "Rossi", "Kim", "Novak", "Silva", "Haddad"]
SOURCES = ["THIRD_PARTY", "DIRECTORY", "LOYALTY"]


@dataclasses.dataclass(frozen=True, slots=True)
class Customer:
    """A profile's history: the times it changed, and how to write it as first created."""

    id: str
    given_name: str
    family_name: str
    creation_source: str
    created: int
    updates: tuple[int, ...]
    deleted: int | None
    profile: Callable[[], dict]  # the profile as created (its JSON), built when needed

    @property
    def first(self) -> dict:
        return self.profile()

    def exists(self, now: int) -> bool:
        return self.created <= now and (self.deleted is None or self.deleted > now)

    def version(self, now: int) -> int:
        return sum(1 for at in self.updates if at <= now)

    def updated(self, now: int) -> int:
        return max([self.created, *(at for at in self.updates if at <= now)])

    def body(self, now: int) -> dict:
        """Square's Customer as of ``now`` (each update after the first flips the e-mail preference)."""
        version = self.version(now)
        found = {**self.first, "updated_at": format_us(self.updated(now)), "version": version}
        if version > 1:
            unsubscribed = self.first["preferences"]["email_unsubscribed"]
            found["preferences"] = {"email_unsubscribed": unsubscribed != (version % 2 == 0)}
        return found


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:16], "big")


def _later_changes(
    seed: int, customer_id: str, created: int, start: int, deletable: bool
) -> tuple[tuple[int, ...], int | None]:
    """Updates from the first business day on (3 in 10 profiles, within four months) and, for a profile sales
    never use, a deletion (1 in 10, within a year of the first business day or of its creation)."""
    roll = _hash(seed, "customer-changes", customer_id)
    since = max(start, created)
    updates: tuple[int, ...] = ()
    if roll % 10 < 3:
        updates = (since + (roll >> 8) % (120 * 86400) * US_PER_SECOND,)
    deleted = None
    if deletable and (roll >> 40) % 10 == 0:
        deleted = since + (1 + (roll >> 48) % 365) * US_PER_DAY
        updates = tuple(at for at in updates if at < deleted)
    return updates, deleted


class Customers:
    def __init__(self, seed: int, start: int, base_count: int, total: int) -> None:
        self.seed = seed
        self.start = start
        self.first_profiles = _base_profiles(seed, start, base_count)
        self.shopper_ids = [c["id"] for c in self.first_profiles if c["created_at"] < format_us(start)]
        shoppers = set(self.shopper_ids)
        self.base = [self._history(profile, profile["id"] not in shoppers) for profile in self.first_profiles]
        self.extra_count = max(0, total - base_count)
        self._listings = BoundedCache(2)  # now -> every profile existing then

    def _history(self, profile: dict, deletable: bool) -> Customer:
        created, first_update = parse_rfc3339(profile["created_at"]), parse_rfc3339(profile["updated_at"])
        updates, deleted = _later_changes(self.seed, profile["id"], created, self.start, deletable)
        first = {**profile, "updated_at": profile["created_at"], "version": 0}
        base_updates = (first_update,) if profile["version"] else ()
        return Customer(profile["id"], profile["given_name"], profile["family_name"], profile["creation_source"],
                        created, tuple(sorted(base_updates + updates)), deleted, lambda: first)  # fmt: skip

    def extra(self, index: int) -> Customer:
        """Profile ``index`` beyond the first ones (derived from a hash of the index)."""
        code = _hash(self.seed, "customer", index)
        customer_id = "".join(ALPHABET[(code >> (5 * n)) % 36] for n in range(26))
        # Nine in ten signed up in the two years before the first business day, the rest in the four months after.
        if code % 10:
            created = self.start - (1 + (code >> 20) % (730 * 86400)) * US_PER_SECOND
        else:
            created = self.start + (code >> 20) % (120 * 86400) * US_PER_SECOND
        given, family = FIRST_NAMES[(code >> 3) % 12], LAST_NAMES[(code >> 9) % 10]
        source = SOURCES[(code >> 64) % 3]
        updates, deleted = _later_changes(self.seed, customer_id, created, self.start, deletable=True)
        profile = functools.partial(_extra_profile, code, customer_id, created, given, family, source)
        return Customer(customer_id, given, family, source, created, updates, deleted, profile)

    def existing(self, now: int) -> list[Customer]:
        """Every profile that exists at ``now``, oldest first (the list of the latest ``now`` is kept)."""
        found = self._listings.get(now)
        if found is None:
            found = [c for c in self.base if c.exists(now)]
            found += [c for c in map(self.extra, range(self.extra_count)) if c.exists(now)]
            found.sort(key=lambda c: (c.created, c.id))
            self._listings.put(now, found)
        return found


def _extra_profile(code: int, customer_id: str, created: int, given: str, family: str, source: str) -> dict:
    return {
        "id": customer_id,
        "created_at": format_us(created),
        "updated_at": format_us(created),
        "given_name": given,
        "family_name": family,
        "email_address": f"{given.lower()}.{family.lower()}{(code >> 30) % 1000}@example.com",
        "phone_number": f"+1-555-{100 + (code >> 40) % 900}-{1000 + (code >> 50) % 9000}",
        "preferences": {"email_unsubscribed": (code >> 60) % 5 == 0},
        "creation_source": source,
        "version": 0,
    }


def _base_profiles(seed: int, start: int, count: int) -> list[dict]:
    """The first profiles, in one sequence of draws (their ids and details never change)."""
    rng = rng_for(seed, "customers")
    profiles = [_base_profile(rng, start) for _ in range(count)]
    profiles.sort(key=lambda c: (c["created_at"], c["id"]))
    return profiles


def _base_profile(rng: random.Random, start: int) -> dict:
    created = start + rng.randrange(-730 * US_PER_DAY, 90 * US_PER_DAY) // 1000 * 1000
    updated = created + rng.choice([0, 0, rng.randrange(1, 60) * US_PER_DAY])
    given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "id": random_id(rng, 26).upper(),
        "created_at": format_us(created),
        "updated_at": format_us(updated),
        "given_name": given,
        "family_name": family,
        "email_address": f"{given.lower()}.{family.lower()}{rng.randrange(1000)}@example.com",
        "phone_number": f"+1-555-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        "preferences": {"email_unsubscribed": rng.random() < 0.2},
        "creation_source": rng.choice(SOURCES),
        "version": 0 if updated == created else 1,
    }
