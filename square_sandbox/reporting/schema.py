"""What the sandbox's Reporting API offers: its views, their members (measures, dimensions, time dimensions) and
segments, as ``GET /reporting/v1/meta`` describes them.

Every view is a table of fact rows (``facts.py``): a member names a field of the row. A measure is the sum of
its field over the rows of a group; money is kept in cents and answered in dollars (``format: currency``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

CURRENCY = "USD"


@dataclasses.dataclass(frozen=True)
class Member:
    name: str  # short name: the fact row's field (time dimensions read the row's ``created``)
    title: str
    description: str
    kind: str  # measure | dimension | time
    money: bool = False

    @property
    def type(self) -> str:
        return {"measure": "number", "dimension": "string", "time": "time"}[self.kind]


@dataclasses.dataclass(frozen=True)
class SegmentDef:
    name: str
    title: str
    description: str
    keep: Callable[[dict], bool]


@dataclasses.dataclass(frozen=True)
class View:
    name: str
    title: str
    description: str
    grain: str  # what one fact row is
    members: tuple[Member, ...]
    segments: tuple[SegmentDef, ...]

    def member(self, short_name: str) -> Member | None:
        return next((m for m in self.members if m.name == short_name), None)

    def segment(self, short_name: str) -> SegmentDef | None:
        return next((s for s in self.segments if s.name == short_name), None)


def _measure(name: str, title: str, description: str, money: bool = True) -> Member:
    return Member(name, title, description, "measure", money)


def _dimension(name: str, title: str, description: str) -> Member:
    return Member(name, title, description, "dimension")


TIME_DIMENSIONS = (
    Member(
        "local_reporting_timestamp",
        "Local Reporting Timestamp",
        "When the order was created, in the location's time zone (its business day and hour).",
        "time",
    ),
    Member(
        "sale_timestamp",
        "Sale Timestamp",
        "When the order was created, in UTC (shifted to the query's timezone).",
        "time",
    ),
)
LOCATION_DIMENSIONS = (
    _dimension("location_id", "Location ID", "The Square location of the order."),
    _dimension("location_name", "Location Name", "The location's name."),
)
IN_STORE = (
    SegmentDef(
        "in_store",
        "In Store",
        "Orders rung up at a Square Point of Sale register.",
        lambda row: row["in_store"],
    ),
    SegmentDef("online", "Online", "Orders placed online.", lambda row: not row["in_store"]),
)

SALES = View(
    "Sales",
    "Sales",
    "Closed orders: sales and the return orders of refunds, on the day and hour of their own creation. "
    "Matches the Sales Summary, Payment Methods and Team Sales reports.",
    "one completed order (a sale or a return order)",
    (
        *LOCATION_DIMENSIONS,
        _dimension("order_type", "Order Type", "SALE, or RETURN for a return order."),
        _dimension(
            "tender_type",
            "Tender Type",
            "CARD, CASH, SQUARE_GIFT_CARD or OTHER (of the refunded payment for a return).",
        ),
        _dimension(
            "card_brand", "Card Brand", "The card brand of card and gift card payments (SQUARE_GIFT_CARD)."
        ),
        _dimension("team_member_id", "Team Member ID", "Who rang up the sale, or took the return."),
        _dimension("team_member_name", "Team Member Name", "The team member's given and family name."),
        _dimension("channel", "Channel", "The order's source name."),
        *TIME_DIMENSIONS,
        _measure("order_count", "Orders", "Sale orders (return orders count 0).", money=False),
        _measure(
            "gross_sales",
            "Gross Sales",
            "sum of gross_sales_money of the sale lines (price and modifiers x quantity).",
        ),
        _measure("returns", "Returns", "sum of gross_return_money of the returned lines."),
        _measure(
            "discounts", "Discounts", "Discounts on sale lines - discounts given back on returned lines."
        ),
        _measure("net_sales", "Net Sales", "gross_sales - returns - discounts."),
        _measure("tax", "Tax", "Tax on sale lines - tax on returned lines."),
        _measure("tips", "Tips", "total_tip_money of sales."),
        _measure("refunds", "Refunds", "amount_money of the refunds of return orders."),
        _measure(
            "total_collected", "Total Collected", "Payments of sales - refunds (= net_sales + tax + tips)."
        ),
        _measure("fees", "Fees", "Square's processing fees on the payments of sales."),
        _measure("net_total", "Net Total", "total_collected - fees."),
    ),
    (
        *IN_STORE,
        SegmentDef(
            "sales_only",
            "Sales Only",
            "Sale orders, no return orders.",
            lambda row: row["order_type"] == "SALE",
        ),
        SegmentDef(
            "offline_payments",
            "Offline Payments",
            "Orders paid while the register was offline.",
            lambda row: row["offline"],
        ),
    ),
)

ITEM_SALES = View(
    "ItemSales",
    "Item Sales",
    "Sold and returned lines of closed orders, by item variation and category. Matches the Item Sales and "
    "Category Sales reports.",
    "one line of a completed order (a sold line or a returned line)",
    (
        *LOCATION_DIMENSIONS,
        _dimension("item_id", "Item ID", "The catalog item."),
        _dimension("item_name", "Item Name", "The item's name."),
        _dimension(
            "item_variation_id", "Item Variation ID", "The catalog item variation sold (catalog_object_id)."
        ),
        _dimension("item_variation_name", "Item Variation Name", "The variation's name."),
        _dimension("category_id", "Category ID", "The item's reporting category."),
        _dimension("category_name", "Category Name", "The reporting category's name."),
        *TIME_DIMENSIONS,
        _measure("quantity_sold", "Units Sold", "sum of quantity of sold lines.", money=False),
        _measure("quantity_returned", "Units Returned", "sum of quantity of returned lines.", money=False),
        _measure("net_quantity", "Net Units", "quantity_sold - quantity_returned.", money=False),
        _measure("gross_sales", "Gross Sales", "sum of gross_sales_money of sold lines."),
        _measure("returns", "Returns", "sum of gross_return_money of returned lines."),
        _measure("discounts", "Discounts", "Discounts on sold lines - discounts on returned lines."),
        _measure("net_sales", "Net Sales", "gross_sales - returns - discounts."),
        _measure("tax", "Tax", "Tax on sold lines - tax on returned lines."),
    ),
    IN_STORE,
)

MODIFIER_SALES = View(
    "ModifierSales",
    "Modifier Sales",
    "Modifiers of sold and returned lines of closed orders. Matches the Modifier Sales report.",
    "one modifier of a line of a completed order",
    (
        *LOCATION_DIMENSIONS,
        _dimension("modifier_id", "Modifier ID", "The catalog modifier."),
        _dimension("modifier_name", "Modifier Name", "The modifier's name."),
        _dimension("modifier_list_id", "Modifier List ID", "The modifier's list."),
        _dimension("modifier_list_name", "Modifier List Name", "The modifier list's name."),
        *TIME_DIMENSIONS,
        _measure(
            "quantity_sold",
            "Quantity Sold",
            "sum of modifier quantity x line quantity of sold lines.",
            money=False,
        ),
        _measure("quantity_returned", "Quantity Returned", "The same for returned lines.", money=False),
        _measure("net_quantity", "Net Quantity", "quantity_sold - quantity_returned.", money=False),
        _measure("gross_sales", "Gross Sales", "sum of total_price_money of the modifiers of sold lines."),
        _measure("returns", "Returns", "sum of total_price_money of the modifiers of returned lines."),
        _measure("net_sales", "Net Sales", "gross_sales - returns."),
    ),
    IN_STORE,
)

DISCOUNTS = View(
    "Discounts",
    "Discounts",
    "Discounts applied to closed orders and given back with returns. Matches the Discounts report.",
    "one discount of a completed order (a sale's, or a return order's returned discount)",
    (
        *LOCATION_DIMENSIONS,
        _dimension("discount_id", "Discount ID", "The catalog discount."),
        _dimension("discount_name", "Discount Name", "The discount's name."),
        _dimension("discount_scope", "Discount Scope", "ORDER or LINE_ITEM."),
        *TIME_DIMENSIONS,
        _measure("applied_count", "Times Applied", "Sale orders the discount was applied to.", money=False),
        _measure("gross_amount", "Amount Applied", "sum of applied_money on sale orders."),
        _measure(
            "returned_amount", "Amount Returned", "sum of applied_money of return_discounts on return orders."
        ),
        _measure("amount", "Net Amount", "gross_amount - returned_amount."),
    ),
    IN_STORE,
)

VIEWS = {view.name: view for view in (SALES, ITEM_SALES, MODIFIER_SALES, DISCOUNTS)}


def metadata(freshness: dict) -> dict:
    """The ``/v1/meta`` answer; ``freshness`` goes into every view's ``meta``."""
    return {"cubes": [_view_json(view, freshness) for view in VIEWS.values()], "compilerId": "sandbox-1"}


def _view_json(view: View, freshness: dict) -> dict:
    return {
        "name": view.name,
        "title": view.title,
        "type": "view",
        "description": view.description,
        "meta": {"grain": view.grain, **freshness},
        "measures": [member_json(view, m) for m in view.members if m.kind == "measure"],
        "dimensions": [member_json(view, m) for m in view.members if m.kind != "measure"],
        "segments": [
            {
                "name": f"{view.name}.{segment.name}",
                "title": f"{view.title} {segment.title}",
                "shortTitle": segment.title,
                "description": segment.description,
            }
            for segment in view.segments
        ],
    }


def member_json(view: View, member: Member) -> dict:
    """A measure or dimension as meta (and a load answer's ``annotation``) describe it."""
    found = {
        "name": f"{view.name}.{member.name}",
        "title": f"{view.title} {member.title}",
        "shortTitle": member.title,
        "description": member.description,
        "type": member.type,
    }
    if member.kind == "measure":
        found["aggType"] = "sum"
        found["format"] = "currency" if member.money else "number"
        if member.money:
            found["currency"] = CURRENCY
    return found
