"""Pangkat/golongan: validate what HR types and name the pangkat for certificates."""

from __future__ import annotations

import re

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


# The forms HR files write a PNS golongan in: "III/a", "III.a", "III a", "III-a", "IIIa",
# "3a", "3/a", "iii/A" and "Penata Muda (III/a)". The numeral is Roman I-IV or Arabic 1-4,
# not glued to a letter before it (so the "I" of "Tingkat I" is not a numeral followed by a
# ruang); the ruang is a-e, not glued to a letter after it.
_PNS_FORM = re.compile(r"(?<![A-Za-z])(IV|III|II|I|[1-4])\s*[/.\-]?\s*([a-eA-E])(?![A-Za-z])")
# PPPK: Roman I-XVII or Arabic 1-17, alone or inside a longer text ("Golongan IX").
_PPPK_FORM = re.compile(
    r"(?<![A-Za-z0-9])(XVII|XVI|XV|XIV|XIII|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I|1[0-7]|[1-9])"
    r"(?![A-Za-z0-9])"
)
_ARABIC_TO_ROMAN = {str(number): roman for number, roman in enumerate(PPPK_GOLONGAN, start=1)}


def _written_part(raw: str) -> str:
    """What stands in parentheses when there are any ("Penata Muda (III/a)"), else all of it."""
    opening, closing = raw.rfind("("), raw.rfind(")")
    if 0 <= opening < closing:
        return raw[opening + 1 : closing]
    return raw


def normalize(raw: str, employee_type: EmployeeType) -> str | None:
    """Canonical golongan ("III/a", "IX"), None when empty; raise InvalidGolongan otherwise.

    The last golongan-shaped part of the text counts, so a pangkat written before it
    ("Penata Muda Tingkat I III/b") is read as III/b.
    """
    text = _written_part(raw.strip()).strip()
    if not text:
        return None
    if employee_type is EmployeeType.PNS:
        matches = _PNS_FORM.findall(text.upper())
        if matches:
            numeral, ruang = matches[-1]
            head = {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(numeral, numeral)
            canonical = f"{head}/{ruang.lower()}"
            if canonical in PNS_PANGKAT:
                return canonical
        raise InvalidGolongan(
            _("Golongan PNS '{value}' tidak dikenal; contoh yang benar: III/a, IV/b.").format(
                value=raw.strip()
            )
        )
    # A PNS golongan ("III/a") is not a PPPK one, though its numeral would match.
    pppk = [] if _PNS_FORM.search(text.upper()) else _PPPK_FORM.findall(text.upper())
    if pppk:
        found: str = pppk[-1]
        return _ARABIC_TO_ROMAN.get(found, found)
    raise InvalidGolongan(
        _("Golongan PPPK '{value}' tidak dikenal; gunakan angka Romawi I sampai XVII.").format(
            value=raw.strip()
        )
    )


def between(low: str | None, high: str | None, employee_type: EmployeeType) -> list[str]:
    """Canonical golongan from `low` to `high` inclusive on the type's scale, either bound open
    (None) and in either order; the bounds must be canonical (see `normalize`)."""
    scale = list(PNS_PANGKAT) if employee_type is EmployeeType.PNS else PPPK_GOLONGAN
    first = scale.index(low) if low else 0
    last = scale.index(high) if high else len(scale) - 1
    return scale[min(first, last) : max(first, last) + 1]


def pangkat_golongan(golongan: str | None) -> str:
    """Text for certificates and profiles, e.g. "Penata Muda (III/a)"."""
    if not golongan:
        return "-"
    pangkat = PNS_PANGKAT.get(golongan)
    return f"{pangkat} ({golongan})" if pangkat else golongan
