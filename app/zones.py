"""Which time zones Lentera accepts (used by the settings' check and by app/clock.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def check_zone(name: str) -> ZoneInfo:
    """The zone called `name`, or ValueError when it is unknown or keeps summer time."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as Asia/Jayapura)"
        ) from exc
    offsets = {datetime(2026, month, 1, tzinfo=zone).utcoffset() for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        raise ValueError(f"time zone {name!r} changes its offset during the year")
    return zone
