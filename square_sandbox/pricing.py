"""Pricing a basket as Square does: modifiers add to the unit price, line-item discounts come off each line,
an order-level discount is shared across the lines, and tax is charged per line on what remains.

All amounts are integer cents; a fixed-amount order discount is shared in proportion to the lines' discounted
gross, the remainder going to the largest line, so the shares add up to the discount exactly.
"""

from __future__ import annotations

import dataclasses

from square_sandbox.catalog import CatalogDiscount, CatalogModifier, CatalogVariation


@dataclasses.dataclass(slots=True)
class LineChoice:
    """What the customer picked for one line."""

    variation: CatalogVariation
    quantity: int
    modifiers: list[CatalogModifier]
    discounted: bool  # the line-item discount applies

    @property
    def unit_price(self) -> int:
        return self.variation.price + sum(modifier.price for modifier in self.modifiers)


@dataclasses.dataclass(slots=True)
class LineAmounts:
    gross: int  # (base price + modifiers) x quantity
    line_discount: int  # the line-item discount's part
    order_discount: int  # this line's share of the order-level discount
    tax: int

    @property
    def discount(self) -> int:
        return self.line_discount + self.order_discount

    @property
    def total(self) -> int:
        return self.gross - self.discount + self.tax

    @staticmethod
    def sum(lines: list[LineAmounts]) -> LineAmounts:
        return LineAmounts(
            sum(line.gross for line in lines),
            sum(line.line_discount for line in lines),
            sum(line.order_discount for line in lines),
            sum(line.tax for line in lines),
        )


def percent_of(amount: int, percentage: str) -> int:
    return round(amount * float(percentage) / 100.0)


def price_lines(
    choices: list[LineChoice],
    line_discount: CatalogDiscount,
    order_discount: CatalogDiscount | None,
    tax_rate: float,
) -> list[LineAmounts]:
    gross = [choice.unit_price * choice.quantity for choice in choices]
    line_off = [
        percent_of(amount, line_discount.percentage or "0") if choice.discounted else 0
        for amount, choice in zip(gross, choices, strict=True)
    ]
    base = [amount - off for amount, off in zip(gross, line_off, strict=True)]
    order_off = _order_discount_shares(base, order_discount)
    return [
        LineAmounts(g, lo, oo, round((b - oo) * tax_rate))
        for g, lo, oo, b in zip(gross, line_off, order_off, base, strict=True)
    ]


def _order_discount_shares(base: list[int], discount: CatalogDiscount | None) -> list[int]:
    """Each line's share of the order-level discount, computed on the line after its own discount."""
    if discount is None:
        return [0] * len(base)
    if discount.percentage is not None:
        return [percent_of(amount, discount.percentage) for amount in base]
    subtotal = sum(base)
    amount = min(discount.amount or 0, subtotal)
    if subtotal == 0:
        return [0] * len(base)
    shares = [amount * line // subtotal for line in base]
    shares[base.index(max(base))] += amount - sum(shares)
    return shares
