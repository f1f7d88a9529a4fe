"""The money endpoints beyond sales: payouts and their entries, disputes, gift cards and their activities,
loyalty accounts and events, invoices."""

from __future__ import annotations

import datetime as dt

from square_sandbox.cache import BoundedCache
from square_sandbox.clock import Clock
from square_sandbox.cursors import fingerprint
from square_sandbox.days import LATE_HORIZON_US, DayGenerator
from square_sandbox.disputes import Disputes
from square_sandbox.errors import bad_request, not_found
from square_sandbox.giftcard_book import GiftCardBook, gift_card_type
from square_sandbox.giftcards import MAX_AGE_DAYS
from square_sandbox.ids import id_origin
from square_sandbox.invoices import invoice_of_day
from square_sandbox.listing import (
    EMPTY,
    Listed,
    body_key,
    business_days,
    keyset_for,
    keyset_page,
    limit_param,
    locations_param,
    offset_page,
    query_key,
    resume_offset,
    string_list,
    time_window,
)
from square_sandbox.loyalty import Loyalty
from square_sandbox.params import QueryParams, is_ascending, json_object, location_param, single
from square_sandbox.payouts import Payouts, payout_origin
from square_sandbox.store import Store
from square_sandbox.timeutil import EARLIEST_US, US_PER_DAY
from square_sandbox.world import World

DISPUTE_STATES = {"INQUIRY_EVIDENCE_REQUIRED", "INQUIRY_PROCESSING", "INQUIRY_CLOSED", "EVIDENCE_REQUIRED",
                  "PROCESSING", "WON", "LOST", "ACCEPTED"}  # fmt: skip
ACTIVITY_TYPES = {"ACTIVATE", "LOAD", "REDEEM", "CLEAR_BALANCE", "DEACTIVATE", "ADJUST_INCREMENT", "ADJUST_DECREMENT",
                  "REFUND", "UNLINKED_ACTIVITY_REFUND", "IMPORT", "BLOCK", "UNBLOCK", "IMPORT_REVERSAL",
                  "TRANSFER_BALANCE_FROM", "TRANSFER_BALANCE_TO"}  # fmt: skip
LOYALTY_EVENT_TYPES = {"ACCUMULATE_POINTS", "CREATE_REWARD", "REDEEM_REWARD", "DELETE_REWARD", "ADJUST_POINTS",
                       "EXPIRE_POINTS", "OTHER", "ACCUMULATE_PROMOTION_POINTS"}  # fmt: skip
YEAR_US = 365 * US_PER_DAY


