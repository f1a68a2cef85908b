"""Class sessions as iCalendar (RFC 5545), pure: a calendar file a phone's calendar imports.

Times are written in UTC (`DTSTART:20261207T020000Z`), so no time-zone block is needed and
every calendar shows them in its own zone. Text values escape backslash, semicolon, comma and
newlines (3.3.11); lines end with CRLF and are folded at 75 octets (3.1) without splitting a
UTF-8 character. The UID is stable per session and instance host, so importing a changed
session again updates the event instead of adding a second one; SEQUENCE grows with edits
(the last change's time) and a cancelled session is sent as STATUS:CANCELLED.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

PRODID = "-//BKPSDM Kota Palu//Lentera//ID"


@dataclass(frozen=True)
class Event:
    """What one session puts in a calendar."""

    session_id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    url: str  # the session's page on Lentera
    online_url: str
    cancelled: bool
    updated_at: datetime


def escape(text: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 requires."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded at 75 octets (continuations start with a space)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never cut inside a UTF-8 character
        parts.append(data[start:end].decode())
        start, limit = end, 74  # the leading space takes one octet
    return "\r\n ".join(parts)


def stamp(moment: datetime) -> str:
    """A UTC DATE-TIME value (19970714T173000Z)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event, host: str, now: datetime) -> list[str]:
    description = event.description.strip()
    if event.online_url:
        description = f"{description}\n\nTautan daring: {event.online_url}".strip()
    description = f"{description}\n\n{event.url}".strip()
    lines = [
        "BEGIN:VEVENT",
        f"UID:kelas-{event.session_id}@{host}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(event.starts_at)}",
        f"DTEND:{stamp(event.ends_at)}",
        f"SEQUENCE:{int(event.updated_at.timestamp()) // 60 % 2_000_000_000}",
        f"SUMMARY:{escape(event.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{event.url}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
    ]
    location = event.location or event.online_url
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[Event], *, base_url: str, now: datetime, name: str) -> str:
    """A VCALENDAR holding `events`, CRLF line endings, ready to serve as text/calendar."""
    host = urlsplit(base_url).hostname or "lentera"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines.extend(_event_lines(event, host, now))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
