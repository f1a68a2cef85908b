"""HR's roster import: a .csv or .xlsx of employees, validated row by row, applied by NIP.

All rows are validated before anything is written. If any row is invalid nothing is imported
(unless the caller asks to skip invalid rows), so a half-imported roster never happens.
Row numbers are the spreadsheet's own (the header is row 1), so HR can find them in Excel.

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

from app.accounts import nip as nip_rules
from app.accounts import service as accounts_service
from app.accounts.golongan import InvalidGolongan
from app.accounts.models import Unit, User
from app.accounts.nip import InvalidNIP
from app.audit import service as audit
from app.i18n import gettext as _

# Column headers as HR spreadsheets actually name them; matched case- and space-insensitively.
COLUMNS: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "nip/ni pppk", "ni pppk", "nip / ni pppk", "nomor induk pegawai"),
    "full_name": ("nama", "nama lengkap", "nama pegawai"),
    "email": ("email", "e-mail", "surel", "alamat email"),
    "unit_name": ("unit kerja", "unit", "opd", "satuan kerja", "instansi"),
    "jabatan": ("jabatan", "nama jabatan"),
    "golongan": ("golongan", "gol", "pangkat/golongan", "gol/ruang", "golongan ruang"),
    "employee_type": ("jenis pegawai", "status pegawai", "jenis", "tipe pegawai"),
    "contract_start_on": (
        "tmt pppk",
        "tmt kontrak",
        "mulai kontrak",
        "tanggal mulai kontrak",
        "tmt perjanjian kerja",
    ),
}
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


def _header_map(header: list[str]) -> dict[str, int]:
    normalized = [" ".join(str(h or "").lower().split()) for h in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(normalized):
            if name in aliases:
                found[key] = index
                break
    missing = [
        COLUMNS[key][0].upper() if key == "nip" else COLUMNS[key][0].title()
        for key in REQUIRED
        if key not in found
    ]
    if missing:
        raise RosterFileError(
            _(
                "Baris 1 (judul kolom) tidak memuat kolom wajib: {columns}. "
                "Kolom yang dikenali: NIP, Nama, Email, Unit Kerja, Jabatan, Golongan, "
                "Jenis Pegawai."
            ).format(columns=", ".join(missing))
        )
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
    return str(value).strip()


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
    header = next(raw_rows, None)
    if header is None:
        raise RosterFileError(_("Berkas kosong: tidak ada baris judul kolom."))
    columns = _header_map([str(h) if h is not None else "" for h in header])
    for number, values in enumerate(raw_rows, start=2):
        if not any(str(v).strip() for v in values if v is not None):
            continue  # blank lines are common at the end of spreadsheets
        fields: dict[str, str] = {}
        for key, index in columns.items():
            value = values[index] if index < len(values) else None
            try:
                fields[key] = _cell_text(value, key, number)
            except InvalidNIP as exc:
                fields[key] = ""
                fields["_nip_error"] = str(exc)
        yield number, fields


def validate_row(fields: dict[str, str]) -> tuple[accounts_service.UserData | None, list[str]]:
    """The validated profile of one row, or the list of everything wrong with it."""
    messages: list[str] = []
    if "_nip_error" in fields:
        return None, [fields["_nip_error"]]
    try:
        nip_rules.digits(fields.get("nip", ""))
    except InvalidNIP as exc:
        messages.append(str(exc))
    if not fields.get("full_name"):
        messages.append(_("Nama kosong."))
    employee_type = fields.get("employee_type", "").upper() or None
    if employee_type not in (None, "PNS", "PPPK"):
        messages.append(
            _("Jenis pegawai '{value}' tidak dikenal; isi PNS atau PPPK.").format(
                value=fields["employee_type"]
            )
        )
        employee_type = None
    if messages:
        return None, messages
    try:
        data = accounts_service.build_user_data(
            nip=fields["nip"],
            full_name=fields["full_name"],
            employee_type=employee_type,
            email=fields.get("email"),
            unit_name=fields.get("unit_name"),
            jabatan=fields.get("jabatan"),
            golongan=fields.get("golongan"),
        )
    except InvalidNIP as exc:
        return None, [_("NIP {nip}: {reason}").format(nip=fields["nip"], reason=exc)]
    except (InvalidGolongan, ValueError) as exc:
        return None, [str(exc)]
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
