"""Catalog and customers pulled incrementally: each run lands what changed since the lake's high-water mark (the
newest ``updated_at`` it holds since the last full listing, less an overlap), as a *changes* folder next to the
full listings; a full listing runs when there is none yet, when the last one is too old, or on demand.

Folders of both kinds share the ``snapshot_at=`` key (readers glob one level): a full listing is
``snapshot_at=<UTC time to the microsecond>``, a changes pull the same with ``-changes`` after it, so the names
sort in pull order. Staging (``stg_square__catalog_objects``, ``stg_square__customers``) keeps the newest copy of
each id since the newest full listing and flags deleted ones: catalog objects Square returns deleted, and ids a full
listing no longer holds (Square keeps no trace of a deleted customer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import RawEntity

CHANGES_SUFFIX = "-changes"
# Square's search indexes follow writes with a short delay: a change stamped just before the high-water mark may
# not have been searchable when the last pull read, so each pull starts this much earlier (the staging keeps one
# copy per id, so what the overlap reads twice costs nothing downstream).
CHANGE_OVERLAP = timedelta(minutes=10)
# Full listings kept; the changes pulled after the oldest of them are kept with them.
FULL_LISTINGS_KEPT = 3


def pull_path(entity: RawEntity, taken_at: datetime, changes: bool) -> str:
    stamp = taken_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{entity.folder}/snapshot_at={stamp}{CHANGES_SUFFIX if changes else ''}/part-000.parquet"


def _folder_time(folder: str) -> datetime:
    stamp = folder.split("=", 1)[1].removesuffix(CHANGES_SUFFIX)
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class LakeState:
    folders: list[str]  # snapshot_at=... names, oldest first
    newest_full: str | None
    high_water_mark: datetime | None  # the newest updated_at landed since the newest full listing

    @property
    def full_listings(self) -> list[str]:
        return [f for f in self.folders if not f.endswith(CHANGES_SUFFIX)]

    def full_listing_age(self, now: datetime) -> timedelta | None:
        return now - _folder_time(self.newest_full) if self.newest_full else None


def lake_state(lake: LakeResource, entity: RawEntity) -> LakeState:
    files = lake.find(entity.folder, suffix=".parquet")
    by_folder = {path.rsplit("/", 2)[-2]: path for path in files}
    folders = sorted(by_folder)
    fulls = [f for f in folders if not f.endswith(CHANGES_SUFFIX)]
    newest_full = fulls[-1] if fulls else None
    since_full = [lake.url(by_folder[f]) for f in folders if newest_full and f >= newest_full]
    high_water_mark = None
    if since_full:
        with duckdb.connect() as con:
            lake.register_with_duckdb(con)
            # Parquet statistics answer this without reading the column.
            (high_water_mark,) = con.execute(
                "SELECT max(updated_at) FROM read_parquet($files)", {"files": since_full}
            ).fetchone()
    if high_water_mark is not None and high_water_mark.tzinfo is None:
        high_water_mark = high_water_mark.replace(tzinfo=UTC)
    return LakeState(folders, newest_full, high_water_mark)


def changes_since(
    state: LakeState, now: datetime, full_pull: bool, full_pull_after: timedelta
) -> datetime | None:
    """Where a changes pull starts, or None when this run must list everything."""
    age = state.full_listing_age(now)
    if full_pull or age is None or age > full_pull_after or state.high_water_mark is None:
        return None
    return state.high_water_mark - CHANGE_OVERLAP


def prune(lake: LakeResource, entity: RawEntity) -> None:
    """Drops the folders older than the oldest full listing kept."""
    state = lake_state(lake, entity)
    fulls = state.full_listings
    if len(fulls) <= FULL_LISTINGS_KEPT:
        return
    oldest_kept = fulls[-FULL_LISTINGS_KEPT]
    for folder in state.folders:
        if folder < oldest_kept:
            lake.delete(f"{entity.folder}/{folder}", recursive=True)
