"""OAuth scopes: which permission each endpoint needs, and which ones the sandbox's token was granted (all unless
``--scopes`` or the admin switch says otherwise). A missing one is Square's 403 ``INSUFFICIENT_SCOPES``."""

from __future__ import annotations

from square_sandbox.errors import SquareError

# Path prefix -> the scope Square asks for (per operation in Square's API reference).
REQUIRED = [
    ("/v2/locations", "MERCHANT_PROFILE_READ"),
    ("/v2/orders", "ORDERS_READ"),
    ("/v2/payments", "PAYMENTS_READ"),
    ("/v2/refunds", "PAYMENTS_READ"),
    ("/v2/catalog", "ITEMS_READ"),
    ("/v2/customers", "CUSTOMERS_READ"),
    ("/v2/inventory", "INVENTORY_READ"),
    ("/v2/team-members", "EMPLOYEES_READ"),
    ("/v2/labor", "TIMECARDS_READ"),
    ("/v2/cash-drawers", "CASH_DRAWER_READ"),
    ("/v2/payouts", "PAYOUTS_READ"),
    ("/v2/disputes", "DISPUTES_READ"),
    ("/v2/gift-cards", "GIFTCARDS_READ"),
    ("/v2/loyalty", "LOYALTY_READ"),
    ("/v2/invoices", "INVOICES_READ"),
    ("/reporting/", "REPORTING_READ"),
]
ALL_SCOPES = frozenset(scope for _, scope in REQUIRED)


def required_scope(path: str) -> str | None:
    return next((scope for prefix, scope in REQUIRED if path.startswith(prefix)), None)


class Grants:
    """The scopes the token holds."""

    def __init__(self, granted: frozenset[str] = ALL_SCOPES) -> None:
        self.default = granted
        self.granted = granted

    def configure(self, values: dict) -> frozenset[str]:
        """``{"granted": [...]}`` or ``{"denied": [...]}``; ``{}`` restores the start-up grants."""
        unknown_keys = set(values) - {"granted", "denied"}
        if unknown_keys or len(values) > 1:
            raise ValueError('send {"granted": [...]} or {"denied": [...]}')
        named = values.get("granted", values.get("denied", []))
        if not isinstance(named, list) or set(named) - ALL_SCOPES:
            raise ValueError(
                f"unknown scope(s): {sorted(set(named) - ALL_SCOPES)}; known: {sorted(ALL_SCOPES)}"
            )
        if "granted" in values:
            self.granted = frozenset(named)
        elif "denied" in values:
            self.granted = ALL_SCOPES - set(named)
        else:
            self.granted = self.default
        return self.granted

    def check(self, path: str) -> None:
        scope = required_scope(path)
        if scope is not None and scope not in self.granted:
            raise SquareError(
                403,
                "AUTHENTICATION_ERROR",
                "INSUFFICIENT_SCOPES",
                "The merchant has not given your application sufficient permissions to do this. "
                f"Missing scope: {scope}.",
            )


def parse_scopes(text: str) -> frozenset[str]:
    """``--scopes`` (comma separated) as a set; ValueError names unknown ones."""
    scopes = frozenset(part.strip().upper() for part in text.split(",") if part.strip())
    if scopes - ALL_SCOPES:
        raise ValueError(f"unknown scope(s): {sorted(scopes - ALL_SCOPES)}")
    return scopes
