"""The static part of the chain: settings, locations, catalog and customers (all derived from the seed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import string
from zoneinfo import ZoneInfo

from square_sandbox.timeutil import US_PER_DAY, format_us, to_us

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
EPOCH_DAY = dt.date(2000, 1, 1)


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

    def __post_init__(self) -> None:
        if not 1 <= self.locations <= 62:
            raise ValueError("--locations must be between 1 and 62")
        if self.orders_per_day < 1:
            raise ValueError("--orders-per-day must be at least 1")
        if not 0.0 <= self.offline_share <= 1.0:
            raise ValueError("--offline-share must be between 0 and 1")
        if self.day_cache_size < 1 or self.late_cache_size < 1:
            raise ValueError("cache sizes must be at least 1")


def rng_for(*parts: object) -> random.Random:
    """A generator that depends only on ``parts`` (string seeds are hashed with SHA-512: stable across runs)."""
    return random.Random(":".join(str(part) for part in parts))


def random_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(_ALPHABET, k=length))


def _catalog_id(rng: random.Random) -> str:
    return random_id(rng, 24).upper()


def encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        chars.append(_ALPHABET[digit])
    if number:
        raise ValueError("number too large to encode")
    return "".join(reversed(chars))


def decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + _ALPHABET.index(char)
    return number


def entity_id(rng: random.Random, location_index: int, day: dt.date, length: int = 27) -> str:
    """A Square-looking id whose last four characters name its location-day (so it can be found again)."""
    return random_id(rng, length - 4) + _ALPHABET[location_index] + encode((day - EPOCH_DAY).days, 3)


def id_origin(entity: str) -> tuple[int, dt.date] | None:
    try:
        return _ALPHABET.index(entity[-4]), EPOCH_DAY + dt.timedelta(days=decode(entity[-3:]))
    except (ValueError, IndexError):
        return None


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


@dataclasses.dataclass(frozen=True)
class CatalogVariation:
    id: str
    item_id: str
    item_name: str
    name: str
    price: int
    category_id: str


@dataclasses.dataclass(frozen=True)
class CatalogDiscount:
    id: str
    name: str
    percentage: str


ITEMS = {
    "Apparel": [("T-Shirt", 1800), ("Hoodie", 4800), ("Cap", 2200), ("Socks", 900), ("Jacket", 8900)],
    "Home": [("Candle", 1600), ("Mug", 1400), ("Throw Pillow", 3200), ("Picture Frame", 2400)],
    "Books": [("Paperback", 1500), ("Hardcover", 2800), ("Notebook", 800), ("Planner", 2100)],
    "Snacks": [("Granola Bar", 250), ("Trail Mix", 650), ("Chocolate", 450), ("Sparkling Water", 300)],
    "Beauty": [("Lip Balm", 500), ("Hand Cream", 1200), ("Soap Bar", 700), ("Shampoo", 1500)],
    "Toys": [("Puzzle", 2500), ("Plush Bear", 1900), ("Card Game", 1300), ("Kite", 2700)],
}
SIZES = [("Small", 0.9), ("Regular", 1.0), ("Large", 1.25)]
DISCOUNTS = [("Member 10%", "10"), ("Staff 20%", "20"), ("Seasonal Promo 15%", "15")]
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
        self.catalog_objects: list[dict] = []
        self.variations: list[CatalogVariation] = []
        self.discounts: list[CatalogDiscount] = []
        self.taxes: dict[str, str] = {}  # location id -> tax catalog id
        self._build_catalog(rng)
        self.customers = self._build_customers()
        self.old_customer_ids = [c["id"] for c in self.customers if c["created_at"] < self._start_iso()]

    def _start_iso(self) -> str:
        return format_us(to_us(dt.datetime.combine(self.config.start_date, dt.time(), dt.UTC)))

    @property
    def main_location(self) -> Location:
        return self.locations[0]

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

    def _catalog_object(self, object_type: str, object_id: str, data_key: str, data: dict, **extra) -> dict:
        return {
            "type": object_type,
            "id": object_id,
            "updated_at": self.catalog_updated_at,
            "version": self.catalog_version,
            "is_deleted": False,
            "present_at_all_locations": True,
            **extra,
            data_key: data,
        }

    def _build_catalog(self, rng: random.Random) -> None:
        for location in self.locations:
            tax = self._tax(rng, location)
            self.taxes[location.id] = tax["id"]
            self.catalog_objects.append(tax)
        for name, percentage in DISCOUNTS:
            discount = self._catalog_object(
                "DISCOUNT",
                _catalog_id(rng),
                "discount_data",
                {
                    "name": name,
                    "discount_type": "FIXED_PERCENTAGE",
                    "percentage": percentage,
                    "pin_required": False,
                },
            )
            self.discounts.append(CatalogDiscount(discount["id"], name, percentage))
            self.catalog_objects.append(discount)
        for category_name, items in ITEMS.items():
            category = self._catalog_object(
                "CATEGORY",
                _catalog_id(rng),
                "category_data",
                {"name": category_name, "category_type": "REGULAR_CATEGORY"},
            )
            self.catalog_objects.append(category)
            for item_name, base_price in items:
                self.catalog_objects.append(self._item(rng, category, category_name, item_name, base_price))
        # Popular items sell more: a fixed weight per variation.
        self.variation_weights = [1.0 / (1 + (index % 7)) for index in range(len(self.variations))]

    def _tax(self, rng: random.Random, location: Location) -> dict:
        return self._catalog_object(
            "TAX",
            _catalog_id(rng),
            "tax_data",
            {
                "name": f"Sales Tax {location.body['address']['administrative_district_level_1']}",
                "calculation_phase": "TAX_SUBTOTAL_PHASE",
                "inclusion_type": "ADDITIVE",
                "percentage": location.tax_percentage,
                "applies_to_custom_amounts": True,
                "enabled": True,
            },
            present_at_all_locations=False,
            present_at_location_ids=[location.id],
        )

    def _item(
        self, rng: random.Random, category: dict, category_name: str, item_name: str, base_price: int
    ) -> dict:
        """An item with its variations (some come in three sizes); the variations join ``self.variations``."""
        item_id = _catalog_id(rng)
        variations = []
        sizes = SIZES if rng.random() < 0.4 else SIZES[1:2]
        for ordinal, (size, factor) in enumerate(sizes):
            price = round(base_price * factor / 50.0) * 50 - 1 if base_price >= 500 else base_price
            variation = self._catalog_object(
                "ITEM_VARIATION",
                _catalog_id(rng),
                "item_variation_data",
                {
                    "item_id": item_id,
                    "name": size,
                    "sku": f"{category_name[:3].upper()}-{rng.randrange(10000, 99999)}",
                    "ordinal": ordinal,
                    "pricing_type": "FIXED_PRICING",
                    "price_money": {"amount": price, "currency": "USD"},
                    "sellable": True,
                    "stockable": True,
                },
            )
            variations.append(variation)
            self.variations.append(
                CatalogVariation(variation["id"], item_id, item_name, size, price, category["id"])
            )
        item_data = {
            "name": item_name,
            "is_taxable": True,
            "tax_ids": list(self.taxes.values()),
            "variations": variations,
            "product_type": "REGULAR",
            "categories": [{"id": category["id"]}],
            "reporting_category": {"id": category["id"]},
        }
        return self._catalog_object("ITEM", item_id, "item_data", item_data)

    def catalog_listing(self, types: set[str] | None) -> list[dict]:
        """Objects in ListCatalog order; variations appear on their own only when asked for by type."""
        top_level = {"ITEM", "CATEGORY", "TAX", "DISCOUNT"}
        wanted = types or top_level
        objects = []
        for obj in self.catalog_objects:
            if obj["type"] in wanted:
                objects.append(obj)
            if obj["type"] == "ITEM" and "ITEM_VARIATION" in wanted:
                objects.extend(obj["item_data"]["variations"])
        return objects

    def _build_customers(self) -> list[dict]:
        rng = rng_for(self.config.seed, "customers")
        start = to_us(dt.datetime.combine(self.config.start_date, dt.time(), dt.UTC))
        customers = []
        for _ in range(self.config.customers_per_location * self.config.locations):
            created = start + rng.randrange(-730 * US_PER_DAY, 90 * US_PER_DAY) // 1000 * 1000
            updated = created + rng.choice([0, 0, rng.randrange(1, 60) * US_PER_DAY])
            given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            customers.append(
                {
                    "id": random_id(rng, 26).upper(),
                    "created_at": format_us(created),
                    "updated_at": format_us(updated),
                    "given_name": given,
                    "family_name": family,
                    "email_address": f"{given.lower()}.{family.lower()}{rng.randrange(1000)}@example.com",
                    "phone_number": f"+1-555-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                    "preferences": {"email_unsubscribed": rng.random() < 0.2},
                    "creation_source": rng.choice(["THIRD_PARTY", "DIRECTORY", "LOYALTY"]),
                    "version": 0 if updated == created else 1,
                }
            )
        customers.sort(key=lambda c: (c["created_at"], c["id"]))
        return customers
