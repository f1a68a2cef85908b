"""The supervisor named on someone's action plan is a person too: their export shows where
they were named and what they answered, and anonymising them blanks them there."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.evaluation import summary
from app.evaluation.models import ActionPlan
from app.privacy import service
from app.privacy.export import collect
from tests.factories import make_user
from tests.privacy.conftest import SUPERVISOR_NAME, SUPERVISOR_NIP, Person


def _waiting_plan(session: Session, person: Person) -> ActionPlan:
    """A second learner's plan whose link waits for the same supervisor."""
    other = make_user(session, password=None, full_name="Yusuf Tanjung")
    plan = ActionPlan(
        user_id=other.id, course_id=person.completion.course_id, plan="Menata antrean loket.",
        supervisor_name=SUPERVISOR_NAME, supervisor_nip=SUPERVISOR_NIP,
        supervisor_jabatan="Kepala Puskesmas", follow_up_on=date(2026, 6, 1),
        follow_up_at=utcnow(), follow_up_status="partly", supervisor_token_hash="b" * 64,
        supervisor_link_expires_at=utcnow() + timedelta(days=7),
    )  # fmt: skip
    session.add(plan)
    session.commit()
    return plan


def test_export_of_a_supervisor_lists_where_they_were_named_and_their_answers(
    session: Session, person: Person
) -> None:
    waiting = _waiting_plan(session, person)
    boss = make_user(session, password=None, nip=SUPERVISOR_NIP, full_name=SUPERVISOR_NAME)
    given = collect(session, boss)["supervisor_confirmations_given"]
    assert [row["action_plan_id"] for row in given] == sorted(
        [
            waiting.id,
            *session.scalars(select(ActionPlan.id).where(ActionPlan.user_id == person.user.id)),
        ]
    )
    answered = next(row for row in given if row["verdict"])
    assert answered["verdict"] == "fully"
    assert answered["supervisor_nip"] == SUPERVISOR_NIP
    assert answered["course_code"] == "PPP-101"
    # What the supervisor wrote is theirs; the learners' plans, reports and names are not.
    assert answered["comment"] == f"Benar, {person.user.full_name} menerapkannya."
    text = repr(given)
    for learner_text in ("Menata antrean loket.", "Yusuf Tanjung", "menata arsip puskesmas"):
        assert learner_text not in text
    assert collect(session, person.user)["supervisor_confirmations_given"] == []


def test_anonymising_a_supervisor_blanks_them_on_others_plans_and_keeps_their_answers(
    session: Session, person: Person
) -> None:
    waiting = _waiting_plan(session, person)
    course_id = person.completion.course_id
    assert course_id is not None
    before = summary.course_evaluation_summary(session, course_id)
    boss = make_user(session, password=None, nip=SUPERVISOR_NIP, full_name=SUPERVISOR_NAME)
    report = service.anonymise(session, boss, actor_id=None, via="cli")
    session.commit()
    session.expire_all()
    assert report.counts["named_as_supervisor"] == 2
    rows = session.scalars(select(ActionPlan).where(ActionPlan.course_id == course_id)).all()
    assert {(r.supervisor_name, r.supervisor_nip, r.supervisor_jabatan) for r in rows} == {
        (None, None, None)
    }
    answered = next(r for r in rows if r.user_id == person.user.id)
    assert (answered.supervisor_verdict, answered.supervisor_legacy) == ("fully", False)
    # Nobody can prove to be the anonymised supervisor: the waiting link is voided.
    waited = session.get(ActionPlan, waiting.id)
    assert waited is not None
    assert (waited.supervisor_token_hash, waited.supervisor_link_expires_at) == (None, None)
    after = summary.course_evaluation_summary(session, course_id)
    assert (after.supervisor_confirmed, after.supervisor_contradicted) == (
        before.supervisor_confirmed,
        before.supervisor_contradicted,
    )
    assert (before.supervisor_pending, after.supervisor_pending) == (1, 0)
