"""The attendance code and rules (app/classes/attendance.py), with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.classes import attendance
from app.classes.attendance import Verdict

SECRET = "test-secret-key"
# 10:00:00 UTC is the start of a 30-second window (Unix time divisible by 30).
NOW = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC)


def test_code_is_six_unambiguous_characters_and_stable_within_a_window() -> None:
    code = attendance.current_code(SECRET, 7, NOW)
    assert len(code) == 6
    assert set(code) <= set(attendance.ALPHABET)
    assert not set(code) & set("01IO")
    assert attendance.current_code(SECRET, 7, NOW + timedelta(seconds=29)) == code
    assert attendance.current_code(SECRET, 7, NOW + timedelta(seconds=30)) != code


def test_code_depends_on_the_session_and_the_key() -> None:
    code = attendance.current_code(SECRET, 7, NOW)
    assert attendance.current_code(SECRET, 8, NOW) != code
    assert attendance.current_code("another-key", 7, NOW) != code


def test_current_and_previous_window_are_accepted() -> None:
    code = attendance.current_code(SECRET, 7, NOW)
    assert attendance.verify(SECRET, 7, code, NOW) is Verdict.OK
    assert attendance.verify(SECRET, 7, code, NOW + timedelta(seconds=59)) is Verdict.OK


def test_a_code_two_windows_old_is_expired() -> None:
    code = attendance.current_code(SECRET, 7, NOW)
    assert attendance.verify(SECRET, 7, code, NOW + timedelta(seconds=60)) is Verdict.EXPIRED
    # Much older: no longer recognised at all.
    assert attendance.verify(SECRET, 7, code, NOW + timedelta(hours=1)) is Verdict.INVALID


def test_a_code_of_another_session_is_invalid_here_and_matches_there() -> None:
    other = attendance.current_code(SECRET, 8, NOW)
    assert attendance.verify(SECRET, 7, other, NOW) is Verdict.INVALID
    assert attendance.matches(SECRET, 8, other, NOW)


def test_typed_code_is_normalised_and_garbage_is_invalid() -> None:
    code = attendance.current_code(SECRET, 7, NOW)
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert attendance.verify(SECRET, 7, typed, NOW) is Verdict.OK
    assert attendance.verify(SECRET, 7, "", NOW) is Verdict.INVALID
    assert attendance.verify(SECRET, 7, "O0I1AB", NOW) is Verdict.INVALID
    assert attendance.verify(SECRET, 7, code + "A", NOW) is Verdict.INVALID


def test_seconds_left_counts_down_to_the_next_code() -> None:
    assert attendance.seconds_left(NOW) == 30
    assert attendance.seconds_left(NOW + timedelta(seconds=29)) == 1


def test_late_after_the_tolerance_only() -> None:
    start = NOW
    assert not attendance.is_late(start + timedelta(minutes=15), start, 15)
    assert attendance.is_late(start + timedelta(minutes=15, seconds=1), start, 15)
    assert not attendance.is_late(start - timedelta(minutes=5), start, 0)


def test_partial_attendance_qualifies_from_the_threshold() -> None:
    assert attendance.qualifies("present", None, 120, 75)
    assert attendance.qualifies("partial", 90, 120, 75)  # 75 %
    assert not attendance.qualifies("partial", 89, 120, 75)
    assert not attendance.qualifies("absent", None, 120, 75)
    assert not attendance.qualifies(None, None, 120, 75)
    assert attendance.attendance_percent("partial", 60, 120) == 50
    assert attendance.attendance_percent("partial", 500, 120) == 100
