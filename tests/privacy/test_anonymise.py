"""Anonymising a person who left: no trace of them anywhere, statistics and certificates kept."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import JSON, LargeBinary, String, Text, func, select
from sqlalchemy.orm import Session

import app.models  # noqa: F401 - every table registered on Base.metadata
from app.accounts.anonymised import placeholder_nip
from app.accounts.models import AuthSession, LoginFailure, PasswordResetToken, Role, User
from app.accounts.nip import mask
from app.audit.models import AuditEvent
from app.db import Base, utcnow
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.learning import jp
from app.learning.models import Certificate, Completion, ExternalLearning, QuizAttempt
from app.privacy import service
from tests.factories import csrf_token
from tests.privacy.conftest import EMAIL, NAME, Person, revoke, sign_in


def _traces(session: Session, needles: list[str]) -> list[str]:
    """Every table.column whose value contains one of `needles` (any case), bytes included."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [
            c for c in table.columns if isinstance(c.type, String | Text | JSON | LargeBinary)
        ]
        if not columns:
            continue
        for row in session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    text = value.decode("latin-1")
                elif isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, ensure_ascii=False)
                if any(needle.casefold() in text.casefold() for needle in needles):
                    found.append(f"{table.name}.{column.name}")
    return sorted(set(found))


def _statistics(session: Session) -> dict[str, Any]:
    """What HR reports are made of: counts, JP and scores by unit and type."""
    by_unit = session.execute(
        select(User.unit_id, User.employee_type, func.count(Completion.id), func.sum(Completion.jp),
               func.sum(Completion.final_score))
        .join(User, User.id == Completion.user_id)
        .group_by(User.unit_id, User.employee_type)
        .order_by(User.unit_id, User.employee_type)
    ).all()  # fmt: skip
    external = session.execute(
        select(User.unit_id, ExternalLearning.status, func.count(), func.sum(ExternalLearning.jp))
        .join(User, User.id == ExternalLearning.user_id)
        .where(ExternalLearning.status != "pending")
        .group_by(User.unit_id, ExternalLearning.status)
        .order_by(User.unit_id, ExternalLearning.status)
    ).all()
    surveys = session.execute(
        select(func.count(), func.sum(ReactionSurvey.relevance), func.sum(ReactionSurvey.quality))
    ).one()
    plans = session.execute(
        select(ActionPlan.follow_up_status, ActionPlan.supervisor_verdict, func.count()).group_by(
            ActionPlan.follow_up_status, ActionPlan.supervisor_verdict
        )
    ).all()
    attempts = session.execute(select(func.count(), func.sum(QuizAttempt.score))).one()
    years = {utcnow().year, 2026}
    return {
        "by_unit": [tuple(r) for r in by_unit],
        "external": [tuple(r) for r in external],
        "surveys": tuple(surveys),
        "plans": sorted(tuple(r) for r in plans),
        "attempts": tuple(attempts),
        "jp": {year: jp.jp_by_user(session, year) for year in years},
        "certificates": session.scalar(select(func.count()).select_from(Certificate)),
    }


def test_after_anonymisation_the_old_name_nip_and_email_are_nowhere_in_the_database(
    session: Session, person: Person
) -> None:
    needles = [person.nip, NAME, EMAIL, "Lamasitudju", "6281234567890"]
    assert len(_traces(session, needles)) > 10  # the fixture really spread them around
    service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    assert _traces(session, needles) == []


def test_anonymisation_keeps_every_statistic(session: Session, person: Person) -> None:
    before = _statistics(session)
    service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    assert _statistics(session) == before


def test_anonymised_account_is_deactivated_and_cannot_be_used(
    session: Session, person: Person
) -> None:
    user = person.user
    unit_id, employee_type = user.unit_id, user.employee_type
    report = service.anonymise(session, user, actor_id=None, via="cli")
    session.commit()
    session.refresh(user)
    assert report.nip == user.nip == placeholder_nip(user.id)
    assert len(user.nip) == 18 and service.is_anonymised(user)
    assert (user.full_name, user.email, user.jabatan, user.golongan) == (
        f"Pegawai anonim {user.id}", None, None, None,
    )  # fmt: skip
    assert (user.password_hash, user.locale, user.is_active) == (None, None, False)
    assert user.contract_start_on is None and user.phone is None
    assert user.roles == {Role.LEARNER}
    assert (user.unit_id, user.employee_type) == (unit_id, employee_type)
    for model in (AuthSession, PasswordResetToken):
        assert session.scalar(select(func.count()).select_from(model).where(
            model.user_id == user.id)) == 0  # fmt: skip
    assert (
        session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key.contains(person.nip))
        )
        == 0
    )


