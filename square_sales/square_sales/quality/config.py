"""Thresholds of the data quality checks, from the environment (validated once when the code location loads)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from data_platform.environment import ConfigError, cron_setting, positive_float, positive_int

# Square accepts offline payments for up to 72 hours after they were taken.
OFFLINE_UPLOAD_LIMIT_MINUTES = 72 * 60


@dataclass(frozen=True)
class QualitySettings:
    freshness_max_age_hours: int  # the window's partitions must have been pulled at most this long ago
    freshness_schedule_cron: str
    volume_trailing_weeks: int  # same-weekday partitions the volume check averages over
    volume_min_ratio: (
        float  # a location-day below avg * min_ratio is anomalous (e.g. 0 sales: register offline)
    )
    volume_max_ratio: float  # ... or above avg * max_ratio
    late_arrival_minutes: int  # an offline payment uploaded this long after it was taken counts as late
    late_arrival_max_share: float  # per location and day


def load_quality_settings(environ: Mapping[str, str] | None = None) -> QualitySettings:
    """Raises ConfigError naming the first bad variable."""
    environ = os.environ if environ is None else environ
    cron = cron_setting(environ, "QUALITY_FRESHNESS_SCHEDULE_CRON", "20 * * * *")
    # The bounds keep every check able to fire: a ratio of 0 or 1000, a late-arrival threshold beyond Square's 72 h
    # offline limit or a maximum age of months would switch it off without saying so.
    settings = QualitySettings(
        freshness_max_age_hours=positive_int(environ, "QUALITY_FRESHNESS_MAX_AGE_HOURS", 3, maximum=720),
        freshness_schedule_cron=cron,
        volume_trailing_weeks=positive_int(
            environ, "QUALITY_VOLUME_TRAILING_WEEKS", 4, minimum=2, maximum=52
        ),
        volume_min_ratio=positive_float(environ, "QUALITY_VOLUME_MIN_RATIO", 0.3, minimum=0.01),
        volume_max_ratio=positive_float(environ, "QUALITY_VOLUME_MAX_RATIO", 3.0, maximum=100.0),
        late_arrival_minutes=positive_int(
            environ, "QUALITY_LATE_ARRIVAL_MINUTES", 60, maximum=OFFLINE_UPLOAD_LIMIT_MINUTES
        ),
        late_arrival_max_share=positive_float(environ, "QUALITY_LATE_ARRIVAL_MAX_SHARE", 0.05),
    )
    if not settings.volume_min_ratio < 1 < settings.volume_max_ratio:
        raise ConfigError(
            f"QUALITY_VOLUME_MIN_RATIO={settings.volume_min_ratio} and QUALITY_VOLUME_MAX_RATIO="
            f"{settings.volume_max_ratio} must satisfy MIN < 1 < MAX."
        )
    if not 0 < settings.late_arrival_max_share <= 1:
        raise ConfigError(
            f"QUALITY_LATE_ARRIVAL_MAX_SHARE={settings.late_arrival_max_share} must be a share in (0, 1]."
        )
    return settings
