"""The trainer's course report: numbers from real rows and the real flow, on both databases,
for the course's owners and admins only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import Role, User
from app.config import Settings
from app.content import store
from app.content.models import Course, ModuleVersion, QuizVersion
from app.db import utcnow
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.learning import quizzes
from app.learning.models import Completion, Enrolment, ModuleProgress, QuizAttempt
from app.reports.course_report import CourseReport
from app.web.deps import SESSION_COOKIE
from tests.factories import csrf_token, make_user
from tests.learning.test_journey import _complete_all_modules, _take_quiz

CODE = "PPP-101"
URL = f"/pengajar/kursus/{CODE}/laporan"
T0 = utcnow() - timedelta(days=20)
OPENED_AFTER = timedelta(minutes=30)  # the pre-test (submitted at T0 + 10 min) came first


def _sign_in(client: TestClient, session: Session, settings: Settings, user: User) -> None:
    """Log in by opening a server-side session (hashing a password per user costs time)."""
    client.cookies.clear()
    token = auth.open_session(session, settings, user, None, None)
    session.commit()
    client.cookies.set(SESSION_COOKIE, token)


def _course(session: Session, code: str = CODE) -> Course:
    course = session.scalar(select(Course).where(Course.code == code))
    assert course is not None
    return course


def _person(session: Session, **fields: Any) -> User:
    return make_user(session, password=None, **fields)


def _owner(session: Session, code: str = CODE) -> User:
    trainer = _person(session, roles={Role.TRAINER}, full_name="Widyaiswara Pemilik")
    store.add_trainer(session, _course(session, code), trainer.id)
    session.commit()
    return trainer


@pytest.fixture
def owner_client(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> TestClient:
    _sign_in(client, session, settings, _owner(session))
    return client


def _report(client: TestClient) -> CourseReport:
    response = client.get(URL)
    assert response.status_code == 200, response.text
    assert response.template.name == "reports/course_report.html"
    report: CourseReport = response.context["report"]
    return report


class Rows:
    """Learners' records written directly, as the learning services would have left them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.course = _course(session)
        assert self.course.current_version_id is not None
        self.slugs = list(
            session.scalars(
                select(ModuleVersion.slug)
                .where(ModuleVersion.course_version_id == self.course.current_version_id)
                .order_by(ModuleVersion.position)
            )
        )

    def learner(self, source: str = "self", **fields: Any) -> User:
        user = _person(self.session, **fields)
        self.session.add(
            Enrolment(user_id=user.id, course_id=self.course.id, enrolled_at=T0, source=source)
        )
        return user

    def modules(self, user: User, completed: int, opened: int | None = None) -> None:
        for index, slug in enumerate(self.slugs[: max(completed, opened or 0)]):
            done = T0 + timedelta(hours=index + 1) if index < completed else None
            self.session.add(
                ModuleProgress(
                    user_id=user.id, course_id=self.course.id, module_slug=slug,
                    first_opened_at=T0 + OPENED_AFTER, completed_at=done,
                )
            )  # fmt: skip

    def attempt(
        self, user: User, key: str, score: float, number: int = 1, late: bool = False
    ) -> None:
        """A submitted attempt at every question of the quiz, the first share of them right."""
        row = self.session.scalar(
            select(QuizVersion).where(
                QuizVersion.course_version_id == self.course.current_version_id,
                QuizVersion.key == key,
            )
        )
        assert row is not None
        spec = quizzes.quiz_spec(row)
        qs = spec.questions
        right = round(score * len(spec.questions))
        answers: dict[str, Any] = {}
        for index, question in enumerate(spec.questions):
            if question.kind == "short":
                answers[question.id] = question.accepted_answers[0] if index < right else "salah"
            elif index < right:
                answers[question.id] = sorted(question.correct_option_ids)
            else:
                answers[question.id] = [next(o.id for o in question.options if not o.correct)]
        self.session.add(
            QuizAttempt(
                user_id=user.id, course_id=self.course.id, quiz_key=key, quiz_version_id=row.id,
                number=number, seed="s", drawn=[[q.id, [o.id for o in q.options]] for q in qs],
                started_at=T0, submitted_at=T0 + timedelta(minutes=10), answers=answers,
                score=score, correct_count=right, total=len(spec.questions), late=late,
            )
        )  # fmt: skip

    def complete(self, user: User, days: int, score: int) -> None:
        self.session.add(
            Completion(
                user_id=user.id, course_id=self.course.id,
                course_version_id=self.course.current_version_id,
                completed_at=T0 + timedelta(days=days), final_score=score, jp=6,
            )
        )  # fmt: skip


