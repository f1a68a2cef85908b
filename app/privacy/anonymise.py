"""Anonymising an ASN who has left (UU PDP 27/2022, the right to erasure).

What identifies the person goes; what the city's statistics are made of stays:

- the user row keeps its id, employee type and unit kerja, so completion counts and JP totals
  by unit and by type do not change; name, NIP, email, jabatan, golongan, contract start,
  password and language are replaced or cleared and the account is deactivated with privileged
  roles removed;
- completions, scores, quiz attempts, progress and enrolments stay as they are: they hold
  course ids, module slugs, option ids and numbers, nothing that names the person;
- certificates stay (the public verification page must still say whether a number is genuine)
  but the frozen name, NIP, jabatan and golongan are blanked, in the columns and in the
  snapshot of what was printed, and the stored signed PDF (which prints them) is deleted;
- free text the person or others wrote about them (survey comments, action plans, follow-up
  notes, HR's notes and reasons) is blanked, the numbers and statuses kept; so is the
  supervisor they named (name, NIP, jabatan) and the supervisor's comment: the supervisor is
  another person, and who supervised someone narrows down who they were. The verdict, its
  time and whether it was verified stay, so the trainer report's confirmed / contradicted
  counts do not change;
- where the person was themselves the named supervisor on other people's action plans, their
  name, NIP and jabatan are blanked there (the answers they gave stay and still count), and a
  link still waiting for them is voided: nobody could prove to be them any more;
- login sessions, one-time links and failed-login counters are deleted;
- uploaded certificate files are deleted: a scan of a certificate is the most identifying
  thing Lentera holds. Verified and rejected external learning keeps its row (title, dates,
  JP, status) so JP totals stay right; pending submissions are deleted, because without the
  file nobody can verify them and they never counted;
- the old NIP and e-mail are replaced wherever they appear in the audit trail, and the old
  name in every audit event about the person; who did what and when stays. The trail is
  hash-chained: the anonymisation event records each rewritten entry's new hash, which
  `lentera audit verify` checks the entry against (docs/security.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, and_, cast, delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON, String, Text

from app.accounts.anonymised import (
    is_anonymised,
    placeholder_name,
    placeholder_nip,
)
from app.accounts.models import (
    AuthSession,
    LoginFailure,
    PasswordResetToken,
    Role,
    User,
)
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.content.models import Blob
from app.db import Base, insert_or_ignore
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation, ReactionSurvey
from app.learning.models import Assignment, Certificate, Completion, ExternalLearning
from app.privacy.coverage import USER_LINKS
from app.privacy.export import REMOVED_FILE_SHA256, audit_query

# Free-text keys in audit details that may describe the person (a revocation or rejection
# reason, a note); blanked in the events about them.
_FREE_TEXT_KEYS = {"reason", "note", "comment", "plan"}


@dataclass
class AnonymiseReport:
    """What anonymisation did; counts only, never the old personal data."""

    user_id: int
    nip: str
    already: bool = False
    counts: dict[str, int] = field(default_factory=dict)


class _Scrubber:
    """Replaces the old identifiers inside text and JSON values."""

    def __init__(self, patterns: Sequence[tuple[re.Pattern[str], str]]) -> None:
        self.patterns = patterns

    @classmethod
    def for_identity(
        cls, *, nip: str, email: str | None, new_nip: str, name: str = "", new_name: str = ""
    ) -> _Scrubber:
        """Patterns for the NIP and e-mail, and for the name when one is given."""
        patterns = [(re.compile(rf"(?<!\d){re.escape(nip)}(?!\d)"), new_nip)]
        if email:
            patterns.append((re.compile(re.escape(email), re.IGNORECASE), ""))
        if name.strip():
            # Whole words only, any case: "Andi" must not turn "Andika" into nonsense.
            pattern = re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
            patterns.append((pattern, new_name))
        return cls(patterns)

    def text(self, value: str) -> str:
        for pattern, replacement in self.patterns:
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _text_columns(table: Table) -> list[Column[Any]]:
    return [
        column
        for column in table.columns
        if not column.primary_key and isinstance(column.type, String | Text | JSON)
    ]


def _sweep(session: Session, table: Table, where: Any, scrub: _Scrubber) -> int:
    """Replace the old identifiers in every text and JSON column of the matching rows."""
    columns = _text_columns(table)
    if not columns:
        return 0
    keys = list(table.primary_key.columns)
    changed = 0
    for row in session.execute(select(*keys, *columns).where(where)).mappings().all():
        values = {}
        for column in columns:
            current = row[column.key]
            if current is None:
                continue
            cleaned = scrub.value(current)
            if cleaned != current:
                values[column.key] = cleaned
        if values:
            session.execute(
                update(table)
                .where(and_(*(key == row[key.key] for key in keys)))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            changed += 1
    return changed


def _sweep_owned_rows(session: Session, user_id: int, scrub: _Scrubber) -> int:
    """The safety net: no old identifier survives in any row that belongs to the person."""
    changed = 0
    for path, link in USER_LINKS.items():
        if not link.owned or path.startswith("audit_events."):
            continue
        table_name, column_name = path.split(".")
        table = Base.metadata.tables[table_name]
        changed += _sweep(session, table, table.c[column_name] == user_id, scrub)
    certificates = Base.metadata.tables["certificates"]
    completions = select(Completion.id).where(Completion.user_id == user_id)
    changed += _sweep(session, certificates, certificates.c.completion_id.in_(completions), scrub)
    return changed


def _remove_files(session: Session, user_id: int) -> tuple[int, int]:
    """Delete pending submissions and every uploaded file; (files removed, pending deleted)."""
    rows = session.execute(
        select(ExternalLearning.id, ExternalLearning.file_sha256, ExternalLearning.status).where(
            ExternalLearning.user_id == user_id
        )
    ).all()
    hashes = {sha for _id, sha, _status in rows if sha != REMOVED_FILE_SHA256}
    pending = [row_id for row_id, _sha, status in rows if status == "pending"]
    if pending:
        session.execute(delete(ExternalLearning).where(ExternalLearning.id.in_(pending)))
    if len(rows) > len(pending):
        insert_or_ignore(session, Blob, {"sha256": REMOVED_FILE_SHA256, "size": 0, "data": b""})
        session.execute(
            update(ExternalLearning)
            .where(ExternalLearning.user_id == user_id)
            .values(
                file_sha256=REMOVED_FILE_SHA256,
                file_name="",
                file_type="",
                certificate_number=None,
                reject_reason=None,
            )
            .execution_options(synchronize_session=False)
        )
    removed = 0
    for sha in hashes:
        if not _blob_in_use(session, sha):
            session.execute(delete(Blob).where(Blob.sha256 == sha))
            removed += 1
    return removed, len(pending)


def _blob_in_use(session: Session, sha: str) -> bool:
    """Whether any row still points at these bytes (course files share the blob table)."""
    blobs = Base.metadata.tables["blobs"]
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is blobs:
                found = session.execute(select(fk.parent).where(fk.parent == sha).limit(1)).first()
                if found is not None:
                    return True
    return False


def _blank_free_text(session: Session, user_id: int) -> int:
    """Blank what people wrote about the person; scales, statuses and dates stay."""
    blanked = 0
    statements: list[Any] = [
        update(ReactionSurvey).where(ReactionSurvey.user_id == user_id).values(comment=None),
        update(ActionPlan)
        .where(ActionPlan.user_id == user_id)
        .values(
            plan="",
            supervisor_name=None,
            supervisor_nip=None,
            supervisor_jabatan=None,
            follow_up_note=None,
            supervisor_comment=None,
            # An unused supervisor link stops working: it would show the (now blank) plan.
            supervisor_token_hash=None,
        ),
        update(Assignment).where(Assignment.user_id == user_id).values(note=None),
        update(Observation).where(Observation.user_id == user_id).values(note=None),
        update(FollowUpInterview)
        .where(FollowUpInterview.user_id == user_id)
        .values(skills_applied="", obstacles=None, support_needed=None, note=None),
    ]
    for statement in statements:
        blanked += _rowcount(
            session.execute(statement.execution_options(synchronize_session=False))
        )
    return blanked


def _blank_as_supervisor(session: Session, nip: str) -> int:
    """Blank the person where they are the named supervisor on other people's plans."""
    named = ActionPlan.supervisor_nip == nip
    session.execute(
        update(ActionPlan)
        .where(named, ActionPlan.supervisor_confirmed_at.is_(None))
        .values(supervisor_token_hash=None, supervisor_link_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        update(ActionPlan)
        .where(named)
        .values(supervisor_name=None, supervisor_nip=None, supervisor_jabatan=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def _blank_certificates(session: Session, user_id: int) -> int:
    """Keep each certificate verifiable, without the name, NIP, jabatan and golongan on it,
    and without its stored PDF (the file prints them; it cannot be edited and stay signed)."""
    completions = select(Completion.id).where(Completion.user_id == user_id)
    rows = session.scalars(
        select(Certificate).where(Certificate.completion_id.in_(completions))
    ).all()
    files = {row.pdf_sha256 for row in rows if row.pdf_sha256 is not None}
    for row in rows:
        if row.snapshot is not None:
            row.snapshot = {
                **row.snapshot,
                **{"full_name": "", "nip": "", "pangkat_golongan": "-", "jabatan": "-"},
            }
    session.flush()
    session.execute(
        update(Certificate)
        .where(Certificate.completion_id.in_(completions))
        .values(
            full_name="", nip="", jabatan=None, golongan=None, revoke_reason=None, pdf_sha256=None
        )
        .execution_options(synchronize_session=False)
    )
    for sha in files:
        if not _blob_in_use(session, sha):
            session.execute(delete(Blob).where(Blob.sha256 == sha))
    for row in rows:
        session.expire(row)
    return len(rows)


def _scrub_audit(
    session: Session,
    linked: set[int],
    nip: str,
    email: str | None,
    full: _Scrubber,
    unique: _Scrubber,
) -> tuple[int, dict[str, str]]:
    """Replace the old identifiers in the audit trail; the events themselves stay.

    The NIP and e-mail are unique, so they are replaced in any event that mentions them. A name
    is not (two people may share it, and it may be a common word), so it is replaced, and free
    text blanked, only in the events about this person: theirs, or on them or their records.

    The trail is hash-chained: each rewritten entry gets a new hash (`audit.redact`), returned
    here by entry number for the `privacy.anonymised` event to record, so the chain still
    verifies and any later change to a rewritten entry is still detected. Returns (entries
    changed, {entry number: new hash}).
    """
    details = cast(AuditEvent.details, Text)
    mentions = [details.contains(nip, autoescape=True), AuditEvent.target_id == nip]
    if email:
        mentions.append(details.icontains(email, autoescape=True))
    mentioned = set(session.scalars(select(AuditEvent.id).where(or_(*mentions))))
    changed, redacted = 0, {}
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.id.in_(linked | mentioned)).order_by(AuditEvent.id)
    )
    for event in events:
        scrub = full if event.id in linked else unique
        cleaned = scrub.value(event.details)
        if event.id in linked:
            cleaned = {
                key: "" if key in _FREE_TEXT_KEYS and isinstance(value, str) else value
                for key, value in cleaned.items()
            }
        target = scrub.text(event.target_id) if event.target_id else event.target_id
        if cleaned != event.details or target != event.target_id:
            changed += 1
            new_hash = audit.redact(event, details=cleaned, target_id=target)
            if new_hash is not None:
                redacted[str(event.seq)] = new_hash
    return changed, redacted


def anonymise(session: Session, user: User, *, actor_id: int | None, via: str) -> AnonymiseReport:
    """Anonymise `user` in the caller's transaction; a second call changes nothing."""
    if is_anonymised(user):
        return AnonymiseReport(user_id=user.id, nip=user.nip, already=True)
    session.flush()
    old_nip, old_name, old_email = user.nip, user.full_name, user.email
    new_nip, new_name = placeholder_nip(user.id), placeholder_name(user.id)
    unique = _Scrubber.for_identity(nip=old_nip, email=old_email, new_nip=new_nip)
    full = _Scrubber.for_identity(
        nip=old_nip, email=old_email, new_nip=new_nip, name=old_name, new_name=new_name
    )
    # Found first: deleting pending submissions below would hide the events about them.
    linked = set(session.scalars(audit_query(session, user).with_only_columns(AuditEvent.id)))
    counts: dict[str, int] = {}
    run: dict[str, Callable[[], int]] = {
        "login_sessions": lambda: _rowcount(
            session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
        ),
        "password_reset_links": lambda: _rowcount(
            session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
        ),
        "login_failures": lambda: _rowcount(
            session.execute(
                delete(LoginFailure).where(
                    or_(LoginFailure.key == f"nip:{old_nip}", LoginFailure.nip == old_nip)
                )
            )
        ),
        "certificates": lambda: _blank_certificates(session, user.id),
        "free_text": lambda: _blank_free_text(session, user.id),
        "named_as_supervisor": lambda: _blank_as_supervisor(session, old_nip),
    }
    for name, step in run.items():
        counts[name] = step()
    counts["files_removed"], counts["pending_external_deleted"] = _remove_files(session, user.id)
    counts["rows_scrubbed"] = _sweep_owned_rows(session, user.id, full)
    counts["audit_events_scrubbed"], redacted = _scrub_audit(
        session, linked, old_nip, old_email, full, unique
    )
    user.nip = new_nip
    user.full_name = new_name
    user.email = None
    user.phone = None
    user.jabatan = None
    user.golongan = None
    # The contract start (TMT PPPK) is a date of the person's career that narrows down who they
    # were; it only sets their contract year for JP, which a departed account no longer needs.
    user.contract_start_on = None
    user.password_hash = None
    user.locale = None
    user.is_active = False
    # An anonymous account must never carry rights, even if someone reactivates it.
    user.set_roles({Role.LEARNER})
    session.flush()
    session.expire_all()
    audit.record(
        session,
        "privacy.anonymised",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        via=via,
        **counts,
        redacted=redacted,
    )
    return AnonymiseReport(user_id=user.id, nip=new_nip, counts=counts)
