"""The snapshot of a certificate: everything its PDF prints, frozen when it is issued.

A certificate is a document about a moment: who the person was (name, NIP, pangkat, jabatan,
unit), what they completed (course, code, category, JP, score, modules and minutes, study
period) and who vouched for it (issuer, instansi, signatory by name, NIP, pangkat and title,
the verification address). All of it is copied into `certificates.snapshot` at issue; the PDF
is drawn from the snapshot alone, so later changes to the person, the course or the settings
never change a certificate already issued. A correction is a re-issue (a new number).

`source` says how the snapshot was made: "issued" (at issue, from what was true then) or
"migrated" (built later, from the settings of that moment, for certificates issued before
snapshots existed; their identity and course fields were already frozen, only the issuing
unit's fields and the module list were filled in afterwards).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from app import clock
from app.accounts.golongan import pangkat_golongan
from app.accounts.viewer import Person
from app.content.catalog import CourseView
from app.learning.pdf_certificate import LEARNING_MODE, CertificateData, ModuleLine

SNAPSHOT_VERSION = 1
ISSUED = "issued"
MIGRATED = "migrated"
_DATES = ("completed_on", "started_on", "issued_on")


@dataclass(frozen=True)
class Authority:
    """The issuing unit and signatory as the settings name them at the moment of issue."""

    issuer: str
    instansi: str
    signatory_name: str
    signatory_nip: str
    signatory_pangkat: str
    signatory_title: str
    base_url: str

    def verify_url(self, number: str) -> str:
        return f"{self.base_url.rstrip('/')}/verifikasi/{number}"


def to_json(data: CertificateData) -> dict[str, Any]:
    """The snapshot as stored in the JSON column (dates as ISO strings)."""
    raw = asdict(data)
    for key in _DATES:
        value = raw[key]
        raw[key] = value.isoformat() if value is not None else None
    raw["modules"] = [{"title": m.title, "minutes": m.minutes} for m in data.modules]
    raw["v"] = SNAPSHOT_VERSION
    return raw


def from_json(raw: dict[str, Any]) -> CertificateData:
    """The stored snapshot back as what the PDF prints."""
    known = {f.name for f in fields(CertificateData)}
    values = {key: value for key, value in raw.items() if key in known}
    for key in _DATES:
        if values.get(key) is not None:
            values[key] = date.fromisoformat(values[key])
    values["modules"] = tuple(
        ModuleLine(title=str(m["title"]), minutes=int(m["minutes"]))
        for m in values.get("modules", ())
    )
    return CertificateData(**values)


def holder_and_issuer(number: str, person: Person, authority: Authority) -> dict[str, Any]:
    """The fields every certificate takes when it is issued (first issue, a class's, or a
    re-issue): its number, the holder's current profile and the issuing unit's settings."""
    return {
        "number": number,
        "full_name": person.full_name,
        "nip": person.nip,
        "employee_type": person.employee_type,
        "pangkat_golongan": pangkat_golongan(person.golongan),
        "jabatan": person.jabatan or "-",
        "unit_kerja": person.unit_name or "-",
        "instansi": authority.instansi,
        "issuer": authority.issuer,
        "signatory_name": authority.signatory_name,
        "signatory_title": authority.signatory_title,
        "signatory_nip": authority.signatory_nip,
        "signatory_pangkat": authority.signatory_pangkat,
        "verify_url": authority.verify_url(number),
    }


def at_issue(
    *,
    number: str,
    person: Person,
    view: CourseView,
    started_at: datetime | None,
    completed_at: datetime,
    final_score: int,
    jp: int,
    issued_at: datetime,
    authority: Authority,
) -> CertificateData:
    """What a certificate issued now prints: the person's current profile, the course version
    they completed, and the issuing unit's current settings."""
    return CertificateData(
        **holder_and_issuer(number, person, authority),
        course_title=view.title,
        course_code=view.code,
        category=view.category,
        jp=jp,
        completed_on=clock.local_date(completed_at),
        final_score=final_score,
        started_on=clock.local_date(started_at) if started_at is not None else None,
        issued_on=clock.local_date(issued_at),
        learning_mode=LEARNING_MODE,
        modules=tuple(ModuleLine(m.title, m.minutes) for m in view.modules),
    )


def reissued(
    frozen: CertificateData,
    *,
    number: str,
    person: Person,
    started_at: datetime | None,
    completed_at: datetime,
    final_score: int,
    jp: int,
    issued_at: datetime,
    authority: Authority,
) -> CertificateData:
    """What the re-issue of a class certificate prints: the person's current profile and the
    issuing unit's current settings, around what was learnt as `frozen` (the old certificate)
    says it -- title, code, category, learning mode, modules -- never the class row, which
    may have changed since; the score, JP and dates are the completion's."""
    return replace(
        frozen,
        **holder_and_issuer(number, person, authority),
        jp=jp,
        completed_on=clock.local_date(completed_at),
        final_score=final_score,
        started_on=clock.local_date(started_at) if started_at is not None else frozen.started_on,
        issued_on=clock.local_date(issued_at),
    )
