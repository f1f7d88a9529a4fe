"""The chain's catalog: taxes, discounts, categories, items with their variations, and modifier lists.

The world's generator draws the ids of taxes, the first discounts, categories, items and variations in a fixed
order (changing it changes every id); modifier lists and the later discounts draw from their own generator.
"""

from __future__ import annotations

import dataclasses
import random

from square_sandbox.ids import random_id, rng_for

CURRENCY = "USD"


def _catalog_id(rng: random.Random) -> str:
    return random_id(rng, 24).upper()


@dataclasses.dataclass(frozen=True)
class CatalogModifier:
    id: str
    list_id: str
    list_name: str
    name: str
    price: int


@dataclasses.dataclass(frozen=True)
class ModifierList:
    id: str
    name: str
    modifiers: tuple[CatalogModifier, ...]


@dataclasses.dataclass(frozen=True)
class CatalogVariation:
    id: str
    item_id: str
    item_name: str
    name: str
    price: int
    category_id: str
    modifier_lists: tuple[ModifierList, ...] = ()


@dataclasses.dataclass(frozen=True)
class CatalogDiscount:
    """A named discount; ``scope`` ORDER applies to a whole sale, LINE_ITEM to the lines it is given to."""

    id: str
    name: str
    discount_type: str  # FIXED_PERCENTAGE | FIXED_AMOUNT
    percentage: str | None
    amount: int | None
    scope: str


ITEMS = {
    "Apparel": [("T-Shirt", 1800), ("Hoodie", 4800), ("Cap", 2200), ("Socks", 900), ("Jacket", 8900)],
    "Home": [("Candle", 1600), ("Mug", 1400), ("Throw Pillow", 3200), ("Picture Frame", 2400)],
    "Books": [("Paperback", 1500), ("Hardcover", 2800), ("Notebook", 800), ("Planner", 2100)],
    "Snacks": [("Granola Bar", 250), ("Trail Mix", 650), ("Chocolate", 450), ("Sparkling Water", 300)],
    "Beauty": [("Lip Balm", 500), ("Hand Cream", 1200), ("Soap Bar", 700), ("Shampoo", 1500)],
    "Toys": [("Puzzle", 2500), ("Plush Bear", 1900), ("Card Game", 1300), ("Kite", 2700)],
}
SIZES = [("Small", 0.9), ("Regular", 1.0), ("Large", 1.25)]
# The first three are drawn by the world's generator (their ids predate the others).
PERCENT_DISCOUNTS = [("Member 10%", "10"), ("Staff 20%", "20"), ("Seasonal Promo 15%", "15")]
COUPON = ("$5 Off Coupon", 500)
CLEARANCE = ("Clearance 30%", "30")
# Modifier list name -> its modifiers (name, price), and the categories whose items offer it.
MODIFIER_LISTS = {
    "Gift Wrap": ([("Standard Wrap", 200), ("Premium Wrap", 500)], ("Apparel", "Home", "Books", "Toys", "Beauty")),
    "Personalization": ([("Monogram", 800), ("Engraving", 1200)], ("Apparel", "Home")),
    "Add-ons": ([("Batteries", 350), ("Gift Card Sleeve", 100)], ("Toys", "Books")),
}  # fmt: skip


def item_data_json(name: str, tax_ids: list[str], variations: list[dict], category_id: str) -> dict:
    """A CatalogItem's ``item_data``: taxable, in one category (also its reporting category)."""
    return {
        "name": name,
        "is_taxable": True,
        "tax_ids": tax_ids,
        "variations": variations,
        "product_type": "REGULAR",
        "categories": [{"id": category_id}],
        "reporting_category": {"id": category_id},
    }