def _cohort(session: Session) -> Rows:
    """Six learners: two finish, one fails the final test, two stop early, one never starts."""
    rows = Rows(session)
    a = rows.learner("self")
    rows.modules(a, completed=6)
    rows.attempt(a, "tes-awal", 0.4)
    rows.attempt(a, "tes-akhir", 0.9)
    rows.complete(a, days=2, score=90)
    b = rows.learner("self")
    rows.modules(b, completed=6)
    rows.attempt(b, "tes-awal", 0.6)
    rows.attempt(b, "tes-akhir", 0.5)
    rows.attempt(b, "tes-akhir", 0.8, number=2)  # the best counts (nilai_dihitung: terbaik)
    rows.attempt(b, "tes-akhir", 1.0, number=3, late=True)  # late: never counts
    rows.complete(b, days=4, score=80)
    c = rows.learner("assigned")
    rows.modules(c, completed=6)
    rows.attempt(c, "tes-akhir", 0.3)  # no pre-test: left out of the gain
    d = rows.learner("assigned")
    rows.modules(d, completed=1, opened=2)
    f = rows.learner("assigned")
    rows.modules(f, completed=1, opened=2)
    rows.learner("assigned")
    session.commit()
    return rows


def test_report_counts_enrolments_funnel_final_test_and_gain(
    owner_client: TestClient, session: Session
) -> None:
    _cohort(session)
    report = _report(owner_client)

    e = report.enrolments
    assert (e.total, e.self_enrolled, e.assigned, e.completed) == (6, 2, 4, 2)
    assert e.completion_rate == pytest.approx(2 / 6)
    assert e.average_days == pytest.approx(3.0)

    assert [(s.order, s.opened, s.completed, s.lost) for s in report.funnel] == [
        (1, 5, 5, 1), (2, 5, 3, 2), (3, 3, 3, 0), (4, 3, 3, 0), (5, 3, 3, 0), (6, 3, 3, 0),
    ]  # fmt: skip
    assert report.largest_drop is not None and report.largest_drop.order == 2

    final = report.final
    assert (final.takers, final.passed, final.passing_score) == (3, 2, 70)
    assert final.bins == (0, 0, 0, 1, 0, 0, 0, 0, 1, 1)
    assert final.average == pytest.approx((90 + 80 + 30) / 3)

    gain = report.gain
    assert gain.learners == 2
    assert (gain.pre_average, gain.post_average) == pytest.approx((50, 85))
    assert gain.gain_average == pytest.approx(35)
    assert gain.normalized_average == pytest.approx((0.5 / 0.6 + 0.2 / 0.4) / 2)
    assert report.learning.level == "cukup"

    assert [q.key for q in report.quizzes] == [
        "tes-awal",
        "01-dasar-hukum-dan-asas",
        "02-standar-dan-maklumat-pelayanan",
        "03-pengaduan-dan-skm",
        "04-pelayanan-inklusif",
        "05-etika-dan-gratifikasi",
        "tes-akhir",
    ]
    final_items = report.quizzes[-1]
    assert final_items.attempts == 4  # a's, b's two on time (not the late one), c's
    # Every attempt got the first question right and the last one wrong (see Rows.attempt).
    first, last = final_items.items[0], final_items.items[-1]
    assert (first.attempts, first.difficulty, first.discrimination) == (4, 1.0, 0.0)
    assert first.flags == ("mudah", "daya_beda")
    assert (last.difficulty, last.flags) == (0.0, ("sulit", "daya_beda"))


