"""Answering a ``ReportQuery`` from fact rows: which location-days to read, row filters, grouping, measure
filters, order and paging, and Cube's answer format (dimension values and time buckets as strings, measures as
numeric strings: money in dollars with cents, counts as integers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from square_sandbox.reporting.facts import ReportFacts
from square_sandbox.reporting.query import (
    Condition,
    Filter,
    ReportQuery,
    TimeSpec,
    date_range_of,
    query_error,
)
from square_sandbox.reporting.schema import Member
from square_sandbox.world import Location, World

MAX_DAYS = 400  # location-days a query may read per location
UTC = ZoneInfo("UTC")


def answer_rows(query: ReportQuery, facts: ReportFacts, world: World, asof: int) -> list[dict]:
    """The ``data`` of a load answer."""
    rows = [row for row in _fact_rows(query, facts, world, asof) if _keep(row, query)]
    groups = _group(rows, query)
    groups = [
        group for group in groups if all(_matches_group(found, group, query) for found in query.group_filters)
    ]
    groups.sort(key=lambda group: _sort_key(group, query))
    return [_format(group, query) for group in groups[query.offset : query.offset + query.limit]]


# -- which rows ----------------------------------------------------------------------------------------------


def _fact_rows(query: ReportQuery, facts: ReportFacts, world: World, asof: int) -> Iterator[dict]:
    for location in _locations(query, world):
        first, last = _days(query, location, world, asof)
        if (last - first).days >= MAX_DAYS:
            raise query_error(f"The query spans more than {MAX_DAYS} days: narrow its dateRange.")
        day = first
        while day <= last:
            yield from facts.rows(query.view.name, location, day, asof)
            day += dt.timedelta(days=1)


def _locations(query: ReportQuery, world: World) -> list[Location]:
    """Every location, or those a top-level ``location_id equals`` filter names (so fewer days are read)."""
    for found in query.row_filters:
        if isinstance(found, Condition) and found.member.name == "location_id" and found.operator == "equals":
            return [world.locations_by_id[value] for value in found.values if value in world.locations_by_id]
    return list(world.locations)


def _days(query: ReportQuery, location: Location, world: World, asof: int) -> tuple[dt.date, dt.date]:
    """The local business days of ``location`` the query's date ranges can reach (up to the data's time)."""
    first, last = world.config.start_date, location.local_date(asof)
    for spec in query.time_dimensions:
        if spec.date_range is None:
            continue
        low, high = spec.date_range
        if spec.member.name == "sale_timestamp":  # a UTC instant, read in the query's timezone
            low_us, high_us = (_instant(moment, query.timezone) for moment in (low, high))
            low, high = (dt.datetime.fromtimestamp(us / 1e6, location.zone) for us in (low_us, high_us))
        first, last = max(first, low.date()), min(last, high.date())
    return first, last


def _instant(moment: dt.datetime, zone: ZoneInfo) -> int:
    aware = moment.replace(tzinfo=zone)
    return int(aware.timestamp() * 1_000_000)


def _wall_clock(row: dict, member: Member, timezone: ZoneInfo) -> dt.datetime:
    """A time dimension's naive value: local time at the location, or the UTC instant in the query's timezone."""
    zone = row["_zone"] if member.name == "local_reporting_timestamp" else timezone
    return dt.datetime.fromtimestamp(row["created"] / 1e6, zone).replace(tzinfo=None)


def _keep(row: dict, query: ReportQuery) -> bool:
    if not all(segment.keep(row) for segment in query.segments):
        return False
    for spec in query.time_dimensions:
        if (
            spec.date_range
            and not spec.date_range[0] <= _wall_clock(row, spec.member, query.timezone) <= spec.date_range[1]
        ):
            return False
    return all(_matches_row(found, row, query) for found in query.row_filters)


def _matches_row(found: Filter, row: dict, query: ReportQuery) -> bool:
    if not isinstance(found, Condition):
        results = (_matches_row(part, row, query) for part in found.parts)
        return all(results) if found.combine == "and" else any(results)
    if found.member.kind == "time":
        return _time_matches(found, _wall_clock(row, found.member, query.timezone))
    return _text_matches(found, row.get(found.member.name))


def _text_matches(found: Condition, value: object) -> bool:
    operator, values = found.operator, found.values
    if operator in ("set", "notSet"):
        return (value is not None) == (operator == "set")
    text = "" if value is None else str(value)
    if operator == "equals":
        return value is not None and text in values
    if operator == "notEquals":
        return text not in values
    negated = operator.startswith("not")
    test = TEXT_TESTS[operator[3].lower() + operator[4:] if negated else operator]
    hit = value is not None and any(test(text, wanted) for wanted in values)
    return not hit if negated else hit


TEXT_TESTS = {
    "contains": lambda text, wanted: wanted.lower() in text.lower(),
    "startsWith": lambda text, wanted: text.startswith(wanted),
    "endsWith": lambda text, wanted: text.endswith(wanted),
}


def _time_matches(found: Condition, moment: dt.datetime) -> bool:
    operator = found.operator
    if operator in ("set", "notSet"):
        return operator == "set"
    if operator in ("inDateRange", "notInDateRange"):
        low, high = date_range_of(list(found.values), UTC, 0)
        inside = low <= moment <= high
        return inside if operator == "inDateRange" else not inside
    low, high = date_range_of([found.values[0], found.values[0]], UTC, 0)
    return {
        "beforeDate": moment < low,
        "beforeOrOnDate": moment <= high,
        "afterDate": moment > high,
        "afterOrOnDate": moment >= low,
    }[operator]


# -- grouping ------------------------------------------------------------------------------------------------


def _bucket(moment: dt.datetime, granularity: str) -> dt.datetime:
    if granularity == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = dt.datetime.combine(moment.date(), dt.time())
    if granularity == "day":
        return day
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _group_key(row: dict, query: ReportQuery) -> tuple:
    values = []
    for member in query.dimensions:
        values.append(
            _stamp(_wall_clock(row, member, query.timezone))
            if member.kind == "time"
            else row.get(member.name)
        )
    for spec in query.time_dimensions:
        if spec.granularity:
            values.append(_stamp(_bucket(_wall_clock(row, spec.member, query.timezone), spec.granularity)))
    return tuple(values)


def _group(rows: list[dict], query: ReportQuery) -> list[dict]:
    """One dict per group: its answer keys -> dimension values, and measure name -> summed cents."""
    keys = query.keys
    sums: dict[tuple, list[int]] = {}
    names = [member.name for member in query.measures]
    for row in rows:
        totals = sums.setdefault(_group_key(row, query), [0] * len(names))
        for index, name in enumerate(names):
            totals[index] += row[name]
    return [
        {**dict(zip(keys, key, strict=True)), **dict(zip(names, totals, strict=True))}
        for key, totals in sums.items()
    ]


def _matches_group(found: Filter, group: dict, query: ReportQuery) -> bool:
    if not isinstance(found, Condition):
        results = (_matches_group(part, group, query) for part in found.parts)
        return all(results) if found.combine == "and" else any(results)
    if found.member not in query.measures:
        raise query_error(
            f"Filter on measure {query.view.name}.{found.member.name} needs it among the query's measures."
        )
    value = _measure_value(found.member, group[found.member.name])
    if found.operator in ("set", "notSet"):
        return found.operator == "set"
    wanted = [Decimal(text) for text in found.values]
    return {
        "equals": value in wanted,
        "notEquals": value not in wanted,
        "gt": value > wanted[0],
        "gte": value >= wanted[0],
        "lt": value < wanted[0],
        "lte": value <= wanted[0],
    }[found.operator]


def _sort_key(group: dict, query: ReportQuery) -> tuple:
    """The query's order, then every grouping value (a stable order for paging)."""
    key = []
    for name, descending in query.order:
        value = group[name] if name in group else group[name.rsplit(".", 1)[-1]]
        key.append(_Ordered(value, descending))
    key += [_Ordered(group[name], False) for name in query.keys]
    return tuple(key)


