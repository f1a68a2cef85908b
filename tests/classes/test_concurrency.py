"""The last seat under concurrency, on both databases: learners registering at the same moment,
each in their own thread, connection and transaction (alternating between two engines, as two
worker processes or instances have), all released at once and committed for real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Role
from app.classes import service
from app.classes.models import ClassRegistration, ClassSession
from app.db import make_engine, make_sessionmaker, session_scope
from tests.factories import make_user

LEARNERS = 8
# Far ahead, so the session is open whatever the day the suite runs.
STARTS = datetime(2036, 12, 7, 1, 0, tzinfo=UTC)


@pytest.fixture
def two_instances(fresh_database_url: str) -> Iterator[list[sessionmaker[Session]]]:
    engines = [make_engine(fresh_database_url, pool_size=LEARNERS + 2) for _ in range(2)]
    yield [make_sessionmaker(engine) for engine in engines]
    for engine in engines:
        engine.dispose()


def _class(factory: sessionmaker[Session], capacity: int, people: int) -> tuple[int, list[int]]:
    """A scheduled session of `capacity` seats and `people` learners (ids), committed."""
    with session_scope(factory) as session:
        trainer = make_user(session, roles={Role.TRAINER}, password=None)
        row = service.schedule(
            session,
            service.SessionValues(
                title="Bimtek Arsip Digital",
                description="",
                course_id=None,
                jp=4,
                category="teknis",
                starts_at=STARTS,
                ends_at=STARTS + timedelta(hours=2),
                place="Aula",
                online_url="",
                capacity=capacity,
                registration="open",
                late_after_minutes=None,
            ),
            actor_id=trainer.id,
            trainer_id=trainer.id,
        )
        ids = [make_user(session, password=None).id for _ in range(people)]
        return row.id, ids


def _at_once(
    factories: list[sessionmaker[Session]], jobs: list[Callable[[Session], object]]
) -> list[object]:
    """Run each job in its own transaction, all released together; results or exceptions."""
    start = threading.Barrier(len(jobs))

    def run(index: int) -> object:
        start.wait()
        try:
            with session_scope(factories[index % len(factories)]) as session:
                return jobs[index](session)
        except Exception as exc:  # collected: the test asserts there is none
            return exc

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, range(len(jobs))))


def _register(class_id: int, user_id: int) -> Callable[[Session], object]:
    def job(session: Session) -> object:
        row = session.get(ClassSession, class_id)
        assert row is not None
        return service.register(session, row, user_id, actor_id=user_id).status

    return job


def _rows(factory: sessionmaker[Session], class_id: int) -> list[ClassRegistration]:
    with factory() as session:
        return list(
            session.scalars(
                select(ClassRegistration)
                .where(ClassRegistration.session_id == class_id)
                .order_by(ClassRegistration.registered_at, ClassRegistration.id)
            )
        )


@pytest.mark.parametrize("capacity", [1, 3])
def test_learners_registering_at_once_fill_exactly_the_free_seats_and_wait_in_order(
    two_instances: list[sessionmaker[Session]], capacity: int
) -> None:
    class_id, people = _class(two_instances[0], capacity, LEARNERS)
    outcomes = _at_once(two_instances, [_register(class_id, uid) for uid in people])

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert outcomes.count("registered") == capacity
    assert outcomes.count("waiting") == LEARNERS - capacity
    rows = _rows(two_instances[1], class_id)
    assert len(rows) == LEARNERS
    # Seats went to the first `capacity` to register, the rest wait in the order they came:
    # the row ids (given inside the serialised part) agree with the registration times.
    assert [r.status for r in rows] == ["registered"] * capacity + ["waiting"] * (
        LEARNERS - capacity
    )
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    with two_instances[1]() as session:
        waiting = [r.user_id for r in service.waiting_list(session, class_id)]
    assert waiting == [r.user_id for r in rows[capacity:]]


def test_a_cancellation_promotes_the_first_waiting_while_others_register(
    two_instances: list[sessionmaker[Session]],
) -> None:
    # 3 seats taken, 2 waiting; then 2 seated people cancel while 4 newcomers register.
    class_id, people = _class(two_instances[0], 3, 9)
    seated, waiting, newcomers = people[:3], people[3:5], people[5:]
    for uid in seated + waiting:
        with session_scope(two_instances[0]) as session:
            _register(class_id, uid)(session)

    def cancel(user_id: int) -> Callable[[Session], object]:
        def job(session: Session) -> object:
            row = session.get(ClassSession, class_id)
            assert row is not None
            service.unregister(session, row, user_id, actor_id=user_id)
            return "cancelled"

        return job

    jobs = [cancel(seated[0]), cancel(seated[1])] + [_register(class_id, u) for u in newcomers]
    outcomes = _at_once(two_instances, jobs)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert outcomes[2:] == ["waiting"] * 4  # the waiting list had people: no newcomer jumps it
    by_user = {r.user_id: r.status for r in _rows(two_instances[1], class_id)}
    assert [by_user[u] for u in seated] == ["cancelled", "cancelled", "registered"]
    assert [by_user[u] for u in waiting] == ["registered", "registered"]
    with two_instances[1]() as session:
        assert service.seats_taken(session, class_id) == 3
        assert sorted(r.user_id for r in service.waiting_list(session, class_id)) == newcomers