class Catalog:
    """Every catalog object (JSON, in ListCatalog order) and the typed view a sale needs."""

    def __init__(
        self, rng: random.Random, seed: int, tax_names: dict[str, tuple[str, str]], stamp: dict
    ) -> None:
        self._stamp = stamp  # updated_at and version of every object
        self.objects: list[dict] = []
        self.variations: list[CatalogVariation] = []
        self.order_discounts: list[CatalogDiscount] = []
        self.line_discount: CatalogDiscount
        self.taxes: dict[str, str] = {}  # location id -> tax catalog id
        self.category_names: dict[str, str] = {}
        extras = rng_for(seed, "catalog-extras")
        for location_id, (name, percentage) in tax_names.items():
            tax = self._tax(rng, location_id, name, percentage)
            self.taxes[location_id] = tax["id"]
            self.objects.append(tax)
        for name, percentage in PERCENT_DISCOUNTS:
            self._discount(_catalog_id(rng), name, "FIXED_PERCENTAGE", percentage, None, "ORDER")
        self._discount(_catalog_id(extras), COUPON[0], "FIXED_AMOUNT", None, COUPON[1], "ORDER")
        self.line_discount = self._discount(
            _catalog_id(extras), CLEARANCE[0], "FIXED_PERCENTAGE", CLEARANCE[1], None, "LINE_ITEM"
        )
        modifier_lists = [
            self._modifier_list(extras, name, modifiers) for name, (modifiers, _) in MODIFIER_LISTS.items()
        ]
        for category_name, items in ITEMS.items():
            category = self._object(
                "CATEGORY",
                _catalog_id(rng),
                "category_data",
                {"name": category_name, "category_type": "REGULAR_CATEGORY"},
            )
            self.category_names[category["id"]] = category_name
            self.objects.append(category)
            offered = tuple(
                found for found, (_, categories) in zip(modifier_lists, MODIFIER_LISTS.values(), strict=True)
                if category_name in categories
            )  # fmt: skip
            for item_name, base_price in items:
                self.objects.append(
                    self._item(rng, category["id"], category_name, item_name, base_price, offered)
                )
        self.objects.extend(self._modifier_list_object(found) for found in modifier_lists)
        # Popular items sell more: a fixed weight per variation.
        self.variation_weights = [1.0 / (1 + (index % 7)) for index in range(len(self.variations))]
        self.variation_by_id = {variation.id: variation for variation in self.variations}
        self.modifier_by_id = {
            modifier.id: modifier for found in modifier_lists for modifier in found.modifiers
        }

    def _object(self, object_type: str, object_id: str, data_key: str, data: dict, **extra) -> dict:
        return {
            "type": object_type,
            "id": object_id,
            **self._stamp,
            "is_deleted": False,
            "present_at_all_locations": True,
            **extra,
            data_key: data,
        }

    def _tax(self, rng: random.Random, location_id: str, name: str, percentage: str) -> dict:
        data = {
            "name": name,
            "calculation_phase": "TAX_SUBTOTAL_PHASE",
            "inclusion_type": "ADDITIVE",
            "percentage": percentage,
            "applies_to_custom_amounts": True,
            "enabled": True,
        }
        return self._object(
            "TAX", _catalog_id(rng), "tax_data", data, present_at_all_locations=False,
            present_at_location_ids=[location_id],
        )  # fmt: skip

    def _discount(
        self,
        discount_id: str,
        name: str,
        discount_type: str,
        percentage: str | None,
        amount: int | None,
        scope: str,
    ) -> CatalogDiscount:
        data: dict = {"name": name, "discount_type": discount_type, "pin_required": False}
        if percentage is not None:
            data["percentage"] = percentage
        if amount is not None:
            data["amount_money"] = {"amount": amount, "currency": CURRENCY}
        self.objects.append(self._object("DISCOUNT", discount_id, "discount_data", data))
        discount = CatalogDiscount(discount_id, name, discount_type, percentage, amount, scope)
        if scope == "ORDER":
            self.order_discounts.append(discount)
        return discount

    def _modifier_list(self, rng: random.Random, name: str, modifiers: list[tuple[str, int]]) -> ModifierList:
        list_id = _catalog_id(rng)
        return ModifierList(
            list_id,
            name,
            tuple(
                CatalogModifier(_catalog_id(rng), list_id, name, mod_name, price)
                for mod_name, price in modifiers
            ),
        )

    def _modifier_list_object(self, modifier_list: ModifierList) -> dict:
        modifiers = [
            self._object(
                "MODIFIER",
                modifier.id,
                "modifier_data",
                {
                    "name": modifier.name,
                    "price_money": {"amount": modifier.price, "currency": CURRENCY},
                    "ordinal": ordinal,
                    "modifier_list_id": modifier_list.id,
                },
            )
            for ordinal, modifier in enumerate(modifier_list.modifiers)
        ]
        data = {"name": modifier_list.name, "selection_type": "SINGLE", "modifiers": modifiers}
        return self._object("MODIFIER_LIST", modifier_list.id, "modifier_list_data", data)

    def _item(
        self,
        rng: random.Random,
        category_id: str,
        category_name: str,
        item_name: str,
        base_price: int,
        modifier_lists: tuple[ModifierList, ...],
    ) -> dict:
        """An item with its variations (some come in three sizes); the variations join ``self.variations``."""
        item_id = _catalog_id(rng)
        variations = []
        sizes = SIZES if rng.random() < 0.4 else SIZES[1:2]
        for ordinal, (size, factor) in enumerate(sizes):
            price = round(base_price * factor / 50.0) * 50 - 1 if base_price >= 500 else base_price
            variation = self._object(
                "ITEM_VARIATION",
                _catalog_id(rng),
                "item_variation_data",
                {
                    "item_id": item_id,
                    "name": size,
                    "sku": f"{category_name[:3].upper()}-{rng.randrange(10000, 99999)}",
                    "ordinal": ordinal,
                    "pricing_type": "FIXED_PRICING",
                    "price_money": {"amount": price, "currency": CURRENCY},
                    "sellable": True,
                    "stockable": True,
                },
            )
            variations.append(variation)
            self.variations.append(
                CatalogVariation(
                    variation["id"], item_id, item_name, size, price, category_id, modifier_lists
                )
            )
        item_data = item_data_json(item_name, list(self.taxes.values()), variations, category_id)
        if modifier_lists:
            item_data["modifier_list_info"] = [
                {
                    "modifier_list_id": found.id,
                    "min_selected_modifiers": 0,
                    "max_selected_modifiers": 1,
                    "enabled": True,
                }
                for found in modifier_lists
            ]
        return self._object("ITEM", item_id, "item_data", item_data)

    def listing(self, types: set[str] | None) -> list[dict]:
        """Objects in ListCatalog order; variations and modifiers appear on their own only when asked for."""
        wanted = types or {"ITEM", "CATEGORY", "TAX", "DISCOUNT", "MODIFIER_LIST"}
        objects = []
        for obj in self.objects:
            if obj["type"] in wanted:
                objects.append(obj)
            if obj["type"] == "ITEM" and "ITEM_VARIATION" in wanted:
                objects.extend(obj["item_data"]["variations"])
            if obj["type"] == "MODIFIER_LIST" and "MODIFIER" in wanted:
                objects.extend(obj["modifier_list_data"]["modifiers"])
        return objects
