"""Reading a Cube query (``POST /reporting/v1/load``) into a validated ``ReportQuery``; 400 for what is wrong.

Supported: ``measures``, ``dimensions``, ``segments``, ``timeDimensions`` (``dateRange`` as dates, timestamps or a
relative phrase; ``granularity`` hour | day | week | month | quarter | year), ``filters`` (conditions and
``and`` / ``or`` groups), ``order``, ``limit`` (default 10,000, at most 50,000), ``offset`` and ``timezone``.
All members of a query must belong to one view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from square_sandbox.errors import SquareError
from square_sandbox.reporting.schema import VIEWS, Member, SegmentDef, View

GRANULARITIES = ("hour", "day", "week", "month", "quarter", "year")
DEFAULT_LIMIT, MAX_LIMIT = 10_000, 50_000
DIMENSION_OPERATORS = {"equals", "notEquals", "contains", "notContains", "startsWith", "notStartsWith",
                       "endsWith", "notEndsWith", "set", "notSet"}  # fmt: skip
MEASURE_OPERATORS = {"equals", "notEquals", "gt", "gte", "lt", "lte", "set", "notSet"}
TIME_OPERATORS = {"inDateRange", "notInDateRange", "beforeDate", "beforeOrOnDate", "afterDate", "afterOrOnDate",
                  "set", "notSet"}  # fmt: skip
END_OF_DAY = dt.time(23, 59, 59, 999000)


def query_error(detail: str) -> SquareError:
    return SquareError(400, "INVALID_REQUEST_ERROR", "BAD_REQUEST", detail)


@dataclasses.dataclass(frozen=True)
class TimeSpec:
    member: Member
    granularity: str | None
    date_range: tuple[dt.datetime, dt.datetime] | None  # naive wall-clock times, both ends included


@dataclasses.dataclass(frozen=True)
class Condition:
    member: Member
    operator: str
    values: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Group:
    combine: str  # and | or
    parts: tuple[Condition | Group, ...]


Filter = Condition | Group


@dataclasses.dataclass(frozen=True)
class ReportQuery:
    view: View
    measures: tuple[Member, ...]
    dimensions: tuple[Member, ...]
    time_dimensions: tuple[TimeSpec, ...]
    segments: tuple[SegmentDef, ...]
    row_filters: tuple[Filter, ...]  # on dimensions: before grouping
    group_filters: tuple[Filter, ...]  # on measures: after grouping
    order: tuple[tuple[str, bool], ...]  # (answer key, descending)
    limit: int
    offset: int
    timezone: ZoneInfo
    echo: dict  # the normalized query, as the answer repeats it

    @property
    def keys(self) -> list[str]:
        """The answer's keys of the grouping dimensions, in order."""
        return [f"{self.view.name}.{m.name}" for m in self.dimensions] + [
            f"{self.view.name}.{spec.member.name}.{spec.granularity}"
            for spec in self.time_dimensions
            if spec.granularity
        ]


class _Reader:
    """Resolves member names; every member must belong to the same view."""

    def __init__(self) -> None:
        self.view: View | None = None

    def member(self, name: object, kinds: tuple[str, ...], what: str) -> Member:
        view_name, _, short = name.partition(".") if isinstance(name, str) else ("", "", "")
        view = VIEWS.get(view_name)
        member = view.member(short) if view else None
        if member is None or member.kind not in kinds:
            raise query_error(f"Unknown {what}: {name!r}. GET /v1/meta lists the members of each view.")
        return self._same_view(view, member)

    def segment(self, name: object) -> SegmentDef:
        view_name, _, short = name.partition(".") if isinstance(name, str) else ("", "", "")
        view = VIEWS.get(view_name)
        segment = view.segment(short) if view else None
        if segment is None:
            raise query_error(f"Unknown segment: {name!r}. GET /v1/meta lists the segments of each view.")
        return self._same_view(view, segment)

    def _same_view(self, view: View, found):
        if self.view is not None and view is not self.view:
            raise query_error(f"Members of one view only: {self.view.name} and {view.name} cannot be joined.")
        self.view = view
        return found


