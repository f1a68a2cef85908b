"""The audit hash chain: sealing at commit, verifying, and anonymisation keeping it intact."""

from __future__ import annotations

import json
from itertools import pairwise

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit import chain
from app.audit import service as audit
from app.audit.models import AuditChainHead, AuditEvent
from app.audit.verify import verify
from app.privacy import anonymise
from tests.factories import make_user


def _chain(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_events_committed_in_several_transactions_form_one_linked_chain(
    session: Session,
) -> None:
    admin = make_user(session, roles={Role.ADMIN})  # user.created, committed
    audit.record(session, "export.completions", actor_id=admin.id, filters={"unit": 3})
    audit.record(session, "user.unlocked", actor_id=admin.id, target_type="user", target_id=7)
    session.commit()

    events = _chain(session)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == chain.GENESIS
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in pairwise(events))
    head = session.get(AuditChainHead, 1)
    assert head is not None and (head.seq, head.head_hash) == (len(events), events[-1].entry_hash)
    report = verify(session)
    assert (report.intact, report.entries) == (True, len(events))


def test_an_event_is_unsealed_until_its_transaction_commits(session: Session) -> None:
    event = audit.record(session, "roster.imported", rows=3)
    session.flush()
    assert (event.seq, event.entry_hash) == (None, None)
    session.commit()
    assert event.seq is not None and event.entry_hash is not None


def test_events_rolled_back_with_a_savepoint_take_no_number_and_leave_no_gap(
    session: Session,
) -> None:
    audit.record(session, "kept.before")
    with session.begin_nested() as nested:
        audit.record(session, "rolled.back")
        session.flush()
        nested.rollback()
    audit.record(session, "kept.after")
    session.commit()

    assert [(e.action, e.seq) for e in _chain(session)] == [("kept.before", 1), ("kept.after", 2)]
    assert verify(session).intact


def test_details_are_hashed_as_stored_whatever_their_python_types(session: Session) -> None:
    # int keys become strings in JSON and sort differently ("10" < "9"): hash what is stored.
    event = audit.record(session, "export.odd", counts={9: 1, 10: 2}, pair=(1, 2), score=0.1)
    session.commit()
    session.expire_all()

    assert event.details == {"counts": {"9": 1, "10": 2}, "pair": [1, 2], "score": 0.1}
    assert verify(session).intact


def test_verify_names_the_first_altered_entry_when_several_are_altered(session: Session) -> None:
    for number in range(5):
        audit.record(session, "export.completions", n=number)
    session.commit()
    events = _chain(session)
    for victim in (events[3], events[1]):
        session.execute(
            update(AuditEvent).where(AuditEvent.id == victim.id).values(details={"n": 99})
        )

    report = verify(session)

    assert report.broken is not None
    assert (report.broken.entry_id, report.broken.seq) == (events[1].id, 2)
    assert "hash-nya sendiri" in report.broken.problem
    assert report.entries == 1


def test_anonymisation_rewrites_old_entries_without_breaking_the_chain(session: Session) -> None:
    admin = make_user(session, roles={Role.ADMIN})
    person = make_user(session, full_name="Rahmat Lamasitudju", email="rahmat@palu.go.id")
    audit.record(
        session, "certificate.revoked", actor_id=admin.id, target_type="user",
        target_id=person.id, reason="Salah nama: Rahmat Lamasitudju",
    )  # fmt: skip
    mention = audit.record(session, "roster.imported", filename=f"{person.nip}.xlsx")
    session.commit()
    old_nip = person.nip

    anonymise.anonymise(session, person, actor_id=admin.id, via="web")
    session.commit()

    trail = json.dumps([(e.target_id, e.details) for e in _chain(session)])
    assert old_nip not in trail and "Rahmat" not in trail and "rahmat@" not in trail
    anonymised = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.anonymised")
    ).one()
    assert str(mention.seq) in anonymised.details["redacted"]
    report = verify(session)
    assert (report.intact, report.redacted) == (True, 2)

    # A rewritten entry is still protected: changing it again is detected.
    session.execute(
        update(AuditEvent).where(AuditEvent.id == mention.id).values(details={"filename": "x"})
    )
    broken = verify(session).broken
    assert broken is not None and broken.entry_id == mention.id
    assert "anonimisasi" in broken.problem
