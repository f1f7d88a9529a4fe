"""The static part of the chain: settings, locations, catalog and customers (all derived from the seed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from zoneinfo import ZoneInfo

from square_sandbox.catalog import Catalog
from square_sandbox.catalog_history import CatalogHistory
from square_sandbox.customers import Customers
from square_sandbox.ids import random_id, rng_for
from square_sandbox.team import Rota, TeamMember, build_team, rota
from square_sandbox.timeutil import US_PER_DAY, US_PER_SECOND, format_us, to_us


@dataclasses.dataclass(frozen=True)
class SandboxConfig:
    seed: int = 42
    locations: int = 5
    orders_per_day: int = 1500
    start_date: dt.date = dt.date(2026, 1, 1)
    offline_share: float = 0.02
    refund_share: float = 0.02
    canceled_share: float = 0.005
    customers_per_location: int = 150
    day_cache_size: int = 48
    late_cache_size: int = 2048
    cache_mb: int = 768  # what the cached location-days may hold, about (the late segments a quarter more)
    catalog_objects: int = 200  # the catalog's size with its long tail (at least the objects on sale)
    customers: int = 0  # profiles in the directory (at least customers_per_location x locations)

    def __post_init__(self) -> None:
        if not 1 <= self.locations <= 62:
            raise ValueError("--locations must be between 1 and 62")
        if self.orders_per_day < 1:
            raise ValueError("--orders-per-day must be at least 1")
        if not 0.0 <= self.offline_share <= 1.0:
            raise ValueError("--offline-share must be between 0 and 1")
        if self.day_cache_size < 1 or self.late_cache_size < 1 or self.cache_mb < 1:
            raise ValueError("cache sizes must be at least 1")
        if not 0 <= self.catalog_objects <= 1_000_000 or not 0 <= self.customers <= 5_000_000:
            raise ValueError("--catalog-objects must be at most 1,000,000 and --customers at most 5,000,000")


# City, state, time zone, sales tax percentage (typical combined rates).
CITIES = [
    ("New York", "NY", "America/New_York", "8.875"),
    ("Chicago", "IL", "America/Chicago", "10.25"),
    ("Denver", "CO", "America/Denver", "8.81"),
    ("Los Angeles", "CA", "America/Los_Angeles", "9.5"),
    ("Phoenix", "AZ", "America/Phoenix", "8.6"),
    ("Boston", "MA", "America/New_York", "6.25"),
    ("Seattle", "WA", "America/Los_Angeles", "10.35"),
    ("Miami", "FL", "America/New_York", "7"),
    ("Dallas", "TX", "America/Chicago", "8.25"),
    ("Honolulu", "HI", "Pacific/Honolulu", "4.712"),
    ("Anchorage", "AK", "America/Anchorage", "0"),
    ("Atlanta", "GA", "America/New_York", "8.9"),
]
STREETS = ["Main St", "Market St", "Broadway", "Oak Ave", "Elm St", "Park Ave", "2nd St", "Pine St"]


@dataclasses.dataclass(frozen=True)
class Location:
    index: int
    id: str
    name: str
    timezone: str
    tax_percentage: str
    tax_id: str
    registers: tuple[str, ...]
    body: dict

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def day_bounds(self, day: dt.date) -> tuple[int, int]:
        """[start, end) of the local business day in UTC microseconds."""
        zone = self.zone
        start = dt.datetime.combine(day, dt.time(), zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        return to_us(start), to_us(end)

    def local_date(self, us: int) -> dt.date:
        return dt.datetime.fromtimestamp(us / 1_000_000, self.zone).date()

    def business_midnight(self, day: dt.date) -> int:
        """Local midnight by the noon offset: business hours never cross a DST switch (at 2:00)."""
        offset = self.zone.utcoffset(dt.datetime.combine(day, dt.time(12)))
        return (
            to_us(dt.datetime.combine(day, dt.time(), dt.UTC)) - int(offset.total_seconds()) * US_PER_SECOND
        )


class World:
    """Everything that does not depend on the day: built once at start, small and bounded."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        rng = rng_for(config.seed, "world")
        self.merchant_id = random_id(rng, 13).upper()
        self.catalog_version = 1_700_000_000_000 + rng.randrange(10**9)
        catalog_time = format_us(
            to_us(dt.datetime.combine(config.start_date, dt.time(), dt.UTC)) - 90 * US_PER_DAY
        )
        self.catalog_updated_at = catalog_time
        self.locations = [self._location(rng, index) for index in range(config.locations)]
        self.locations_by_id = {location.id: location for location in self.locations}
        tax_names = {
            location.id: (
                f"Sales Tax {location.body['address']['administrative_district_level_1']}",
                location.tax_percentage,
            )
            for location in self.locations
        }
        self.catalog = Catalog(
            rng, config.seed, tax_names, {"updated_at": catalog_time, "version": self.catalog_version}
        )
        start_us = to_us(dt.datetime.combine(config.start_date, dt.time(), dt.UTC))
        self.team: dict[str, list[TeamMember]] = build_team(
            config.seed, [location.id for location in self.locations], start_us
        )
        self.team_members = {member.id: member for members in self.team.values() for member in members}
        self.catalog_history = CatalogHistory(
            self.catalog, config.seed, to_us(dt.datetime.combine(config.start_date, dt.time(), dt.UTC)) - 90 * US_PER_DAY,
            start_us, config.catalog_objects,
        )  # fmt: skip
        base_customers = config.customers_per_location * config.locations
        self.directory = Customers(
            config.seed, start_us, base_customers, max(config.customers, base_customers)
        )
        self.customers = self.directory.first_profiles  # as created (loyalty accounts read them)
        self.old_customer_ids = self.directory.shopper_ids  # who shops: created before the first business day

    @property
    def main_location(self) -> Location:
        return self.locations[0]

    def rota(self, location: Location, day: dt.date) -> Rota:
        """Who works when at ``location`` on ``day``."""
        return rota(
            self.config.seed, location.index, day, location.business_midnight(day), self.team[location.id]
        )

    def _location(self, rng: random.Random, index: int) -> Location:
        city, state, timezone, tax = CITIES[index % len(CITIES)]
        location_id = "L" + random_id(rng, 12).upper()
        name = f"{city} #{index + 1}" if index >= len(CITIES) else city
        opened = dt.datetime.combine(self.config.start_date, dt.time(9), dt.UTC) - dt.timedelta(
            days=400 + 37 * index
        )
        body = {
            "id": location_id,
            "name": name,
            "address": {
                "address_line_1": f"{100 + rng.randrange(900)} {rng.choice(STREETS)}",
                "locality": city,
                "administrative_district_level_1": state,
                "postal_code": f"{rng.randrange(10000, 99999)}",
                "country": "US",
            },
            "timezone": timezone,
            "capabilities": ["CREDIT_CARD_PROCESSING"],
            "status": "ACTIVE",
            "created_at": opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "merchant_id": self.merchant_id,
            "country": "US",
            "language_code": "en-US",
            "currency": "USD",
            "business_name": "Corner Goods Co.",
            "type": "PHYSICAL",
            "mcc": "5999",
        }
        registers = tuple(f"{location_id}-REG{n + 1}" for n in range(2 + rng.randrange(3)))
        return Location(index, location_id, name, timezone, tax, "", registers, body)
