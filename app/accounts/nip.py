"""Structure checks for the NIP (PNS) and the NI PPPK; pure functions, no database.

A PNS NIP is 18 digits: birth date YYYYMMDD, CPNS appointment YYYYMM, a gender digit
(1 male, 2 female) and a 3-digit sequence. An NI PPPK has the same length, birth date, gender
digit and sequence, but its digits 9-14 are not a year and month (the appointment year is
followed by a code such as 21 where a month would stand), so each type has its own rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.accounts.models import EmployeeType
from app.i18n import gettext as _

NIP_LENGTH = 18
EARLIEST_BIRTH_YEAR = 1940


class InvalidNIP(ValueError):
    """The number does not have the structure of a NIP / NI PPPK; the message says why."""


@dataclass(frozen=True)
class NIPInfo:
    nip: str
    employee_type: EmployeeType
    birth_date: date
    appointment_year: int
    appointment_month: int | None
    gender: str  # "L" or "P", as on Indonesian forms
    sequence: int


def normalize(raw: str) -> str:
    """Drop the spaces, dots and dashes people type or paste between the digit groups."""
    return "".join(ch for ch in raw.strip() if ch not in " .-\u00a0\t")


def _birth_date(digits: str) -> date:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidNIP(
            _("Digit 1–8 harus tanggal lahir yang ada (TTTTBBHH); {value} bukan tanggal.").format(
                value=digits[0:8]
            )
        ) from None
    if born.year < EARLIEST_BIRTH_YEAR or born > date.today():
        raise InvalidNIP(
            _("Tanggal lahir pada digit 1–8 ({value}) tidak masuk akal.").format(value=digits[0:8])
        )
    return born


def _common(digits: str) -> tuple[date, str, int]:
    if len(digits) != NIP_LENGTH or not digits.isdigit():
        if not digits.isdigit():
            raise InvalidNIP(_("NIP hanya boleh berisi angka."))
        raise InvalidNIP(
            _("NIP harus 18 digit; yang diisi {count} digit.").format(count=len(digits))
        )
    born = _birth_date(digits)
    gender_digit = digits[14]
    if gender_digit not in "12":
        raise InvalidNIP(
            _("Digit ke-15 adalah kode jenis kelamin (1 atau 2), bukan {value}.").format(
                value=gender_digit
            )
        )
    sequence = int(digits[15:18])
    if sequence == 0:
        raise InvalidNIP(_("Nomor urut pada digit 16–18 tidak boleh 000."))
    return born, "L" if gender_digit == "1" else "P", sequence


def _appointment_year(digits: str, born: date) -> int:
    year = int(digits[8:12])
    if year < born.year + 15 or year > date.today().year + 1:
        raise InvalidNIP(
            _(
                "Tahun pengangkatan pada digit 9–12 ({year}) tidak cocok dengan tanggal lahir "
                "atau lebih dari tahun ini."
            ).format(year=digits[8:12])
        )
    return year


def parse_pns(raw: str) -> NIPInfo:
    """Validate a PNS NIP and return what it encodes."""
    digits = normalize(raw)
    born, gender, sequence = _common(digits)
    month = int(digits[12:14])
    if not 1 <= month <= 12:
        raise InvalidNIP(
            _(
                "Digit 13–14 NIP PNS adalah bulan pengangkatan (01–12), bukan {value}. "
                "Jika Anda pegawai PPPK, pilih jenis pegawai PPPK."
            ).format(value=digits[12:14])
        )
    year = _appointment_year(digits, born)
    return NIPInfo(digits, EmployeeType.PNS, born, year, month, gender, sequence)


def parse_pppk(raw: str) -> NIPInfo:
    """Validate an NI PPPK and return what it encodes."""
    digits = normalize(raw)
    born, gender, sequence = _common(digits)
    code = int(digits[12:14])
    if 1 <= code <= 12:
        raise InvalidNIP(
            _(
                "Digit 9–14 berbentuk tahun dan bulan pengangkatan, jadi ini NIP PNS, bukan "
                "NI PPPK. Pilih jenis pegawai PNS."
            )
        )
    year = _appointment_year(digits, born)
    return NIPInfo(digits, EmployeeType.PPPK, born, year, None, gender, sequence)


def parse(raw: str, employee_type: EmployeeType | str | None = None) -> NIPInfo:
    """Validate by the given type's rule, or by the type the structure shows when none is given."""
    if employee_type is None or employee_type == "":
        digits = normalize(raw)
        looks_pppk = (
            len(digits) == NIP_LENGTH and digits.isdigit() and not (1 <= int(digits[12:14]) <= 12)
        )
        return parse_pppk(digits) if looks_pppk else parse_pns(digits)
    kind = EmployeeType(str(employee_type).upper())
    return parse_pns(raw) if kind is EmployeeType.PNS else parse_pppk(raw)


def mask(nip: str) -> str:
    """The NIP as the public may see it: birth date, appointment and gender hidden.

    Only the first two digits and the 3-digit sequence stay, enough for a person to recognise
    their own number and nothing that reveals age or gender.
    """
    if len(nip) != NIP_LENGTH:
        return "*" * len(nip)
    return f"{nip[:2]}{'*' * 13}{nip[15:]}"


def display(nip: str) -> str:
    """Grouped the way NIPs are printed on Indonesian documents: 19850315 201001 2 003."""
    if len(nip) != NIP_LENGTH:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
