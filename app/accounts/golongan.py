"""Pangkat/golongan: validate what HR types and name the pangkat for certificates."""

from __future__ import annotations

from app.accounts.models import EmployeeType
from app.i18n import gettext as _

# PNS golongan ruang and their pangkat (PP 99/2000).
PNS_PANGKAT = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
# PPPK golongan run I to XVII (Perpres 98/2020) and carry no pangkat.
PPPK_GOLONGAN = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
]  # fmt: skip


class InvalidGolongan(ValueError):
    pass


def normalize(raw: str, employee_type: EmployeeType) -> str | None:
    """Canonical golongan ("III/a", "IX"), None when empty; raise InvalidGolongan otherwise."""
    value = raw.strip().replace(" ", "")
    if not value:
        return None
    if employee_type is EmployeeType.PNS:
        # Accept "III/A", "iii/a", "III-a" and "IIIa".
        value = value.replace("-", "/")
        if "/" not in value and value[-1:].isalpha() and value[-1:].lower() in "abcde":
            value = f"{value[:-1]}/{value[-1]}"
        head, _sep, tail = value.partition("/")
        canonical = f"{head.upper()}/{tail.lower()}"
        if canonical in PNS_PANGKAT:
            return canonical
        raise InvalidGolongan(
            _("Golongan PNS '{value}' tidak dikenal; contoh yang benar: III/a, IV/b.").format(
                value=raw.strip()
            )
        )
    canonical = value.upper()
    if canonical in PPPK_GOLONGAN:
        return canonical
    raise InvalidGolongan(
        _("Golongan PPPK '{value}' tidak dikenal; gunakan angka Romawi I sampai XVII.").format(
            value=raw.strip()
        )
    )


def pangkat_golongan(golongan: str | None) -> str:
    """Text for certificates and profiles, e.g. "Penata Muda (III/a)"."""
    if not golongan:
        return "-"
    pangkat = PNS_PANGKAT.get(golongan)
    return f"{pangkat} ({golongan})" if pangkat else golongan