def parse_query(query: object, now: int) -> ReportQuery:
    if not isinstance(query, dict):
        raise query_error("`query` must be an object.")
    unknown = set(query) - {"measures", "dimensions", "segments", "timeDimensions", "filters", "order", "limit",
                            "offset", "timezone", "ungrouped", "renewQuery", "total"}  # fmt: skip
    if unknown:
        raise query_error(f"Unsupported query field(s): {sorted(unknown)}.")
    if query.get("ungrouped"):
        raise query_error("Ungrouped queries are not supported: group by dimensions instead.")
    reader = _Reader()
    timezone = _timezone(query.get("timezone", "UTC"))
    measures = tuple(reader.member(name, ("measure",), "measure") for name in _names(query, "measures"))
    dimensions = tuple(
        reader.member(name, ("dimension", "time"), "dimension") for name in _names(query, "dimensions")
    )
    segments = tuple(reader.segment(name) for name in _names(query, "segments"))
    times = tuple(_time_spec(reader, spec, timezone, now) for spec in _list(query, "timeDimensions"))
    if not measures and not dimensions and not any(spec.granularity for spec in times):
        raise query_error("A query needs at least one measure or dimension.")
    filters = [_filter(reader, entry, timezone, now) for entry in _list(query, "filters")]
    view = reader.view
    if view is None:
        raise query_error("A query needs at least one measure or dimension.")
    row_filters = tuple(found for found in filters if _stage(found) == "row")
    group_filters = tuple(found for found in filters if _stage(found) == "group")
    limit = _int(query.get("limit", DEFAULT_LIMIT), "limit", 1, MAX_LIMIT)
    offset = _int(query.get("offset", 0), "offset", 0, 10**9)
    partial = ReportQuery(view, measures, dimensions, times, segments, row_filters, group_filters, (), limit, offset,
                          timezone, {})  # fmt: skip
    order = _order(query.get("order"), partial)
    echo = _echo(query, partial, order)
    return dataclasses.replace(partial, order=order, echo=echo)


def _list(query: dict, key: str) -> list:
    value = query.get(key, [])
    if not isinstance(value, list):
        raise query_error(f"`{key}` must be an array.")
    return value


def _names(query: dict, key: str) -> list[str]:
    names = _list(query, key)
    if len(set(map(str, names))) != len(names):
        raise query_error(f"`{key}` lists a member twice.")
    return names


def _int(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise query_error(f"`{field}` must be an integer between {low} and {high}, got {value!r}.")
    return value


def _timezone(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise query_error(f"Unknown timezone {name!r}: use an IANA name such as America/New_York.") from None


def _time_spec(reader: _Reader, spec: object, timezone: ZoneInfo, now: int) -> TimeSpec:
    if not isinstance(spec, dict) or "dimension" not in spec:
        raise query_error("Each timeDimensions entry needs a `dimension`.")
    member = reader.member(spec["dimension"], ("time",), "time dimension")
    granularity = spec.get("granularity")
    if granularity is not None and granularity not in GRANULARITIES:
        raise query_error(f"Unknown granularity {granularity!r}: use one of {', '.join(GRANULARITIES)}.")
    date_range = date_range_of(spec["dateRange"], timezone, now) if "dateRange" in spec else None
    return TimeSpec(member, granularity, date_range)


def date_range_of(value: object, timezone: ZoneInfo, now: int) -> tuple[dt.datetime, dt.datetime]:
    """A ``dateRange`` as naive [start, end] wall-clock times (a date covers its whole day)."""
    if isinstance(value, str):
        return _relative_range(value, timezone, now)
    if not isinstance(value, list) or len(value) != 2:
        raise query_error(
            f"`dateRange` must be two dates or timestamps, or a phrase like 'last 7 days': {value!r}."
        )
    start, end = (_moment(text, end_of_day) for text, end_of_day in zip(value, (False, True), strict=True))
    if start > end:
        raise query_error(f"`dateRange` starts after it ends: {value!r}.")
    return start, end


def _moment(text: object, end_of_day: bool) -> dt.datetime:
    try:
        if isinstance(text, str) and len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, END_OF_DAY if end_of_day else dt.time())
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise query_error(f"Not a date or timestamp in `dateRange`: {text!r}.") from None
    return moment.replace(tzinfo=None)


def _relative_range(phrase: str, timezone: ZoneInfo, now: int) -> tuple[dt.datetime, dt.datetime]:
    today = dt.datetime.fromtimestamp(now / 1e6, timezone).date()
    text = phrase.strip().lower()
    days = re.fullmatch(r"last (\d+) days?", text)
    if text == "today":
        first, last = today, today
    elif text == "yesterday":
        first = last = today - dt.timedelta(days=1)
    elif days:
        first, last = today - dt.timedelta(days=int(days.group(1))), today - dt.timedelta(days=1)
    elif text in ("this week", "last week"):
        monday = (
            today - dt.timedelta(days=today.weekday()) - dt.timedelta(days=7 if text == "last week" else 0)
        )
        first, last = monday, monday + dt.timedelta(days=6)
    elif text in ("this month", "last month"):
        first = today.replace(day=1)
        if text == "last month":
            first = (first - dt.timedelta(days=1)).replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    else:
        raise query_error(f"Unsupported relative dateRange {phrase!r}: use two dates, or today, yesterday, "
                          "last N days, this/last week, this/last month.")  # fmt: skip
    return dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, END_OF_DAY)


