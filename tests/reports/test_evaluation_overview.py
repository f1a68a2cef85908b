"""HR's evaluation of every course per year and unit: the numbers from a small history, the
CSV/XLSX export, and who may read it (HR and admins; HR also reads each course's report)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.classes.models import ClassSession
from app.config import Settings
from app.content import store
from app.content.models import Course, QuizVersion
from app.evaluation import observation_summary
from app.evaluation.models import (
    ActionPlan,
    FollowUpInterview,
    Observation,
    ObservationRating,
    ReactionSurvey,
)
from app.learning.models import Certificate, Completion, Enrolment, QuizAttempt
from app.reports.evaluation_overview import CourseEvaluation, OverviewFilters, evaluations
from tests.factories import make_user
from tests.reports.test_course_report import _owner, _sign_in

URL = "/laporan/evaluasi"
THIS, LAST = 2026, 2025


def _at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 3, 0, tzinfo=UTC)


class History:
    """Records of one course written directly, as the learning services would leave them."""

    def __init__(self, session: Session, code: str = "PPP-101") -> None:
        self.session = session
        course = session.scalar(select(Course).where(Course.code == code))
        assert course is not None and course.current_version_id is not None
        self.course = course

    def learner(self, unit: str, enrolled: datetime) -> User:
        user = make_user(self.session, password=None, unit_name=unit)
        self.session.add(Enrolment(user_id=user.id, course_id=self.course.id, enrolled_at=enrolled))
        return user

    def attempt(self, user: User, key: str, score: float, at: datetime) -> None:
        version = self.session.scalar(
            select(QuizVersion.id).where(
                QuizVersion.course_version_id == self.course.current_version_id,
                QuizVersion.key == key,
            )
        )
        assert version is not None
        self.session.add(
            QuizAttempt(
                user_id=user.id, course_id=self.course.id, quiz_key=key,
                quiz_version_id=version, number=1, seed="s", drawn=[], started_at=at,
                submitted_at=at + timedelta(minutes=10), answers={}, score=score,
                correct_count=0, total=10, late=False,
            )
        )  # fmt: skip

    def complete(self, user: User, at: datetime, revoked: bool = False) -> None:
        done = Completion(
            user_id=user.id, course_id=self.course.id,
            course_version_id=self.course.current_version_id, completed_at=at,
            final_score=90, jp=6,
        )  # fmt: skip
        self.session.add(done)
        self.session.flush()
        if revoked:
            self.session.add(
                Certificate(
                    number=f"REV-{user.id}", completion_id=done.id, full_name=user.full_name,
                    nip=user.nip, employee_type=user.employee_type,
                    course_code=self.course.code, course_title="Judul", category="teknis",
                    jp=6, completed_on=clock.local_date(at), final_score=90,
                    revoked_at=at + timedelta(days=1), revoke_reason="keliru",
                )
            )  # fmt: skip

    def survey(self, user: User, scores: tuple[int, int, int], at: datetime) -> None:
        relevance, quality, applicability = scores
        self.session.add(
            ReactionSurvey(
                user_id=user.id, course_id=self.course.id, relevance=relevance,
                quality=quality, applicability=applicability, submitted_at=at,
            )
        )  # fmt: skip

    def plan(
        self, user: User, status: str, verdict: str | None, at: datetime, pending: bool = False
    ) -> None:
        self.session.add(
            ActionPlan(
                user_id=user.id, course_id=self.course.id, plan="Daftar periksa loket.",
                created_at=at, follow_up_on=date(THIS, 12, 1), follow_up_status=status,
                follow_up_at=at + timedelta(days=30),
                supervisor_name="Ibu Rahma" if verdict or pending else None,
                supervisor_nip="197503152000032002" if verdict or pending else None,
                supervisor_verdict=verdict,
                supervisor_confirmed_at=at + timedelta(days=40) if verdict else None,
                supervisor_token_hash=f"{user.id:064d}" if pending else None,
                supervisor_link_expires_at=at + timedelta(days=60) if pending else None,
            )
        )  # fmt: skip


def _history(session: Session) -> tuple[int, int]:
    """Four learners of PPP-101 in two units over two years; KOM-101 untouched. Unit ids."""
    h = History(session)
    a = h.learner("Dinas Sosial", _at(THIS, 3, 1))
    h.attempt(a, "tes-awal", 0.4, _at(THIS, 3, 1))
    h.attempt(a, "tes-akhir", 0.9, _at(THIS, 3, 9))
    h.complete(a, _at(THIS, 3))
    h.survey(a, (5, 4, 3), _at(THIS, 3))
    h.plan(a, "applied", "fully", _at(THIS, 3))  # confirmed
    b = h.learner("Kelurahan Lere", _at(THIS, 4, 1))
    h.attempt(b, "tes-awal", 0.6, _at(THIS, 4, 1))
    h.attempt(b, "tes-akhir", 0.8, _at(THIS, 4, 9))
    h.complete(b, _at(THIS, 4))
    h.survey(b, (3, 3, 3), _at(THIS, 4))
    h.plan(b, "not_applied", "fully", _at(THIS, 4))  # contradicted
    c = h.learner("Dinas Sosial", _at(THIS, 5, 1))
    h.attempt(c, "tes-awal", 0.0, _at(THIS, 5, 1))
    h.attempt(c, "tes-akhir", 1.0, _at(THIS, 5, 9))
    h.complete(c, _at(THIS, 5), revoked=True)  # counts nowhere, not even in the gain
    h.plan(c, "partly", None, _at(THIS, 5), pending=True)
    d = h.learner("Dinas Sosial", _at(LAST, 6, 1))  # last year: out of this year's row
    h.complete(d, _at(LAST, 6))
    h.survey(d, (1, 1, 1), _at(LAST, 6))
    h.plan(d, "applied", "none", _at(LAST, 6))
    session.commit()
    assert a.unit_id is not None and b.unit_id is not None
    return a.unit_id, b.unit_id


def _hr(client: TestClient, session: Session, settings: Settings) -> None:
    _sign_in(client, session, settings, make_user(session, password=None, roles={Role.HR}))


def _rows(client: TestClient, **params: str) -> dict[str, CourseEvaluation]:
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    assert response.template.name == "reports/evaluation_overview.html"
    return {r.code: r for r in response.context["rows"]}


def test_all_courses_view_counts_a_year_of_learners_completions_reaction_gain_and_application(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    _history(session)
    _hr(client, session, settings)
    rows = _rows(client, tahun=str(THIS))
    ppp = rows["PPP-101"]
    assert (ppp.learners, ppp.completions, ppp.responses) == (3, 2, 2)
    assert (ppp.relevance_avg, ppp.quality_avg, ppp.applicability_avg) == (4, 3.5, 3)
    assert ppp.reaction_avg == pytest.approx(3.5)
    assert ppp.gain.learners == 2  # c's completion is revoked: left out
    assert ppp.gain.normalized_average == pytest.approx((0.5 / 0.6 + 0.2 / 0.4) / 2)
    assert ppp.gain.gain_average == pytest.approx(35)
    p = ppp.plans
    assert (p.follow_ups, p.applied, p.partly, p.not_applied) == (3, 1, 1, 1)
    assert p.applied_share == pytest.approx(2 / 3)
    assert (p.supervisor_confirmed, p.supervisor_contradicted, p.supervisor_pending) == (1, 1, 1)
    kom = rows["KOM-101"]
    assert (kom.learners, kom.completions, kom.responses, kom.gain.learners) == (0, 0, 0, 0)
    assert kom.reaction_avg is None and kom.plans.applied_share is None

    last = _rows(client, tahun=str(LAST))["PPP-101"]
    assert (last.learners, last.completions, last.responses, last.reaction_avg) == (1, 1, 1, 1)
    assert (last.plans.follow_ups, last.plans.supervisor_contradicted) == (1, 1)


def test_unit_filter_counts_only_the_units_current_members(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    social, _lere = _history(session)
    _hr(client, session, settings)
    ppp = _rows(client, tahun=str(THIS), unit=str(social))["PPP-101"]
    assert (ppp.learners, ppp.completions, ppp.responses) == (2, 1, 1)
    assert ppp.reaction_avg == pytest.approx(4)
    assert ppp.gain.learners == 1
    assert ppp.gain.normalized_average == pytest.approx(0.5 / 0.6)
    p = ppp.plans
    assert (p.follow_ups, p.applied_share) == (2, 1.0)
    assert (p.supervisor_confirmed, p.supervisor_contradicted, p.supervisor_pending) == (1, 0, 1)


def test_all_courses_view_exports_csv_and_xlsx_and_the_export_is_audited(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    _history(session)
    _hr(client, session, settings)
    response = client.get(f"{URL}/unduh", params={"tahun": str(THIS), "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"evaluasi-kursus-{THIS}-" in response.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, rows = table[0], {row[0]: row for row in table[1:]}
    record = dict(zip(header, rows["PPP-101"], strict=True))
    assert record["Peserta"] == "3" and record["Selesai"] == "2"
    assert record["Reaksi (1-5)"] == "3.5"
    assert record["Kenaikan Ternormalisasi (g)"] == "0.67"
    assert record["Diterapkan (%)"] == "66.7"
    assert (record["Dikonfirmasi Atasan"], record["Bertentangan"]) == ("1", "1")
    assert record["Menunggu Atasan"] == "1"

    xlsx = client.get(f"{URL}/unduh", params={"tahun": str(THIS), "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header
    by_code = {row[0]: row for row in values[1:]}
    assert by_code["PPP-101"][2:4] == (3, 2)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.evaluation_overview")
    ).all()
    assert [e.details["format"] for e in events] == ["csv", "xlsx"]
    assert events[0].details["filters"] == {"year": THIS, "unit_id": None}


def test_course_titles_starting_like_a_formula_are_neutralised_in_the_export(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    course = session.scalar(select(Course).where(Course.code == "PPP-101"))
    assert course is not None and course.current_version is not None
    course.current_version.title = '=HYPERLINK("http://x")'
    session.commit()
    _hr(client, session, settings)
    response = client.get(f"{URL}/unduh", params={"format": "csv", "pemisah": "koma"})
    rows = {r[0]: r for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["PPP-101"][1] == '\'=HYPERLINK("http://x")'


def test_hr_reads_every_courses_report_learners_and_other_trainers_do_not(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    report = "/pengajar/kursus/PPP-101/laporan"
    _hr(client, session, settings)
    response = client.get(report)
    assert response.status_code == 200
    assert response.context["manages"] is False
    assert 'href="/laporan/evaluasi"' in response.text
    assert '/pengajar/kursus/PPP-101"' not in response.text
    assert client.get(URL).status_code == 200
    assert client.get("/pengajar/kursus/TIDAK-ADA/laporan").status_code == 404

    _sign_in(client, session, settings, make_user(session, password=None))
    assert client.get(report).status_code == 403
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/unduh").status_code == 403

    _sign_in(client, session, settings, _owner(session, code="KOM-101"))
    assert client.get("/pengajar/kursus/KOM-101/laporan").status_code == 200
    assert client.get(report).status_code == 403
    assert client.get(URL).status_code == 403


def test_bad_year_or_unit_in_the_all_courses_view_is_explained(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    _hr(client, session, settings)
    assert client.get(URL, params={"tahun": "abc"}).status_code == 400
    assert client.get(URL, params={"unit": "999999"}).status_code == 400
    assert _rows(client, tahun="", unit="")["PPP-101"].learners == 0


def test_all_courses_view_takes_a_fixed_number_of_queries_whatever_the_history(
    session: Session, connection: Connection, demo_content: store.ImportReport
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    filters = OverviewFilters(year=THIS)
    event.listen(connection, "before_cursor_execute", count)
    try:
        empty, no_classes = evaluations(session, filters)
        few = [s for s in statements if "SAVEPOINT" not in s.upper()]
        _history(session)
        _observed_history(session)
        statements.clear()
        full, classes = evaluations(session, filters)
        many = [s for s in statements if "SAVEPOINT" not in s.upper()]
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(empty) == len(full) >= 2  # one row per published course
    assert (len(no_classes), len(classes)) == (0, 2)
    assert full[[r.code for r in full].index("PPP-101")].observed.observations == 3
    # courses, learners, completions, reaction, plans, attempts, opened, observation ratings,
    # observation and interview counts, stand-alone classes
    assert len(many) == len(few) == 10, many


# --- Observations and interviews (level 3 seen by others) ------------------------------------


def _observe(
    session: Session, done: Completion, levels: list[int], on: date, role: str = "hr"
) -> None:
    observer = make_user(session, password=None, roles={Role.HR})
    row = Observation(
        user_id=done.user_id, completion_id=done.id, observer_id=observer.id,
        observer_role=role, observed_on=on,
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.add_all(
        ObservationRating(observation_id=row.id, position=n, behaviour=f"Perilaku {n}", level=lvl)
        for n, lvl in enumerate(levels, start=1)
    )


def _interview(session: Session, done: Completion, on: date) -> None:
    session.add(
        FollowUpInterview(
            user_id=done.user_id, completion_id=done.id, interviewer_role="hr",
            interviewed_on=on, interviewee="learner", skills_applied="Daftar periksa di loket.",
        )
    )  # fmt: skip


def _class(session: Session, title: str, starts: datetime, course_id: int | None = None) -> int:
    row = ClassSession(
        title=title, course_id=course_id, jp=4, category="teknis", starts_at=starts,
        ends_at=starts + timedelta(hours=2), place="Aula", capacity=10, status="finalised",
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row.id


def _observed_history(session: Session) -> dict[str, int]:
    """On top of `_history`: observations and interviews of PPP-101 this year and last, and
    stand-alone classes (one held this year, one held last year but observed this year)."""
    done = {
        c.user_id: c
        for c in session.scalars(select(Completion).where(Completion.course_id.is_not(None)))
    }
    units = {u.id: u.unit_name for u in session.scalars(select(User))}
    by_unit = sorted(done.values(), key=lambda c: c.completed_at)
    a, b, _c, d = (by_unit[i] for i in (1, 2, 3, 0))  # d completed last year
    assert units[a.user_id] == "Dinas Sosial" and units[b.user_id] == "Kelurahan Lere"
    _observe(session, a, [4, 3], date(THIS, 6, 1))
    _observe(session, a, [2, 2], date(THIS, 6, 2), role="trainer")
    _observe(session, b, [3, 1], date(THIS, 6, 3), role="supervisor")
    _observe(session, d, [1, 1], date(LAST, 8, 1))  # last year: out of this year's row
    _interview(session, a, date(THIS, 7, 1))
    _interview(session, d, date(LAST, 8, 2))
    held = _class(session, "Kelas Arsip Dinamis", _at(THIS, 5))
    earlier = _class(session, "Kelas Naskah Dinas", _at(LAST, 11))
    _class(session, "Kelas PPP", _at(THIS, 5), course_id=a.course_id)  # counts for its course
    e = make_user(session, password=None, unit_name="Dinas Sosial")
    f = make_user(session, password=None, unit_name="Kelurahan Lere")
    for person, class_id, at in ((e, held, _at(THIS, 5)), (f, earlier, _at(LAST, 11))):
        session.add(
            Completion(user_id=person.id, class_session_id=class_id, completed_at=at,
                       final_score=100, jp=4)
        )  # fmt: skip
    session.flush()
    attended = {
        c.class_session_id: c
        for c in session.scalars(select(Completion).where(Completion.course_id.is_(None)))
    }
    _observe(session, attended[held], [4, 4], date(THIS, 6, 5))
    _interview(session, attended[held], date(THIS, 6, 6))
    _observe(session, attended[earlier], [3, 2], date(THIS, 1, 20))
    session.commit()
    return {"held": held, "earlier": earlier}


def test_observation_figures_per_course_and_stand_alone_class_for_the_year_and_unit(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    social, _lere = _history(session)
    classes = _observed_history(session)
    _hr(client, session, settings)
    response = client.get(URL, params={"tahun": str(THIS)})
    ppp = {r.code: r for r in response.context["rows"]}["PPP-101"]
    o = ppp.observed
    assert (o.observations, o.learners_observed, o.interviews) == (3, 2, 1)
    assert o.distribution == (1, 2, 2, 1)  # 4 3 | 2 2 | 3 1
    assert o.average == pytest.approx(15 / 6)
    assert o.applied_share == pytest.approx(3 / 6)
    rows = {c.class_session_id: c for c in response.context["classes"]}
    # Oldest first; the course's class is not here (it counts for PPP-101).
    assert list(rows) == [classes["earlier"], classes["held"]]
    held = rows[classes["held"]]
    assert (held.completions, held.observed.learners_observed, held.observed.average) == (1, 1, 4)
    assert (held.observed.applied_share, held.observed.interviews) == (1.0, 1)
    assert rows[classes["earlier"]].observed.average == pytest.approx(2.5)
    page = response.text
    assert 'id="evaluasi-kelas"' in page and "Kelas Arsip Dinamis" in page
    assert "2,5" in page.split('<span class="meta">PPP-101</span>')[1].split("</tr>")[0]
    # The course report reads the same owner: every year, so last year's observation too.
    report = observation_summary.observation_summary(session, ppp.course_id)
    assert (report.observations, report.interviews) == (4, 2)

    unit = _rows(client, tahun=str(THIS), unit=str(social))["PPP-101"].observed
    assert (unit.observations, unit.learners_observed, unit.average) == (2, 1, 2.75)
    unit_classes = client.get(URL, params={"tahun": str(THIS), "unit": str(social)})
    by_id = {c.class_session_id: c for c in unit_classes.context["classes"]}
    assert by_id[classes["held"]].completions == 1
    # Held last year, observed this year only in Lere: not a row for Dinas Sosial.
    assert classes["earlier"] not in by_id

    last = client.get(URL, params={"tahun": str(LAST)})
    assert {r.code: r for r in last.context["rows"]}["PPP-101"].observed.average == 1
    assert [c.class_session_id for c in last.context["classes"]] == [classes["earlier"]]


def test_the_export_carries_observation_columns_and_class_rows(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    _history(session)
    classes = _observed_history(session)
    _hr(client, session, settings)
    response = client.get(f"{URL}/unduh", params={"tahun": str(THIS), "format": "csv"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, rows = table[0], {row[0]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert header[-4:] == [
        "Pegawai Diamati", "Rata-rata Pengamatan (1-4)", "Pengamatan Tingkat 3+ (%)",
        "Wawancara Tindak Lanjut",
    ]  # fmt: skip
    ppp = rows["PPP-101"]
    assert (ppp["Pegawai Diamati"], ppp["Rata-rata Pengamatan (1-4)"]) == ("2", "2.5")
    assert (ppp["Pengamatan Tingkat 3+ (%)"], ppp["Wawancara Tindak Lanjut"]) == ("50.0", "1")
    held = rows[f"KELAS-{classes['held']}"]
    assert (held["Judul Kursus"], held["Selesai"], held["Peserta"]) == (
        "Kelas Arsip Dinamis",
        "1",
        "",
    )
    assert (held["Rata-rata Pengamatan (1-4)"], held["Wawancara Tindak Lanjut"]) == ("4.0", "1")