def test_report_page_shows_numbers_the_indonesian_way(
    owner_client: TestClient, session: Session
) -> None:
    _cohort(session)
    page = owner_client.get(URL).text
    assert "Peningkatan belajar sedang (g = 0,67)" in page
    assert "+35,0 poin" in page
    assert "33%" in page  # completions of enrolled learners
    assert "Penurunan terbesar: modul 2" in page
    assert "Perlu ditinjau</strong>: terlalu mudah, daya beda rendah" in page
    assert '<caption id="cap-alur">' in page and 'scope="row"' in page


def test_report_takes_the_same_number_of_queries_for_more_learners(
    owner_client: TestClient, session: Session, connection: Connection
) -> None:
    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def count(*args: Any) -> None:
            # Adding learners bumps the auth generation, so the next request re-reads its
            # session instead of taking it from the session cache: sign-in bookkeeping, not
            # the report's cost, so it is left out.
            if not any(t in args[2] for t in ("auth_generation", "auth_sessions")):
                statements.append(args[2])

        event.listen(connection, "before_cursor_execute", count)
        try:
            yield statements
        finally:
            event.remove(connection, "before_cursor_execute", count)

    rows = Rows(session)
    one = rows.learner()
    rows.modules(one, completed=6)
    rows.attempt(one, "tes-akhir", 0.9)
    session.commit()
    owner_client.get(URL)  # warm: the first request may load caches
    with counting() as few:
        assert owner_client.get(URL + "?segarkan=1").status_code == 200  # computed, not cached
    _cohort(session)
    with counting() as many:
        assert owner_client.get(URL + "?segarkan=1").status_code == 200
    assert len(many) == len(few)
    report_queries = [s for s in few if "SAVEPOINT" not in s.upper()]
    assert 5 < len(report_queries) <= 15, report_queries