def _filter(reader: _Reader, entry: object, timezone: ZoneInfo, now: int) -> Filter:
    if isinstance(entry, dict) and ("and" in entry or "or" in entry):
        combine = "and" if "and" in entry else "or"
        parts = entry[combine]
        if not isinstance(parts, list) or not parts:
            raise query_error(f"An `{combine}` filter needs a non-empty array.")
        group = Group(combine, tuple(_filter(reader, part, timezone, now) for part in parts))
        _stage(group)  # refuses a group that mixes measures and dimensions
        return group
    if not isinstance(entry, dict) or "member" not in entry or "operator" not in entry:
        raise query_error("A filter needs `member` and `operator` (or an `and` / `or` array).")
    member = reader.member(entry["member"], ("measure", "dimension", "time"), "filter member")
    operators = {"measure": MEASURE_OPERATORS, "dimension": DIMENSION_OPERATORS, "time": TIME_OPERATORS}[
        member.kind
    ]
    operator = entry["operator"]
    if operator not in operators:
        raise query_error(
            f"Operator {operator!r} does not apply to {entry['member']}: use one of {sorted(operators)}."
        )
    values = entry.get("values", [])
    if not isinstance(values, list) or not all(isinstance(v, str | int | float) for v in values):
        raise query_error("Filter `values` must be an array of strings.")
    if operator not in ("set", "notSet") and not values:
        raise query_error(f"Operator {operator!r} needs `values`.")
    return Condition(member, operator, tuple(str(v) for v in values))


def _stage(found: Filter) -> str:
    """row (dimensions and time dimensions) or group (measures); a group cannot mix the two."""
    if isinstance(found, Condition):
        return "group" if found.member.kind == "measure" else "row"
    stages = {_stage(part) for part in found.parts}
    if len(stages) > 1:
        raise query_error("An `and` / `or` filter cannot mix measures and dimensions.")
    return stages.pop()


def _order(value: object, query: ReportQuery) -> tuple[tuple[str, bool], ...]:
    """Explicit ``order`` ([[member, asc|desc], ...] or {member: asc|desc}), else Cube's default: the first
    time granularity ascending, else the first measure descending, else the first dimension ascending."""
    view = query.view.name
    allowed = set(query.keys) | {f"{view}.{m.name}" for m in query.measures}
    if value is None or value == [] or value == {}:
        if any(spec.granularity for spec in query.time_dimensions):
            first = next(spec for spec in query.time_dimensions if spec.granularity)
            return ((f"{view}.{first.member.name}.{first.granularity}", False),)
        if query.measures:
            return ((f"{view}.{query.measures[0].name}", True),)
        return ((query.keys[0], False),) if query.keys else ()
    pairs = list(value.items()) if isinstance(value, dict) else value
    order = []
    for pair in pairs if isinstance(pairs, list) else [None]:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or pair[1] not in ("asc", "desc"):
            raise query_error("`order` must be [[member, 'asc' | 'desc'], ...] or {member: 'asc' | 'desc'}.")
        if pair[0] not in allowed:
            raise query_error(f"Cannot order by {pair[0]!r}: it is not a measure or dimension of the query.")
        order.append((pair[0], pair[1] == "desc"))
    return tuple(order)


def _echo(query: dict, parsed: ReportQuery, order: tuple[tuple[str, bool], ...]) -> dict:
    view = parsed.view.name
    echo: dict = {
        "measures": [f"{view}.{m.name}" for m in parsed.measures],
        "dimensions": [f"{view}.{m.name}" for m in parsed.dimensions],
        "segments": [f"{view}.{s.name}" for s in parsed.segments],
        "timeDimensions": [],
        "filters": query.get("filters", []),
        "order": [[key, "desc" if descending else "asc"] for key, descending in order],
        "limit": parsed.limit,
        "timezone": parsed.timezone.key,
    }
    for spec in parsed.time_dimensions:
        entry: dict = {"dimension": f"{view}.{spec.member.name}"}
        if spec.granularity:
            entry["granularity"] = spec.granularity
        if spec.date_range:
            entry["dateRange"] = [moment.isoformat(timespec="milliseconds") for moment in spec.date_range]
        echo["timeDimensions"].append(entry)
    if parsed.offset:
        echo["offset"] = parsed.offset
    return echo
