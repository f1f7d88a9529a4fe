"""The check and stale sensors' cursor: nothing lost, nothing handled twice, bounded in size."""

from __future__ import annotations

import json

from data_platform.alerts.cursor import OVERLAP_SECONDS, EventCursor

NOW = 1_800_000_000.0


def test_an_empty_cursor_reads_a_lookback_window_and_round_trips():
    cursor = EventCursor.parse(None)
    assert cursor == EventCursor()
    assert cursor.read_after(NOW, lookback_hours=24) == NOW - 24 * 3600 - OVERLAP_SECONDS
    assert EventCursor.parse(cursor.dump()) == cursor


def test_advancing_moves_past_the_newest_event_and_keeps_the_failing_state():
    cursor = EventCursor().advanced([("r1/1", NOW - 30), ("r1/2", NOW - 20)], {"k": "ERROR"}, now=NOW)
    assert cursor.after_timestamp == NOW - OVERLAP_SECONDS  # nothing newer was read: "now", less the overlap
    assert cursor.failing == {"k": "ERROR"}
    assert cursor.seen == {}  # both are older than the overlap: they will not be read again

    cursor = cursor.advanced([("r2/1", NOW + 1)], {}, now=NOW + 2)
    assert cursor.after_timestamp == NOW + 1
    assert cursor.read_after(NOW + 60, lookback_hours=24) == NOW + 1 - OVERLAP_SECONDS
    assert not cursor.is_new("r2/1") and cursor.is_new("r2/2")
    assert cursor.failing == {}


def test_an_empty_tick_keeps_the_position_and_forgets_old_identities():
    cursor = EventCursor(after_timestamp=NOW, seen={"r1/1": NOW, "r0/9": NOW - 3 * OVERLAP_SECONDS})
    advanced = cursor.advanced([], cursor.failing, now=NOW + 600)
    assert advanced.after_timestamp == NOW
    assert advanced.seen == {"r1/1": NOW}


def test_the_dump_is_plain_json():
    cursor = EventCursor(NOW, {"r1/1": NOW}, {"k": "WARN"})
    assert json.loads(cursor.dump()) == {
        "after_timestamp": NOW,
        "seen": {"r1/1": NOW},
        "failing": {"k": "WARN"},
    }
    assert EventCursor.parse(cursor.dump()) == cursor
