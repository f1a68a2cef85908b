import pytest

from app.accounts.golongan import InvalidGolongan, normalize, pangkat_golongan
from app.accounts.models import EmployeeType


@pytest.mark.parametrize("raw", ["III/a", "iii/A", "III-a", "IIIa", " III / a "])
def test_pns_golongan_written_in_common_ways_is_normalised(raw: str) -> None:
    assert normalize(raw, EmployeeType.PNS) == "III/a"


def test_unknown_pns_golongan_is_rejected_with_an_example() -> None:
    with pytest.raises(InvalidGolongan, match="contoh yang benar: III/a"):
        normalize("II/e", EmployeeType.PNS)


def test_pppk_golongan_is_roman_one_to_seventeen() -> None:
    assert normalize("ix", EmployeeType.PPPK) == "IX"
    with pytest.raises(InvalidGolongan, match="I sampai XVII"):
        normalize("XVIII", EmployeeType.PPPK)


def test_pangkat_is_named_for_certificates() -> None:
    assert pangkat_golongan("III/a") == "Penata Muda (III/a)"
    assert pangkat_golongan("IX") == "IX"
    assert pangkat_golongan(None) == "-"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("III.a", "III/a"),
        ("III a", "III/a"),
        ("3a", "III/a"),
        ("3/a", "III/a"),
        ("Penata Muda (III/a)", "III/a"),
        ("III.c", "III/c"),
        ("3c", "III/c"),
        ("IV/e", "IV/e"),
        ("Penata Muda Tingkat I III/b", "III/b"),
        ("Juru Muda (I/a)", "I/a"),
    ],
)
def test_pns_golongan_in_the_forms_simpeg_files_use_is_normalised(raw: str, canonical: str) -> None:
    assert normalize(raw, EmployeeType.PNS) == canonical


@pytest.mark.parametrize("raw", ["3", "V/a", "III/f", "Penata", "IX"])
def test_pns_text_without_a_known_golongan_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidGolongan, match="Golongan PNS"):
        normalize(raw, EmployeeType.PNS)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("IX", "IX"), ("9", "IX"), ("17", "XVII"), ("Golongan V", "V"), ("(XI)", "XI"), ("i", "I")],
)
def test_pppk_golongan_in_roman_or_arabic_numerals_is_normalised(raw: str, canonical: str) -> None:
    assert normalize(raw, EmployeeType.PPPK) == canonical


@pytest.mark.parametrize("raw", ["III/a", "18", "0", "XVIII", "3c"])
def test_pppk_golongan_outside_one_to_seventeen_or_in_pns_form_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidGolongan, match="I sampai XVII"):
        normalize(raw, EmployeeType.PPPK)
