"""Local time: the one owner of "which day and year is it where the learners are".

Every stored time is UTC (`app.db.utcnow()`). People, and the rules that concern them, count
in local calendar days: a course completed on 31 December at 20.00 UTC was completed on
1 January in Palu and counts for the new JP year; a follow-up is due N local days after a
completion; exports and certificates print local dates. All of these read the zone from here,
and the zone comes from one setting, `LENTERA_TIMEZONE` (WITA by default, see app/config.py).

`configure()` is called by `create_app()` with the settings' zone; code that asks for the zone
before (the CLI, scripts) reads the environment's settings then, so no zone is written here.
Indonesian zones (WIB, WITA, WIT) keep no summer time, and the export's SQL relies on that
(a fixed offset): `check_zone()` refuses a zone whose offset changes during the year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.zones import check_zone as check_zone  # re-exported: part of the clock's interface

# Set by `configure()`; None until the settings have been read.
_zone: ZoneInfo | None = None


def configure(name: str) -> None:
    """Make `name` the zone every local date is computed in (from settings.timezone)."""
    global _zone
    _zone = check_zone(name)


def zone() -> ZoneInfo:
    """The configured local zone (read from the settings on first use if nobody configured it)."""
    if _zone is None:
        from app.config import get_settings

        configure(get_settings().timezone)  # LENTERA_TIMEZONE
    assert _zone is not None
    return _zone


def utc_offset() -> timedelta:
    """The local zone's fixed offset from UTC (+8 hours for WITA)."""
    offset = datetime(2026, 1, 1, tzinfo=zone()).utcoffset()
    assert offset is not None
    return offset


def abbreviation() -> str:
    """How the zone is written after a time: WIB, WITA or WIT (or the offset elsewhere)."""
    name = datetime(2026, 1, 1, tzinfo=zone()).tzname() or ""
    return name if name.isalpha() else f"UTC{name}"


def local(moment: datetime) -> datetime:
    """A UTC (or any aware) moment as local wall-clock time."""
    return moment.astimezone(zone())


def local_date(moment: datetime) -> date:
    """The local calendar day of a moment."""
    return moment.astimezone(zone()).date()


def today() -> date:
    """Today's local date."""
    return datetime.now(zone()).date()


def day_start(day: date) -> datetime:
    """The UTC moment where local day `day` begins."""
    return datetime.combine(day, time.min, zone()).astimezone(UTC)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The UTC moments where local calendar `year` starts and ends (end exclusive)."""
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