class MoneyEndpoints:
    def __init__(self, world: World, store: Store, clock: Clock, generator: DayGenerator) -> None:
        self.world = world
        self.clock = clock
        self.payouts = Payouts(world, store)
        self.disputes = Disputes(store)
        self.gift_cards = GiftCardBook(world, store, generator)
        self.loyalty = Loyalty(world, store)
        self._activity_lists = BoundedCache(8)  # (query, now) -> assembled activities: paging reuses them
        self.routes = {
            ("GET", "/v2/payouts"): self.list_payouts,
            ("GET", "/v2/payouts/{payout_id}/payout-entries"): self.list_payout_entries,
            ("GET", "/v2/disputes"): self.list_disputes,
            ("GET", "/v2/gift-cards"): self.list_gift_cards,
            ("GET", "/v2/gift-cards/activities"): self.list_gift_card_activities,
            ("POST", "/v2/loyalty/accounts/search"): self.search_loyalty_accounts,
            ("POST", "/v2/loyalty/events/search"): self.search_loyalty_events,
            ("POST", "/v2/invoices/search"): self.search_invoices,
        }

    # -- payouts -------------------------------------------------------------------------------------------

    def list_payouts(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        location_id = single(query, "location_id")
        location = (
            location_param(self.world, location_id, "location_id")
            if location_id
            else self.world.main_location
        )
        status = single(query, "status")
        if status not in (None, "SENT", "FAILED", "PAID"):
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown payout status {status!r}.", "status")
        ascending = is_ascending(single(query, "sort_order"), "sort_order", "DESC")
        limit = limit_param(single(query, "limit"), 100, 100, cap=True)
        keyset = keyset_for(query_key(query), single(query, "cursor"), stale_cursor, self.clock.now())
        now = keyset.now
        low, high = time_window(single(query, "begin_time"), single(query, "end_time"), ("begin_time", "end_time"),
                                now - YEAR_US, keyset.open_end)  # fmt: skip
        items = []
        for day in business_days(self.world, location, low - 2 * US_PER_DAY, high, now):
            payout = self.payouts.payout(location, day)
            if payout is None or not low <= payout.created <= min(high, now):
                continue
            if status is None or payout.status(now) == status:
                items.append(Listed(payout.created, payout.id, payout.body(now)))
        return keyset_page(items, "payouts", keyset, ascending, limit)

    def list_payout_entries(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        payout_id = single(query, "payout_id") or ""
        now = self.clock.now()
        origin = payout_origin(payout_id)
        payout = None
        if (
            origin is not None
            and origin[0] < len(self.world.locations)
            and origin[1] >= self.world.config.start_date
        ):
            location = self.world.locations[origin[0]]
            if origin[1] <= location.local_date(now):
                payout = self.payouts.payout(location, origin[1])
        if payout is None or payout.id != payout_id or payout.created > now:
            raise not_found(f"Payout `{payout_id}` not found.", "payout_id")
        ascending = is_ascending(single(query, "sort_order"), "sort_order", "DESC")
        limit = limit_param(single(query, "limit"), 100, 100, cap=True)
        keyset = keyset_for(query_key(query), single(query, "cursor"), stale_cursor, now)
        items = [Listed(entry.effective_at, entry.id, entry.body()) for entry in payout.entries]
        return keyset_page(items, "payout_entries", keyset, ascending, limit)

    # -- disputes ------------------------------------------------------------------------------------------

    def list_disputes(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        states = {state for text in query.get("states", []) for state in text.split(",") if state}
        unknown = states - DISPUTE_STATES
        if unknown:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown dispute state(s): {sorted(unknown)}.", "states")
        location_id = single(query, "location_id")
        locations = (
            [location_param(self.world, location_id, "location_id")] if location_id else self.world.locations
        )
        keyset = keyset_for(query_key(query), single(query, "cursor"), stale_cursor, self.clock.now())
        now = keyset.now
        items = [
            Listed(dispute.created, dispute.id, dispute.body(now))
            for location in locations
            for day in business_days(self.world, location, EARLIEST_US, now, now)
            for dispute in self.disputes.of_day(location, day)
            if dispute.created <= now and (not states or dispute.state(now)[1] in states)
        ]  # fmt: skip
        return keyset_page(items, "disputes", keyset, ascending=False, limit=100)

    # -- gift cards ----------------------------------------------------------------------------------------

    def list_gift_cards(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        limit = limit_param(single(query, "limit"), 30, 200)
        kind, state = single(query, "type"), single(query, "state")
        if kind not in (None, "PHYSICAL", "DIGITAL"):
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown gift card type {kind!r}.", "type")
        if state not in (None, "ACTIVE", "DEACTIVATED", "BLOCKED", "PENDING"):
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown gift card state {state!r}.", "state")
        if single(query, "customer_id") or state not in (None, "ACTIVE"):
            return EMPTY  # no card is linked to a customer; every card is active
        now = self.clock.now()
        cards = [
            (location, card)
            for location in self.world.locations
            for day in _due_days(self.world.config.start_date, location.local_date(now))
            for card in self.gift_cards.cards(location, day)
            if card.activated_at <= now
        ]
        cards.sort(key=lambda found: (found[1].activated_at, found[1].id))
        if kind:
            cards = [(location, card) for location, card in cards if gift_card_type(card) == kind]
        paging = resume_offset(query_key(query), single(query, "cursor"), stale_cursor)
        return offset_page(
            cards, "gift_cards", limit, paging, render=lambda found: self.gift_cards.card_body(*found, now)
        )

    def list_gift_card_activities(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        kind = single(query, "type")
        if kind is not None and kind not in ACTIVITY_TYPES:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown gift card activity type {kind!r}.", "type")
        ascending = is_ascending(single(query, "sort_order"), "sort_order", "DESC")
        limit = limit_param(single(query, "limit"), 50, 100)
        keyset = keyset_for(query_key(query), single(query, "cursor"), stale_cursor, self.clock.now())
        low, high = time_window(single(query, "begin_time"), single(query, "end_time"), ("begin_time", "end_time"),
                                keyset.now - YEAR_US, keyset.open_end)  # fmt: skip
        cache_key = (fingerprint([query_key(query), low, high]), keyset.now)
        items = self._activity_lists.get(cache_key)
        if items is None:
            items = self._activities(query, kind, low, min(high, keyset.now), keyset.now)
            self._activity_lists.put(cache_key, items)
        return keyset_page(items, "gift_card_activities", keyset, ascending, limit)

    def _activities(
        self, query: QueryParams, kind: str | None, low: int, high: int, now: int
    ) -> list[Listed]:
        card_id, location_id = single(query, "gift_card_id"), single(query, "location_id")
        if card_id:
            found = self.gift_cards.card(card_id)
            if found is None:
                raise not_found(f"Gift card `{card_id}` not found.", "gift_card_id")
            books = [(found[0], found[1].due_day)]
        else:
            locations = (
                [location_param(self.world, location_id, "location_id")]
                if location_id
                else self.world.locations
            )
            books = [
                (location, day)
                for location in locations
                for day in _due_days(
                    location.local_date(max(low, 0) - LATE_HORIZON_US), location.local_date(high)
                )
                if day >= self.world.config.start_date
            ]
        return [
            Listed(activity.at, activity.id, activity.body())
            for location, day in books
            for activity in self.gift_cards.activities(location, day, now)
            if low <= activity.at <= high and (not card_id or activity.card.id == card_id)
            and (kind is None or activity.activity_type == kind)
            and (not location_id or activity.location_id == location_id)
        ]  # fmt: skip

    # -- loyalty -------------------------------------------------------------------------------------------

    def search_loyalty_accounts(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        search = request.get("query") or {}
        limit = limit_param(request.get("limit"), 30, 200)
        customers = string_list(search, "customer_ids")
        phones = {
            mapping.get("phone_number")
            for mapping in search.get("mappings") or []
            if isinstance(mapping, dict)
        }
        now = self.clock.now()
        points: dict[str, list[int]] = {}  # account id -> [balance, lifetime, last event]
        for event in self.loyalty.all_events(now):
            totals = points.setdefault(event.account_id, [0, 0, 0])
            totals[0] += event.points
            totals[1] += max(event.points, 0)
            totals[2] = max(totals[2], event.at)
        accounts = sorted(self.loyalty.accounts.values(), key=lambda account: (account.enrolled, account.id))
        bodies = []
        for account in accounts:
            if account.enrolled > now or (customers is not None and account.customer["id"] not in customers):
                continue
            balance, lifetime, updated = points.get(account.id, [0, 0, 0])
            found = account.body(self.loyalty.program_id, balance, lifetime, updated)
            if not phones or found["mapping"]["phone_number"] in phones:
                bodies.append(found)
        paging = resume_offset(body_key(request), request.get("cursor"), stale_cursor)
        return offset_page(bodies, "loyalty_accounts", limit, paging)

    def search_loyalty_events(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        filters = (request.get("query") or {}).get("filter") or {}
        limit = limit_param(request.get("limit"), 30, 30)
        keyset = keyset_for(body_key(request), request.get("cursor"), stale_cursor, self.clock.now())
        now = keyset.now
        created = ((filters.get("date_time_filter") or {}).get("created_at")) or {}
        low, high = time_window(created.get("start_at"), created.get("end_at"),
                                ("query.filter.date_time_filter.created_at.start_at", "query.filter.date_time_filter.created_at.end_at"),
                                EARLIEST_US, keyset.open_end)  # fmt: skip
        account_id = (filters.get("loyalty_account_filter") or {}).get("loyalty_account_id")
        types = set(string_list(filters.get("type_filter") or {}, "types") or ())
        if types - LOYALTY_EVENT_TYPES:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown event type(s): {sorted(types - LOYALTY_EVENT_TYPES)}.",
                              "query.filter.type_filter.types")  # fmt: skip
        order_id = (filters.get("order_filter") or {}).get("order_id")
        location_ids = (filters.get("location_filter") or {}).get("location_ids")
        items = []
        for location in locations_param(
            self.world, location_ids, "query.filter.location_filter.location_ids"
        ):
            for day in self._loyalty_days(location, order_id, low, high, now):
                for event in self.loyalty.events(location, day):
                    if not low <= event.at <= min(high, now) or (
                        account_id and event.account_id != account_id
                    ):
                        continue
                    if (types and event.event_type not in types) or (order_id and event.order_id != order_id):
                        continue
                    items.append(Listed(event.at, event.id, event.body(self.loyalty.program_id)))
        return keyset_page(items, "events", keyset, ascending=False, limit=limit)

    def _loyalty_days(self, location, order_id: str | None, low: int, high: int, now: int) -> list[dt.date]:
        """The days whose orders may have events in [low, high] (an order id names its own day)."""
        if order_id:
            origin = id_origin(order_id)
            return [origin[1]] if origin and origin[0] == location.index else []
        return list(business_days(self.world, location, low - LATE_HORIZON_US, high, now))

    # -- invoices ------------------------------------------------------------------------------------------

    def search_invoices(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        search = request.get("query")
        if not isinstance(search, dict) or not isinstance(search.get("filter"), dict):
            raise bad_request("MISSING_REQUIRED_PARAMETER", "`query.filter` is required.", "query.filter")
        location_ids = string_list(search["filter"], "location_ids")
        if not location_ids:
            raise bad_request("MISSING_REQUIRED_PARAMETER", "`query.filter.location_ids` is required.",
                              "query.filter.location_ids")  # fmt: skip
        if len(location_ids) > 1:
            raise bad_request(
                "ARRAY_LENGTH_TOO_LONG", "Only one location can be searched.", "query.filter.location_ids"
            )
        location = location_param(self.world, location_ids[0], "query.filter.location_ids")
        customers = string_list(search["filter"], "customer_ids")
        sort = search.get("sort") or {}
        if sort.get("field", "INVOICE_SORT_DATE") != "INVOICE_SORT_DATE":
            raise bad_request(
                "INVALID_ENUM_VALUE", f"Unknown sort field {sort.get('field')!r}.", "query.sort.field"
            )
        ascending = is_ascending(sort.get("order"), "query.sort.order", "DESC")
        limit = limit_param(request.get("limit"), 100, 200)
        keyset = keyset_for(body_key(request), request.get("cursor"), stale_cursor, self.clock.now())
        now = keyset.now
        items = [
            Listed(invoice.created, invoice.id, invoice.body(now))
            for day in business_days(self.world, location, EARLIEST_US, now, now)
            if (invoice := invoice_of_day(self.world, location, day)) is not None
            and invoice.created <= now and (customers is None or invoice.customer_id in customers)
        ]  # fmt: skip
        return keyset_page(items, "invoices", keyset, ascending, limit)


def _due_days(first: dt.date, today: dt.date) -> list[dt.date]:
    """The days whose gift cards may have been activated by ``today`` (cards are bought up to MAX_AGE_DAYS early)."""
    last = today + dt.timedelta(days=MAX_AGE_DAYS)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
