"""One location-day of business, generated from the seed alone: when sales happen, which go offline, and
where each resulting record is kept.

Records whose timestamps all fall inside the business day (plus a margin) go to the day's *main* segment;
the few that reach further (late uploads, refunds, return orders) go to its small *late* segment, so a query
about a later day only has to look at the late segments of earlier days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from square_sandbox.payments import PaidSale, take_payment
from square_sandbox.records import NEVER, Record, VersionTimes
from square_sandbox.refunds import refund, refund_time
from square_sandbox.sales import SaleSlot, order_json, ring_up, sale_facts, sale_order_record
from square_sandbox.timeutil import US_PER_DAY, US_PER_HOUR, US_PER_SECOND, to_us
from square_sandbox.world import Location, World, rng_for

# Offline uploads arrive up to 10 days late and refunds up to 14 days after the sale (and after the upload):
# nothing a day produces is dated more than LATE_HORIZON after the day starts.
LATE_HORIZON_US = 16 * US_PER_DAY
MAIN_MARGIN_US = US_PER_HOUR
KINDS = ("order", "payment", "refund")

# (weight, min hours, max hours): how late an offline register uploads once it is back online.
UPLOAD_DELAYS = [(0.40, 1, 6), (0.25, 6, 24), (0.20, 24, 72), (0.15, 72, 240)]


@dataclasses.dataclass
class DayData:
    location_id: str
    day: dt.date
    start: int
    end: int
    main: dict[str, list[Record]]  # kind -> records, sorted by (created, id)
    late: dict[str, list[Record]]
    _by_id: dict[str, list[Record]] | None = None

    def records_by_id(self) -> dict[str, list[Record]]:
        if self._by_id is None:
            index: dict[str, list[Record]] = {}
            for segment in (self.main, self.late):
                for records in segment.values():
                    for record in records:
                        index.setdefault(record.id, []).append(record)
            self._by_id = index
        return self._by_id


class DayGenerator:
    def __init__(self, world: World) -> None:
        self.world = world
        self.config = world.config

    def order_count(self, location: Location, day: dt.date) -> int:
        rng = rng_for(self.config.seed, "volume", location.index, day.isoformat())
        weekday_factor = (0.9, 0.85, 0.9, 0.95, 1.1, 1.3, 1.0)[day.weekday()]
        return max(1, round(self.config.orders_per_day * weekday_factor * rng.uniform(0.9, 1.1)))

    def generate(self, location: Location, day: dt.date) -> DayData:
        rng = rng_for(self.config.seed, "day", location.index, day.isoformat())
        times = _sale_times(rng, self.order_count(location, day), _business_midnight(location, day))
        registers = [rng.choice(location.registers) for _ in times]
        uploads = self._offline_uploads(rng, location, times, registers)
        records: list[Record] = []
        for index, created in enumerate(times):
            slot = SaleSlot(location, day, created, registers[index], uploads.get(index))
            records.extend(self._sale(rng, slot))
        start, end = location.day_bounds(day)
        main, late = _split_segments(records, end + MAIN_MARGIN_US)
        return DayData(location.id, day, start, end, main, late)

    def _sale(self, rng: random.Random, slot: SaleSlot) -> list[Record]:
        """Every version of everything one sale produces: the order, its payment, and a later refund, if any."""
        sale = ring_up(rng, self.world, slot)
        order = order_json(self.world, sale)
        if sale.checkout.canceled:
            times = VersionTimes(sale.updated, slot.visible_from)
            return [sale_order_record(sale, order, sale_facts(sale), times)]
        payment = take_payment(rng, sale)
        paid = PaidSale(sale, {**order, "tenders": [payment.tender]}, sale_facts(sale), payment)
        refund_at = refund_time(rng, self.config.refund_share, slot)
        if refund_at is None:
            return paid.first_versions(visible_until=NEVER)
        return paid.first_versions(visible_until=refund_at) + refund(rng, paid, refund_at)

    def _offline_uploads(
        self, rng: random.Random, location: Location, times: list[int], registers: list[str]
    ) -> dict[int, int]:
        """Sale index -> upload time: an outage takes a whole store offline for a stretch of the day, and
        each register uploads on its own when back."""
        outage = self._outage(rng, times)
        if not outage:
            return {}
        back_online = times[outage[-1]] + rng.randrange(5, 60) * 60 * US_PER_SECOND
        delay_hours = _upload_delay_hours(rng)
        earliest = max(back_online, times[outage[0]] + US_PER_HOUR)
        upload_by_register = {}
        for register in location.registers:
            jitter = rng.randrange(0, 40) * 60 * US_PER_SECOND
            upload_by_register[register] = (earliest + int(delay_hours * US_PER_HOUR) + jitter) // 1000 * 1000
        return {index: upload_by_register[registers[index]] for index in outage}

    def _outage(self, rng: random.Random, times: list[int]) -> range:
        """The sales taken offline: a few location-days lose a stretch each, offline_share of all sales."""
        share = self.config.offline_share
        if share <= 0 or not times:
            return range(0)
        chance = min(1.0, share * 8)
        if rng.random() >= chance:
            return range(0)
        span = max(1, round(len(times) * share / chance))
        first = rng.randrange(0, max(1, len(times) - span + 1))
        return range(first, min(len(times), first + span))


def _business_midnight(location: Location, day: dt.date) -> int:
    """Local midnight by the noon offset: business hours never cross a DST switch (at 2:00)."""
    offset = location.zone.utcoffset(dt.datetime.combine(day, dt.time(12)))
    return to_us(dt.datetime.combine(day, dt.time(), dt.UTC)) - int(offset.total_seconds()) * US_PER_SECOND


def _sale_times(rng: random.Random, count: int, midnight: int) -> list[int]:
    """Register times through the business day (8:00-21:00 local), busiest at lunch and after work."""
    times = []
    for _ in range(count):
        peak = rng.random()
        if peak < 0.35:
            hour = rng.gauss(12.5, 1.3)
        elif peak < 0.75:
            hour = rng.gauss(17.5, 1.6)
        else:
            hour = rng.uniform(8, 21)
        hour = min(max(hour, 8.0), 20.99)
        times.append(midnight + int(hour * US_PER_HOUR) // 1000 * 1000)
    times.sort()
    return times


def _upload_delay_hours(rng: random.Random) -> float:
    roll = rng.random()
    for weight, low, high in UPLOAD_DELAYS:
        if roll < weight:
            return rng.uniform(low, high)
        roll -= weight
    return 1.0


def _split_segments(records: list[Record], main_limit: int) -> tuple[dict, dict]:
    """(main, late): a record goes to main when it is final and all its timestamps fall before main_limit."""
    main: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    late: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        highest = max(record.created, record.updated, record.visible_from, record.closed or 0)
        (main if highest < main_limit and record.visible_until == NEVER else late)[record.kind].append(record)
    for segment in (main, late):
        for records_of_kind in segment.values():
            records_of_kind.sort(key=lambda r: (r.created, r.id))
    return main, late
