"""Parsing the observation checklist and the interview form: pure, no database."""

from __future__ import annotations

from datetime import date

import pytest

from app.evaluation import observation_schemas as schemas
from app.evaluation.schemas import InvalidInput

TODAY = date(2027, 3, 10)
BEHAVIOURS = ("Menyapa warga lebih dahulu.", "Mencatat pengaduan hari itu juga.")


def test_a_complete_checklist_is_read_in_order() -> None:
    form = {"perilaku-1": ["4"], "perilaku-2": [" 1 "], "observed_on": ["2027-03-01"]}
    data = schemas.parse_observation(form, BEHAVIOURS, TODAY)
    assert data == schemas.ObservationInput((4, 1), date(2027, 3, 1), None)


def test_a_level_sent_twice_or_a_bad_date_is_refused() -> None:
    form = {"perilaku-1": ["4", "1"], "perilaku-2": ["0"], "observed_on": ["10-03-2027"]}
    with pytest.raises(InvalidInput) as caught:
        schemas.parse_observation(form, BEHAVIOURS, TODAY)
    assert set(caught.value.errors) == {"perilaku-1", "perilaku-2", "observed_on"}
    assert "terkirim lebih dari sekali" in caught.value.errors["perilaku-1"]
    assert "TAHUN-BULAN-HARI" in caught.value.errors["observed_on"]


def test_an_interview_needs_a_date_whom_and_the_skills_applied() -> None:
    with pytest.raises(InvalidInput) as caught:
        schemas.parse_interview({}, TODAY)
    assert set(caught.value.errors) == {"interviewed_on", "interviewee", "skills_applied"}
    data = schemas.parse_interview(
        {
            "interviewed_on": ["2027-03-10"],
            "interviewee": ["colleague"],
            "skills_applied": ["Memakai daftar periksa berkas di loket."],
            "obstacles": ["  "],
            "other_note": ["Baik\x00."],
        },
        TODAY,
    )
    assert (data.interviewee, data.obstacles, data.note) == ("colleague", None, "Baik.")


def test_the_scale_has_four_labelled_levels() -> None:
    assert list(schemas.level_labels()) == [1, 2, 3, 4]
    assert schemas.level_labels()[3] == "Konsisten"
    assert schemas.APPLIED_LEVEL == 3