def test_learner_driven_through_the_real_flow_shows_up_in_the_report(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    learner = _person(session, roles={Role.LEARNER})
    _sign_in(client, session, settings, learner)
    enrol = client.post(
        f"/kursus/{CODE}/ikuti", data={"csrf_token": csrf_token(client, f"/kursus/{CODE}")}
    )
    assert enrol.status_code == 303
    _take_quiz(client, session, "tes-awal", correct=False)
    _complete_all_modules(client, session)
    _take_quiz(client, session, "tes-akhir", correct=True)

    _sign_in(client, session, settings, _owner(session))
    report = _report(client)
    assert (report.enrolments.total, report.enrolments.completed) == (1, 1)
    assert all((s.opened, s.completed, s.lost) == (1, 1, 0) for s in report.funnel)
    assert report.largest_drop is None
    assert (report.final.takers, report.final.passed, report.final.bins[-1]) == (1, 1, 1)
    assert (report.gain.learners, report.gain.post_average) == pytest.approx((1, 100))
    by_key = {q.key: q for q in report.quizzes}
    pre = by_key["tes-awal"]
    assert pre.attempts == 1
    assert all(item.attempts == 1 and item.difficulty == 0 for item in pre.items)
    assert all(item.wrong is not None for item in pre.items)
    final = by_key["tes-akhir"]
    answered = [item for item in final.items if item.attempts]
    assert len(answered) == 10  # the final test draws 10 of its questions
    assert all(item.difficulty == 1 and "mudah" in item.flags for item in answered)


def test_only_the_courses_owners_and_admins_see_its_report(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    other = _owner(session, code="KOM-101")  # a trainer, but of another course
    _sign_in(client, session, settings, other)
    assert client.get("/pengajar/kursus/KOM-101/laporan").status_code == 200
    denied = client.get(URL)  # the same page with the other course's code in the URL
    assert denied.status_code == 403
    assert "Anda bukan pengajar pengelola kursus ini." in denied.text

    _sign_in(client, session, settings, _person(session))
    assert client.get(URL).status_code == 403

    _sign_in(client, session, settings, _person(session, roles={Role.ADMIN}))
    assert client.get(URL).status_code == 200
    assert client.get("/pengajar/kursus/TIDAK-ADA/laporan").status_code == 404

    client.cookies.clear()
    anonymous = client.get(URL)
    assert anonymous.status_code in (303, 401)


def test_evaluation_summary_reads_each_level_and_comments_carry_no_names(
    owner_client: TestClient, session: Session
) -> None:
    rows = Rows(session)
    course_id = rows.course.id
    people = [
        rows.learner(full_name="Siti Rahmawati Lamarauna", nip="199001012015032001"),
        rows.learner(full_name="Moh. Rizal Tanjung"),
        rows.learner(full_name="Andi Batari Toja"),
        rows.learner(full_name="Fadli Pettalolo"),
    ]
    surveys = [(5, 4, 4, "Materi pengaduan sangat membantu loket kami."), (4, 4, 5, None)]
    for index, (person, (rel, qual, app, comment)) in enumerate(zip(people, surveys, strict=False)):
        session.add(
            ReactionSurvey(
                user_id=person.id, course_id=course_id, relevance=rel, quality=qual,
                applicability=app, comment=comment, submitted_at=T0 + timedelta(days=index),
            )
        )  # fmt: skip
    session.add(
        ReactionSurvey(
            user_id=people[2].id, course_id=course_id, relevance=4, quality=5, applicability=4,
            comment="Simulasi loket perlu contoh warga lansia.",
            submitted_at=T0 + timedelta(days=5),
        )
    )  # fmt: skip
    for person, status, verdict in zip(
        people,
        ["applied", "partly", "not_applied", None],
        ["fully", None, None, None],
        strict=True,
    ):
        session.add(
            ActionPlan(
                user_id=person.id, course_id=course_id, plan="Menyusun daftar periksa loket.",
                follow_up_on=date(2027, 1, 1), follow_up_status=status, supervisor_verdict=verdict,
                follow_up_at=utcnow() if status else None,
            )
        )  # fmt: skip
    session.commit()

    response = owner_client.get(URL)
    report: CourseReport = response.context["report"]
    assert report.reaction.level == "baik"
    assert report.reaction.value == pytest.approx((13 / 3 + 13 / 3 + 13 / 3) / 3)
    assert report.application.level == "cukup"  # 2 of 3 follow-ups applied fully or partly
    assert report.evaluation.follow_up_rate == pytest.approx(0.75)
    assert report.learning.level == "tanpa_data"

    page = response.text
    assert "Reaksi baik (4,3/5)" in page
    assert "Penerapan cukup (67% diterapkan)" in page
    assert "Belum ada peserta dengan tes awal dan tes akhir" in page
    newest, older = "Simulasi loket perlu contoh warga lansia.", "Materi pengaduan sangat membantu"
    assert page.index(newest) < page.index(older)
    for person in people:
        assert person.full_name not in page
        assert person.nip not in page


def test_a_course_without_a_published_version_still_has_a_report(
    owner_client: TestClient, session: Session
) -> None:
    course = _course(session)
    course.current_version_id = None  # as for a course uploaded but not yet published
    session.commit()
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert "Kursus ini belum punya versi terbit." in response.text
    report: CourseReport = response.context["report"]
    assert report.version is None and report.funnel == () and report.final.takers == 0


def test_numbers_are_written_the_indonesian_way_and_rounded_half_up() -> None:
    from app.reports.trainer_report_routes import number, percent, signed

    assert (number(4.25), number(12345.6), number(None)) == ("4,3", "12.345,6", "–")
    assert (number(0.845, 2), number(3, 0)) == ("0,85", "3")
    assert (percent(0.335), percent(0.4567, 1), percent(None)) == ("34%", "45,7%", "–")
    assert (signed(35), signed(-3.04), signed(-0.04)) == ("+35,0", "-3,0", "+0,0")


def test_report_figures_are_kept_for_a_while_and_recomputed_on_request(
    owner_client: TestClient, session: Session
) -> None:
    rows = Rows(session)
    first_learner = rows.learner()
    rows.modules(first_learner, completed=6)
    session.commit()
    first = owner_client.get(URL)
    assert first.context["report"].enrolments.total == 1
    assert "Hitung ulang sekarang" in first.text
    rows.modules(rows.learner(), completed=2)
    session.commit()

    cached = owner_client.get(URL)
    fresh = owner_client.get(URL + "?segarkan=1")

    assert cached.context["report"].enrolments.total == 1
    assert cached.context["computed_at"] == first.context["computed_at"]
    assert fresh.context["report"].enrolments.total == 2
