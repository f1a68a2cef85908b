"""HR's roster import: a .csv or .xlsx of employees, validated row by row, applied by NIP.

All rows are validated before anything is written. If any row is invalid nothing is imported
(unless the caller asks to skip invalid rows), so a half-imported roster never happens.
Row numbers are the spreadsheet's own, so HR can find them in Excel: the header is row 1, or
the first of the top ten rows that names a NIP column (SIMPEG exports print title lines above
it, and sometimes a "1 2 3 ..." column-number row below it, which is skipped).

Memory stays flat however long the roster is: the file is read as a stream twice, never
held whole. The first pass validates every row and keeps only the errors and, per valid NIP,
the row it first appeared on (to report duplicates). The second pass, run only when the
import goes ahead, validates the rows again and writes them in batches of BATCH within the
caller's one transaction, dropping each batch once it is flushed. Measured by
bench/roster_memory.py (docs/benchmarks.md).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import emails, phones
from app.accounts import nip as nip_rules
from app.accounts import service as accounts_service
from app.accounts.golongan import InvalidGolongan
from app.accounts.models import Unit, User
from app.accounts.nip import InvalidNIP
from app.audit import service as audit
from app.i18n import gettext as _

# Column headers as HR spreadsheets and SIMPEG/SIASN staff exports name them, compared after
# `_normal_header` (lower case; dots, underscores, dashes and slashes read as spaces), so
# "GOL. RUANG", "PANGKAT-GOLONGAN" and SIASN's "GOL_AKHIR_NAMA" all match. For each field the
# aliases are in order of preference: the first one present in the file is used. To recognise
# another header, add its normal form to the field's tuple (README, "Impor daftar pegawai").
#   nip: "NIP BARU" (18 digits) comes first; "NIP LAMA" (the old 9-digit number) is never an
#     alias, so a file with both takes the new one.
#   unit_name: the unit of work. "instansi" is only a fallback for files without any unit
#     column; SIMPEG's "INSTANSI INDUK"/"INSTANSI KERJA" (the Pemda, the same on every row) go to
#     `instansi` and never become a unit.
#   phone: a mobile number for WhatsApp, stored as 62... (app/accounts/phones.py).
#   contract_start_on: a PPPK's contract start ("TMT PPPK", "TMT Kontrak"), which sets their JP
#     contract year (app/learning/credited.py). Other TMT columns (TMT CPNS, TMT GOLONGAN, TMT
#     JABATAN, ...) are not used and are ignored like any unknown column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": (
        "nip baru", "nip", "nip 18", "nip/ni pppk", "nip ni pppk", "ni pppk", "nomor induk pegawai",
    ),
    "full_name": ("nama", "nama lengkap", "nama pegawai", "nama asn"),
    "title_before": ("gelar depan", "glr depan"),
    "title_after": ("gelar belakang", "glr belakang"),
    "email": ("email", "e mail", "surel", "alamat email", "email kantor", "email gov"),
    "phone": (
        "no hp", "nomor hp", "no hp wa", "hp", "no wa", "nomor wa", "whatsapp", "nomor whatsapp",
        "no telp", "no telepon", "nomor telepon", "telepon",
    ),
    "unit_name": (
        "unit kerja", "unor nama", "unit organisasi", "nama unor", "unor", "unit", "opd",
        "satuan kerja", "satuan kerja kerja nama", "perangkat daerah", "instansi",
    ),
    "instansi": ("instansi induk", "instansi induk nama", "instansi kerja", "instansi kerja nama"),
    "jabatan": ("jabatan", "nama jabatan", "jabatan nama"),
    "golongan": (
        "gol ruang", "golongan ruang", "pangkat golongan", "pangkat gol", "golongan", "gol",
        "gol akhir nama", "gol akhir", "pangkat gol ruang", "pangkat",
    ),
    "employee_type": (
        "jenis pegawai", "jenis pegawai nama", "status pegawai", "jenis", "tipe pegawai",
        "jenis asn", "status kepegawaian",
    ),
    "contract_start_on": (
        "tmt pppk", "tmt kontrak", "mulai kontrak", "tanggal mulai kontrak", "tmt perjanjian kerja",
    ),
}  # fmt: skip
# Header names HR might expect to work as the NIP but which must not: said in the error.
NOT_THE_NIP = ("nip lama",)
_NIP_HEADERS = frozenset(COLUMNS["nip"] + NOT_THE_NIP)
# How far down the header row may be (below the title lines of a printed export).
HEADER_SEARCH_ROWS = 10
REQUIRED = ("nip", "full_name")
BATCH = 500
CHUNK = 64 * 1024


class RosterFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, header); nothing was imported."""