def test_uploaded_files_are_deleted_and_pending_submissions_dropped(
    session: Session, person: Person
) -> None:
    report = service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    rows = session.scalars(
        select(ExternalLearning).where(ExternalLearning.user_id == person.user.id)
    ).all()
    assert sorted(r.status for r in rows) == ["rejected", "verified"]
    assert {(r.file_name, r.certificate_number, r.reject_reason) for r in rows} == {
        ("", None, None)
    }
    assert report.counts["files_removed"] == 3 and report.counts["pending_external_deleted"] == 1
    plan = session.scalars(select(ActionPlan).where(ActionPlan.user_id == person.user.id)).one()
    assert (plan.plan, plan.supervisor_name, plan.follow_up_note, plan.supervisor_comment) == (
        "", None, None, None,
    )  # fmt: skip
    # The supervisor they named is another person, and would narrow down who they were.
    assert (plan.supervisor_nip, plan.supervisor_jabatan) == (None, None)
    assert (plan.follow_up_status, plan.supervisor_verdict) == ("applied", "fully")
    assert plan.supervisor_confirmed_at is not None and plan.supervisor_legacy is False
    assert plan.supervisor_token_hash is None


def test_anonymisation_is_idempotent_and_audited_once_without_personal_data(
    session: Session, person: Person
) -> None:
    first = service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    second = service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    assert (first.already, second.already, second.nip) == (False, True, first.nip)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.anonymised")
    ).all()
    assert len(events) == 1
    details = json.dumps(events[0].details)
    assert events[0].target_id == str(person.user.id)
    assert person.nip not in details and NAME not in details and EMAIL not in details
    assert events[0].details["certificates"] == 1


def test_a_name_shared_with_someone_else_is_left_alone_outside_the_persons_records(
    session: Session, person: Person
) -> None:
    from app.audit import service as audit

    other = audit.record(session, "roster.imported", filename=f"{NAME}-lama.xlsx")
    session.commit()
    service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    session.refresh(other)
    # The name is not unique: only the person's own events lose it. NIPs are replaced anywhere.
    assert other.details["filename"] == f"{NAME}-lama.xlsx"


def test_a_file_also_used_elsewhere_is_kept(session: Session, person: Person) -> None:
    from app.learning.models import ExternalLearning as EL

    row = session.scalars(
        select(EL).where(EL.user_id == person.user.id, EL.status == "verified")
    ).one()
    sha = row.file_sha256
    from tests.factories import make_user

    colleague = make_user(session, password=None)
    session.add(
        EL(
            user_id=colleague.id, title="Sama", organiser="ANRI", category="teknis",
            start_on=row.start_on, end_on=row.end_on, jp=2, file_sha256=sha,
            file_name="x.pdf", file_type="application/pdf",
        )
    )  # fmt: skip
    session.commit()
    report = service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    from app.content.models import Blob

    assert session.get(Blob, sha) is not None
    assert report.counts["files_removed"] == 2


def test_verification_page_still_says_valid_without_name_or_nip(
    client: TestClient, session: Session, person: Person
) -> None:
    number = person.certificate.number
    service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    response = client.get(f"/verifikasi/{number}")
    assert response.status_code == 200
    assert "Sertifikat ini SAH" in response.text
    assert "Nama disembunyikan (data pribadi telah dihapus)" in response.text
    assert NAME not in response.text and mask(person.nip) not in response.text
    assert "Pegawai anonim" not in response.text
    certificate = session.scalars(select(Certificate).where(Certificate.number == number)).one()
    assert (certificate.full_name, certificate.nip, certificate.jp) == ("", "", 6)
    assert certificate.course_code == "PPP-101" and certificate.unit_name == "Dinas Kesehatan"


def test_a_revoked_certificate_still_shows_revoked_after_anonymisation(
    client: TestClient, session: Session, person: Person, admin: User
) -> None:
    revoke(session, person, admin)
    service.anonymise(session, person.user, actor_id=None, via="cli")
    session.commit()
    response = client.get(f"/verifikasi/{person.certificate.number}")
    assert "DICABUT" in response.text and "Nama disembunyikan" in response.text
    assert NAME not in response.text
    assert _traces(session, [NAME]) == []  # the revocation reason named them too


def test_hr_and_admins_cannot_bring_an_anonymised_account_back(
    client: TestClient, session: Session, settings: Any, person: Person, admin: User
) -> None:
    user = person.user
    service.anonymise(session, user, actor_id=None, via="cli")
    session.commit()
    sign_in(client, session, settings, admin)
    url = f"/pegawai/{user.nip}"
    page = client.get(url)
    assert page.status_code == 200 and "sudah dianonimkan" in page.text
    assert "Aktifkan kembali" not in page.text and "Simpan peran" not in page.text
    token = csrf_token(client, url)

    for action, data in (
        ("status", {"active": "true"}),
        ("tautan-sandi", {}),
        ("peran", {"roles": ["learner", "admin"]}),
        ("buka-kunci", {}),
    ):
        refused = client.post(f"{url}/{action}", data={"csrf_token": token, **data})
        assert refused.status_code == 403, action
        assert "dianonimkan" in refused.text

    session.refresh(user)
    assert (user.is_active, user.password_hash, user.roles) == (
        False,
        None,
        frozenset({Role.LEARNER}),
    )
    assert session.scalar(select(func.count()).select_from(PasswordResetToken)) == 0
