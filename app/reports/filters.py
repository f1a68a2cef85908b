"""Reading report filters from a query string or the CLI, with messages HR understands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.accounts import nip as nip_rules
from app.i18n import gettext as _
from app.reports.completions import STATUS_LABELS, ExportFilters


class FilterError(ValueError):
    """A filter value is wrong; the message names the field."""


@dataclass
class RawFilters:
    dari: str = ""
    sampai: str = ""
    unit: str = ""
    kursus: str = ""
    status: str = ""
    nip: str = ""
    jenis: str = ""


def _date(value: str, label: str) -> date | None:
    if not value.strip():
        return None
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(
            _("{field}: '{value}' bukan tanggal (gunakan TTTT-BB-HH).").format(
                field=label, value=value[:20]
            )
        ) from None
    if not date(2000, 1, 1) <= parsed <= date(2100, 12, 31):
        raise FilterError(
            _("{field}: tanggal harus antara tahun 2000 dan 2100.").format(field=label)
        )
    return parsed


def parse(raw: RawFilters) -> ExportFilters:
    """Validate the filters; raises FilterError naming the wrong field."""
    date_from = _date(raw.dari, _("Dari tanggal"))
    date_to = _date(raw.sampai, _("Sampai tanggal"))
    if date_from and date_to and date_to < date_from:
        raise FilterError(_("Sampai tanggal tidak boleh sebelum dari tanggal."))
    unit_id = None
    if raw.unit.strip():
        # isascii(): "²" is a Unicode digit that int() refuses; 9 digits fit an INTEGER id.
        if not (raw.unit.strip().isascii() and raw.unit.strip().isdigit()) or len(raw.unit) > 9:
            raise FilterError(_("Unit kerja tidak dikenal."))
        unit_id = int(raw.unit.strip())
    status = raw.status.strip() or None
    if status is not None and status not in STATUS_LABELS:
        raise FilterError(
            _(
                "Status '{value}' tidak dikenal; pilih selesai, berjalan, atau lewat_tenggat."
            ).format(value=status[:30])
        )
    nip = None
    if raw.nip.strip():
        try:
            nip = nip_rules.digits(raw.nip)  # the messages name the NIP already
        except nip_rules.InvalidNIP as exc:
            raise FilterError(str(exc)) from None
        if len(nip) != nip_rules.NIP_LENGTH:
            raise FilterError(
                _("NIP harus 18 digit; yang diisi {count} digit.").format(count=len(nip))
            )
    employee_type = raw.jenis.strip().upper() or None
    if employee_type is not None and employee_type not in ("PNS", "PPPK"):
        raise FilterError(_("Jenis pegawai harus PNS atau PPPK."))
    return ExportFilters(
        date_from=date_from,
        date_to=date_to,
        unit_id=unit_id,
        course_code=raw.kursus.strip() or None,
        status=status,  # type: ignore[arg-type]
        nip=nip,
        employee_type=employee_type,  # type: ignore[arg-type]
    )
