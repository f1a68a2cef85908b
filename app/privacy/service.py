"""Personal-data operations for admins: export everything about a person, anonymise them.

Routes and the CLI call these; each records its audit event in the caller's transaction and
never puts the person's data in the audit details.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts import anonymised
from app.accounts import nip as nip_rules
from app.accounts.models import User
from app.audit import service as audit
from app.privacy import anonymise as anonymise_rules
from app.privacy import export

AnonymiseReport = anonymise_rules.AnonymiseReport
is_anonymised = anonymised.is_anonymised


def export_archive(session: Session, person: User, *, actor_id: int | None, via: str) -> bytes:
    """The subject access .zip (data.json and uploaded files), audited as privacy.exported."""
    data = export.build_archive(session, person)
    audit.record(
        session,
        "privacy.exported",
        actor_id=actor_id,
        target_type="user",
        target_id=person.id,
        via=via,
        size=len(data),
    )
    return data


@dataclass(frozen=True)
class SectionCount:
    section: str
    description: str
    count: int


def summary(session: Session, person: User) -> list[SectionCount]:
    """How many records each section of the export holds, for the admin's page."""
    document = export.collect(session, person)
    found = []
    for section, description in export.descriptions().items():
        value = document[section]
        count = len(value) if isinstance(value, list) else int(value is not None)
        found.append(SectionCount(section, description, count))
    return found


def confirmation_matches(person: User, typed: str) -> bool:
    """Whether the admin retyped this person's NIP (spaces, dots and dashes ignored)."""
    return bool(typed) and nip_rules.normalize(typed).upper() == person.nip


def anonymise(session: Session, person: User, *, actor_id: int | None, via: str) -> AnonymiseReport:
    """Anonymise a person who has left (idempotent); see app.privacy.anonymise."""
    return anonymise_rules.anonymise(session, person, actor_id=actor_id, via=via)
