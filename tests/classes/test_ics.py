"""The .ics export of sessions (app/classes/ics.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.classes import ics

START = datetime(2026, 12, 8, 1, 30, tzinfo=UTC)  # 09.30 WITA


def _event(**overrides: object) -> ics.Event:
    fields: dict[str, object] = {
        "session_id": 12,
        "title": "Workshop; Pelayanan, Prima",
        "description": "Baris satu\nBaris dua \\ akhir",
        "starts_at": START,
        "ends_at": datetime(2026, 12, 8, 4, 0, tzinfo=UTC),
        "location": "Aula BKPSDM, Lt. 2",
        "url": "https://lentera.example/kelas/12",
        "online_url": "",
        "cancelled": False,
        "updated_at": START,
    }
    fields.update(overrides)
    return ics.Event(**fields)  # type: ignore[arg-type]


def _calendar(*events: ics.Event) -> str:
    return ics.calendar(events, base_url="https://lentera.example", now=START, name="Kelas Lentera")


def test_calendar_has_the_required_properties_in_utc_with_crlf() -> None:
    text = _calendar(_event())
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert "UID:kelas-12@lentera.example" in lines
    assert "DTSTAMP:20261208T013000Z" in lines
    assert "DTSTART:20261208T013000Z" in lines
    assert "DTEND:20261208T040000Z" in lines
    assert "STATUS:CONFIRMED" in lines
    assert "URL:https://lentera.example/kelas/12" in lines


def test_text_values_are_escaped() -> None:
    lines = _calendar(_event()).split("\r\n")
    assert "SUMMARY:Workshop\\; Pelayanan\\, Prima" in lines
    assert "LOCATION:Aula BKPSDM\\, Lt. 2" in lines
    unfolded = _calendar(_event()).replace("\r\n ", "")
    assert (
        "DESCRIPTION:Baris satu\\nBaris dua \\\\ akhir\\n\\nhttps://lentera.example/kelas/12"
        in unfolded
    )


def test_long_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    text = _calendar(_event(title="Pelatihan é " * 20))
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    assert "SUMMARY:" + "Pelatihan é " * 20 in text.replace("\r\n ", "")


def test_online_session_uses_its_link_as_location_and_cancelled_is_marked() -> None:
    lines = _calendar(
        _event(location="", online_url="https://zoom.example/j/1", cancelled=True)
    ).split("\r\n")
    assert "LOCATION:https://zoom.example/j/1" in lines
    assert "STATUS:CANCELLED" in lines
