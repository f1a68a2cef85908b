"""Structure checks for the NIP (PNS) and the NI PPPK; pure functions, no database.

A PNS NIP is 18 digits: birth date YYYYMMDD, CPNS appointment YYYYMM, a gender digit
(1 male, 2 female) and a 3-digit sequence. An NI PPPK has the same length, birth date, gender
digit and sequence, but its digits 9-14 are not a year and month (the appointment year is
followed by a code such as 21 where a month would stand), so each type has its own rule.

When the type is not given (a roster without a "Jenis Pegawai" column), the structure decides,
and only a number whose digits 13-14 are the NI PPPK code (PPPK_CODES, "21" on the numbers BKN
issues) is read as an NI PPPK. Any other number is checked as a PNS NIP, so an impossible
appointment month (13, 00, 99) is refused with the PNS message instead of turning the person
into a PPPK. A PPPK whose number carries another code is accepted when the type is given.

What may be typed: whitespace between the digit groups, as printed on official documents
("19920314 201903 2 007"), is removed; what remains must be exactly the ASCII digits 0-9.
Every other character is refused with "NIP hanya boleh berisi angka 0–9", including digits of
other scripts (full-width ０-９, Arabic-Indic, Devanagari, superscripts), which Python's
`str.isdigit()` and `int()` would accept and which would otherwise be stored as typed, beside
the same number in ASCII. An empty NIP is "NIP wajib diisi". Nothing here converts a character
to a digit: `int()` only ever sees checked ASCII digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.accounts.models import EmployeeType
from app.i18n import gettext as _

NIP_LENGTH = 18
EARLIEST_BIRTH_YEAR = 1940
# Digits 13-14 of an NI PPPK as BKN issues them (appointment year, then this code).
PPPK_CODES = frozenset({"21"})


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


_ASCII_DIGITS = frozenset("0123456789")


def normalize(raw: str) -> str:
    """Drop the whitespace people type or paste between the digit groups (nothing else)."""
    return "".join(ch for ch in raw if not ch.isspace())


def digits(raw: str) -> str:
    """The NIP without whitespace; InvalidNIP when empty or holding anything but 0-9."""
    clean = normalize(raw)
    if not clean:
        raise InvalidNIP(_("NIP wajib diisi."))
    if not _ASCII_DIGITS.issuperset(clean):
        raise InvalidNIP(_("NIP hanya boleh berisi angka 0–9."))
    return clean


def _birth_date(number: str) -> date:
    try:
        born = date(int(number[0:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        raise InvalidNIP(
            _("Digit 1–8 harus tanggal lahir yang ada (TTTTBBHH); {value} bukan tanggal.").format(
                value=number[0:8]
            )
        ) from None
    if born.year < EARLIEST_BIRTH_YEAR or born > date.today():
        raise InvalidNIP(
            _("Tanggal lahir pada digit 1–8 ({value}) tidak masuk akal.").format(value=number[0:8])
        )
    return born


def _common(number: str) -> tuple[date, str, int]:
    if len(number) != NIP_LENGTH:
        raise InvalidNIP(
            _("NIP harus 18 digit; yang diisi {count} digit.").format(count=len(number))
        )
    born = _birth_date(number)
    gender_digit = number[14]
    if gender_digit not in "12":
        raise InvalidNIP(
            _("Digit ke-15 adalah kode jenis kelamin (1 atau 2), bukan {value}.").format(
                value=gender_digit
            )
        )
    sequence = int(number[15:18])
    if sequence == 0:
        raise InvalidNIP(_("Nomor urut pada digit 16–18 tidak boleh 000."))
    return born, "L" if gender_digit == "1" else "P", sequence


def _appointment_year(number: str, born: date) -> int:
    year = int(number[8:12])
    if year < born.year + 15 or year > date.today().year + 1:
        raise InvalidNIP(
            _(
                "Tahun pengangkatan pada digit 9–12 ({year}) tidak cocok dengan tanggal lahir "
                "atau lebih dari tahun ini."
            ).format(year=number[8:12])
        )
    return year


def parse_pns(raw: str) -> NIPInfo:
    """Validate a PNS NIP and return what it encodes."""
    number = digits(raw)
    born, gender, sequence = _common(number)
    month = int(number[12:14])
    if not 1 <= month <= 12:
        raise InvalidNIP(
            _(
                "Digit 13–14 NIP PNS adalah bulan pengangkatan (01–12), bukan {value}. "
                "Jika Anda pegawai PPPK, pilih jenis pegawai PPPK."
            ).format(value=number[12:14])
        )
    year = _appointment_year(number, born)
    return NIPInfo(number, EmployeeType.PNS, born, year, month, gender, sequence)


def parse_pppk(raw: str) -> NIPInfo:
    """Validate an NI PPPK and return what it encodes."""
    number = digits(raw)
    born, gender, sequence = _common(number)
    code = int(number[12:14])
    if 1 <= code <= 12:
        raise InvalidNIP(
            _(
                "Digit 9–14 berbentuk tahun dan bulan pengangkatan, jadi ini NIP PNS, bukan "
                "NI PPPK. Pilih jenis pegawai PNS."
            )
        )
    year = _appointment_year(number, born)
    return NIPInfo(number, EmployeeType.PPPK, born, year, None, gender, sequence)


def parse(raw: str, employee_type: EmployeeType | str | None = None) -> NIPInfo:
    """Validate by the given type's rule, or by the type the structure shows when none is given."""
    if employee_type is None or employee_type == "":
        number = digits(raw)
        looks_pppk = len(number) == NIP_LENGTH and number[12:14] in PPPK_CODES
        return parse_pppk(number) if looks_pppk else parse_pns(number)
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