class _Ordered:
    """A value in a sort key: None first, descending reversed."""

    __slots__ = ("descending", "value")

    def __init__(self, value: object, descending: bool) -> None:
        self.value, self.descending = value, descending

    def __lt__(self, other: _Ordered) -> bool:
        if self.value == other.value:
            return False
        less = self.value is None if self.value is None or other.value is None else self.value < other.value
        return not less if self.descending else less

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and self.value == other.value


# -- the answer ----------------------------------------------------------------------------------------------


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _measure_value(member: Member, cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2) if member.money else Decimal(cents)


def _format(group: dict, query: ReportQuery) -> dict:
    view = query.view.name
    row = {}
    for key in query.keys:
        row[key] = group[key]
        time_member = key.count(".") == 2  # View.member.granularity: Cube repeats it under the bare name
        if time_member:
            row[key.rsplit(".", 1)[0]] = group[key]
    for member in query.measures:
        row[f"{view}.{member.name}"] = str(_measure_value(member, group[member.name]))
    return row


def time_annotation(query: ReportQuery, spec: TimeSpec) -> tuple[str, ...]:
    """The answer keys a time dimension adds."""
    name = f"{query.view.name}.{spec.member.name}"
    return (f"{name}.{spec.granularity}", name) if spec.granularity else ()
