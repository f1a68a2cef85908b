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