@dataclass
class RowError:
    row: int
    nip: str
    messages: list[str]


@dataclass
class RosterReport:
    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    imported: bool = False

    @property
    def valid_rows(self) -> int:
        return self.total_rows - len(self.errors)


# Run in the import's transaction once the people are written, with the importer's id. Other
# domains react to roster changes this way (learning paths re-sync their groups) because
# accounts imports no other domain: `app.main` and the CLI register them.
AfterImport = Callable[[Session, int | None], None]
_after_import: list[AfterImport] = []


def after_import(hook: AfterImport) -> None:
    """Register `hook` to run after every successful import (once, however often registered)."""
    if hook not in _after_import:
        _after_import.append(hook)


def _normal_header(name: object) -> str:
    text = str(name or "").lower()
    for mark in "._-/":
        text = text.replace(mark, " ")
    return " ".join(text.split())


def _header_map(header: list[str], row: int = 1) -> dict[str, int]:
    normalized = [_normal_header(h) for h in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in normalized:
                found[key] = normalized.index(alias)
                break
    if "unit_name" in found and normalized[found["unit_name"]] == "instansi":
        # A file with only "Instansi" keeps it as the unit (HR's own lists name the OPD so);
        # the same column cannot also be the instansi.
        found.pop("instansi", None)
    missing = [{"nip": "NIP", "full_name": "Nama"}[key] for key in REQUIRED if key not in found]
    if missing:
        message = _(
            "Baris {row} (judul kolom) tidak memuat kolom wajib: {columns}. "
            "Kolom yang dikenali: NIP (atau NIP BARU), Nama, Gelar Depan, Gelar Belakang, "
            "Email, Unit Kerja, Jabatan, Golongan (atau GOL. RUANG), Jenis Pegawai."
        ).format(row=row, columns=", ".join(missing))
        if "nip" not in found and any(name in NOT_THE_NIP for name in normalized):
            message += " " + _(
                "Kolom NIP LAMA (nomor 9 digit) tidak dipakai: sertakan kolom NIP BARU."
            )
        raise RosterFileError(message)
    return found


def _cell_text(value: object, key: str, row: int) -> str:
    if value is None:
        return ""
    if key == "nip" and isinstance(value, float):
        # Excel keeps 15 significant digits: an 18-digit NIP typed as a number has already
        # lost its last digits, so it must not be "repaired" by guessing.
        raise InvalidNIP(
            _(
                "NIP tersimpan sebagai angka sehingga digit terakhirnya berubah. "
                "Format kolom NIP sebagai Teks di Excel, lalu ketik ulang NIP-nya."
            )
        )
    text = str(value).strip()
    if key == "nip" and text.startswith("'"):
        # Exports write '198503152010012003 so Excel keeps the NIP as text.
        text = text[1:]
    return text


def _is_utf8(source: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := source.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _rows_from_csv(source: BinaryIO) -> Iterator[list[object]]:
    # Excel's "CSV (Comma delimited)" on Windows writes Windows-1252.
    encoding = "utf-8-sig" if _is_utf8(source) else "cp1252"
    source.seek(0)
    text = io.TextIOWrapper(source, encoding=encoding, errors="replace", newline="")
    try:
        first_line = text.readline()
        delimiter = max(";,\t", key=first_line.count)
        reader = csv.reader(itertools.chain([first_line], text), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as exc:
            raise RosterFileError(
                _(
                    "Baris {row} tidak dapat dibaca sebagai CSV ({error}). Simpan ulang dari Excel."
                ).format(row=reader.line_num, error=exc)
            ) from None
    finally:
        text.detach()  # the caller's file stays open for the second pass


def _rows_from_xlsx(source: BinaryIO) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:
        raise RosterFileError(
            _("Berkas .xlsx tidak dapat dibaca: {error}").format(error=exc)
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _find_header(raw_rows: Iterator[list[object]]) -> tuple[int, list[str]]:
    """The header's row number and cells: the first of HEADER_SEARCH_ROWS rows naming a NIP
    column, since SIMPEG exports print a title ("DAFTAR PEGAWAI ...", the Pemda) above it."""
    first: list[str] | None = None
    for number, values in enumerate(raw_rows, start=1):
        cells = [str(v) if v is not None else "" for v in values]
        first = cells if first is None else first
        if {_normal_header(cell) for cell in cells} & _NIP_HEADERS:
            return number, cells
        if number == HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise RosterFileError(_("Berkas kosong: tidak ada baris judul kolom."))
    _header_map(first)  # raises, naming the missing NIP column
    raise AssertionError(
        "unreachable: a header without a NIP column is refused"
    )  # pragma: no cover


def read_rows(filename: str, source: bytes | BinaryIO) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (spreadsheet row number, {field: text}); raise RosterFileError for bad files.

    `source` is read from its start; a file must be seekable (an upload's spooled file is).
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    stream.seek(0)
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        raw_rows = _rows_from_csv(stream)
    elif suffix == ".xlsx":
        raw_rows = _rows_from_xlsx(stream)
    else:
        raise RosterFileError(
            _("Jenis berkas '{suffix}' tidak didukung; unggah .csv atau .xlsx.").format(
                suffix=suffix or filename
            )
        )
    header_row, header = _find_header(raw_rows)
    columns = _header_map(header, header_row)
    for number, values in enumerate(raw_rows, start=header_row + 1):
        cells = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if not cells:
            continue  # blank lines are common at the end of spreadsheets
        if number == header_row + 1 and cells == [str(i) for i in range(1, len(cells) + 1)]:
            continue  # the "1 2 3 ..." column-number row printed exports carry under the header
        fields: dict[str, str] = {}
        for key, index in columns.items():
            value = values[index] if index < len(values) else None
            try:
                fields[key] = _cell_text(value, key, number)
            except InvalidNIP as exc:
                fields[key] = ""
                fields["_nip_error"] = str(exc)
        yield number, fields


# Values of the employee-type column in HR files and SIASN ("PNS Daerah", "CPNS", "P3K").
_EMPLOYEE_TYPES = {
    "pns": "PNS", "cpns": "PNS", "pns daerah": "PNS", "pns pusat": "PNS",
    "pppk": "PPPK", "p3k": "PPPK", "pppk daerah": "PPPK", "pppk paruh waktu": "PPPK",
}  # fmt: skip


def full_name(name: str, before: str = "", after: str = "") -> str:
    """The name as Indonesians write it with titles: "Dr. Andi Fadli, S.E., M.Si."."""
    name = " ".join(name.split())
    before = " ".join(before.split())
    after = " ".join(after.split()).lstrip(",").strip()
    if not name:
        return ""
    return f"{before + ' ' if before else ''}{name}{', ' + after if after else ''}"


def validate_row(fields: dict[str, str]) -> tuple[accounts_service.UserData | None, list[str]]:
    """The validated profile of one row, or the list of everything wrong with it."""
    messages: list[str] = []
    if "_nip_error" in fields:
        return None, [fields["_nip_error"]]
    nip_format_failed = False
    try:
        nip_rules.digits(fields.get("nip", ""))
    except InvalidNIP as exc:
        messages.append(str(exc))
        nip_format_failed = True
    name = full_name(
        fields.get("full_name", ""), fields.get("title_before", ""), fields.get("title_after", "")
    )
    if not name:
        messages.append(_("Nama kosong."))
    raw_type = " ".join(fields.get("employee_type", "").lower().split())
    employee_type = _EMPLOYEE_TYPES.get(raw_type) if raw_type else None
    if raw_type and employee_type is None:
        messages.append(
            _("Jenis pegawai '{value}' tidak dikenal; isi PNS atau PPPK.").format(
                value=fields["employee_type"]
            )
        )
    try:
        email = emails.normalize(fields.get("email"))
    except emails.InvalidEmail as exc:
        messages.append(str(exc))
        email = None
    try:
        # Checked even when the row already has problems, so HR sees all of them at once
        # (a placeholder name stands in for a missing one, already reported above).
        data = accounts_service.build_user_data(
            nip=fields.get("nip", ""),
            full_name=name or "-",
            employee_type=employee_type,
            email=email,
            unit_name=fields.get("unit_name"),
            jabatan=fields.get("jabatan"),
            golongan=fields.get("golongan"),
        )
    except InvalidNIP as exc:
        if not nip_format_failed:
            messages.append(_("NIP {nip}: {reason}").format(nip=fields["nip"], reason=exc))
        return None, messages
    except (InvalidGolongan, ValueError) as exc:
        return None, [*messages, str(exc)]
    if messages:
        return None, messages
    try:
        phone = phones.normalize(fields.get("phone"))
    except phones.InvalidPhone as exc:
        return None, [str(exc)]
    if phone is not None:  # a roster without the column (or the cell) keeps what is known
        data = dataclasses.replace(data, phone=phone)
    raw_start = fields.get("contract_start_on", "")
    if raw_start and data.employee_type.value == "PPPK":
        start = _parse_date(raw_start)
        if start is None:
            return None, [
                _("TMT kontrak '{value}' bukan tanggal; tulis misalnya 01-03-2024.").format(
                    value=raw_start
                )
            ]
        data = dataclasses.replace(data, contract_start_on=start)
    return data, []


def _parse_date(text: str) -> date | None:
    """A date written as 2024-03-01 (also an Excel date cell), 01-03-2024, 01/03/2024 or
    01.03.2024; None when it is none of these."""
    text = text.strip().split(" ")[0]
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def import_roster(
    session: Session,
    filename: str,
    source: bytes | BinaryIO,
    *,
    skip_invalid: bool = False,
    actor_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RosterReport:
    """Validate every row, then create or update users by NIP (never duplicating).

    `source` is the file's bytes or a seekable binary file; it is read twice (see the module
    docstring), never held whole.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    report = RosterReport()
    # Per valid NIP, the row it was first seen on; an int key takes a third of a str's memory.
    first_row_of: dict[int, int] = {}
    for number, fields in read_rows(filename, stream):
        report.total_rows += 1
        user_data, messages = validate_row(fields)
        if user_data is not None and int(user_data.nip) in first_row_of:
            messages = [
                _("NIP {nip} sudah ada di baris {row}.").format(
                    nip=user_data.nip, row=first_row_of[int(user_data.nip)]
                )
            ]
            user_data = None
        if user_data is None:
            report.errors.append(RowError(number, fields.get("nip", ""), messages))
            continue
        first_row_of[int(user_data.nip)] = number
    del first_row_of
    if report.total_rows == 0:
        raise RosterFileError(_("Berkas tidak berisi baris data di bawah judul kolom."))
    if report.errors and not skip_invalid:
        return report

    skipped = {error.row for error in report.errors}
    total_valid = report.total_rows - len(skipped)
    units: dict[str, Unit] = {}
    batch: list[accounts_service.UserData] = []
    done = 0
    for number, fields in read_rows(filename, stream):
        if number in skipped:
            continue
        user_data, _messages = validate_row(fields)
        if user_data is None:  # pragma: no cover - the first pass found this row valid
            continue
        batch.append(user_data)
        if len(batch) == BATCH:
            done += _write_batch(session, batch, units, report)
            batch = []
            if progress is not None:
                progress(done, total_valid)
    if batch:
        done += _write_batch(session, batch, units, report)
        if progress is not None:
            progress(done, total_valid)
    report.imported = True
    for hook in _after_import:
        hook(session, actor_id)
    audit.record(
        session,
        "roster.imported",
        actor_id=actor_id,
        filename=PurePath(filename).name,
        rows=report.total_rows,
        created=report.created,
        updated=report.updated,
        skipped=len(report.errors),
    )
    return report


def _write_batch(
    session: Session,
    batch: list[accounts_service.UserData],
    units: dict[str, Unit],
    report: RosterReport,
) -> int:
    """Create or update one batch of people by NIP and flush it; the rows written."""
    existing = {
        user.nip: user
        for user in session.scalars(select(User).where(User.nip.in_([d.nip for d in batch])))
    }
    for user_data in batch:
        user = existing.get(user_data.nip)
        if user is None:
            user = User(
                nip=user_data.nip,
                employee_type=user_data.employee_type.value,
                full_name=user_data.full_name,
            )
            user.set_roles(user_data.roles)
            session.add(user)
            report.created += 1
        else:
            report.updated += 1
        accounts_service.apply_profile(session, user, user_data, units)
    session.flush()
    # Flushed rows are clean: the session keeps them only weakly, so the batch can go.
    return len(batch)
