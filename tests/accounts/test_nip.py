from datetime import date

import pytest

from app.accounts import nip as nip_rules
from app.accounts.models import EmployeeType


def test_valid_pns_nip_reveals_birth_date_appointment_and_gender() -> None:
    info = nip_rules.parse_pns("198503152010012003")
    assert info.employee_type is EmployeeType.PNS
    assert info.birth_date == date(1985, 3, 15)
    assert (info.appointment_year, info.appointment_month) == (2010, 1)
    assert info.gender == "P"
    assert info.sequence == 3


def test_spaces_typed_between_groups_are_ignored() -> None:
    assert nip_rules.parse_pns("19850315 201001 2 003").nip == "198503152010012003"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("19850315201001200", "18 digit; yang diisi 17"),
        ("1985031520100120034", "18 digit; yang diisi 19"),
        ("19850315201001200A", "NIP hanya boleh berisi angka 0–9."),
        ("198502302010012003", "bukan tanggal"),
        ("198503152010132003", "bulan pengangkatan (01–12), bukan 13"),
        ("198503152010013003", "kode jenis kelamin (1 atau 2), bukan 3"),
        ("198503152010012000", "tidak boleh 000"),
        ("198503151990012003", "Tahun pengangkatan"),
        ("193003152010012003", "tidak masuk akal"),
    ],
)
def test_malformed_pns_nip_is_rejected_with_the_reason(raw: str, fragment: str) -> None:
    with pytest.raises(nip_rules.InvalidNIP) as excinfo:
        nip_rules.parse_pns(raw)
    assert fragment in str(excinfo.value)


def test_pppk_number_has_no_month_in_digits_13_14() -> None:
    info = nip_rules.parse_pppk("199305052022211004")
    assert info.employee_type is EmployeeType.PPPK
    assert info.appointment_year == 2022
    assert info.appointment_month is None
    assert info.gender == "L"


def test_pppk_number_checked_as_pns_points_to_the_right_type() -> None:
    with pytest.raises(nip_rules.InvalidNIP, match="pilih jenis pegawai PPPK"):
        nip_rules.parse_pns("199305052022211004")


def test_pns_number_checked_as_pppk_points_to_the_right_type() -> None:
    with pytest.raises(nip_rules.InvalidNIP, match="Pilih jenis pegawai PNS"):
        nip_rules.parse_pppk("198503152010012003")


def test_type_is_inferred_from_structure_when_not_given() -> None:
    assert nip_rules.parse("198503152010012003").employee_type is EmployeeType.PNS
    assert nip_rules.parse("199305052022211004").employee_type is EmployeeType.PPPK


def test_mask_hides_birth_date_appointment_and_gender() -> None:
    masked = nip_rules.mask("198503152010012003")
    assert masked == "19*************003"
    assert "0315" not in masked
    assert len(masked) == 18


def test_display_groups_the_digits_as_on_official_documents() -> None:
    assert nip_rules.display("198503152010012003") == "19850315 201001 2 003"


ONLY_DIGITS = "NIP hanya boleh berisi angka 0–9."


@pytest.mark.parametrize(
    "raw",
    [
        "19850330201001100\uff12",  # last digit full-width (issue 19: created a second account)
        "\uff11\uff19\uff18\uff15\uff10\uff13\uff13\uff10\uff12\uff10\uff11\uff10"
        "\uff10\uff11\uff11\uff10\uff10\uff12",  # all full-width
        "\u0661\u0669\u0668\u0665\u0660\u0663\u0663\u0660\u0662\u0660\u0661\u0660"
        "\u0660\u0661\u0661\u0660\u0660\u0662",  # Arabic-Indic
        "\u0967\u096f\u096e\u096b\u0966\u0969\u0969\u0966\u0968\u0966\u0967\u0966"
        "\u0966\u0967\u0967\u0966\u0966\u0968",  # Devanagari
        "19850330201001100\u00b2",  # superscript two: isdigit() but int() raises
        "198503302010011.002",
        "198503302010011-002",
        "19850330201001100A",
    ],
    ids=[
        "fullwidth-last",
        "fullwidth",
        "arabic-indic",
        "devanagari",
        "superscript",
        "dot",
        "dash",
        "letter",
    ],
)
def test_any_character_other_than_ascii_digits_is_refused_with_the_specific_message(
    raw: str,
) -> None:
    for check in (nip_rules.parse, nip_rules.parse_pns, nip_rules.parse_pppk, nip_rules.digits):
        with pytest.raises(nip_rules.InvalidNIP) as excinfo:
            check(raw)
        assert str(excinfo.value) == ONLY_DIGITS


@pytest.mark.parametrize("raw", ["", "   ", "\u00a0\t"])
def test_an_empty_nip_is_reported_as_required(raw: str) -> None:
    with pytest.raises(nip_rules.InvalidNIP) as excinfo:
        nip_rules.parse(raw)
    assert str(excinfo.value) == "NIP wajib diisi."


def test_whitespace_between_the_groups_is_removed_as_printed_on_documents() -> None:
    assert nip_rules.parse("19920314 201903 2 007").nip == "199203142019032007"
    assert nip_rules.parse(" 19920314\u00a0201903\t2 007 ").nip == "199203142019032007"
