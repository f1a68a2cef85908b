"""HR dashboard: completion rates, weekly active learners, overdue mandatory training, charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.content import store
from app.content.catalog import ContentCache
from app.content.models import QuizVersion
from app.learning import progress
from app.learning.models import Assignment, ModuleProgress, QuizAttempt
from app.reports import dashboard
from tests.factories import login, make_user
from tests.reports.test_export import _complete

WITA = clock.zone()  # the default zone the tests run in (Asia/Makassar)


def _course_id(session: Session, code: str) -> int:
    return ContentCache().catalog(session).by_code[code].course_id


def _assign(session: Session, user: User, code: str, due_on: date) -> None:
    course_id = _course_id(session, code)
    progress.enrol(session, user.id, course_id, source="assigned")
    session.add(Assignment(user_id=user.id, course_id=course_id, due_on=due_on))
    session.commit()


@dataclass
class Office:
    today: date
    hr: User
    ani: User
    budi: User
    citra: User
    eko: User


@pytest.fixture
def office(session: Session, demo_content: store.ImportReport) -> Office:
    """Two units' enrolments, completions and assignments (dates relative to today, WITA).

    Dinas Kesehatan: Ani completed PPP-101 (assigned, due 20 days ago: not overdue) and is
    enrolled in KOM-101; Budi was assigned PPP-101, due 10 days ago, not completed, and
    enrolled himself in MWK-201.
    Kelurahan Lere: Eko completed KOM-101 and is assigned MWK-201 due today (not overdue
    yet); Citra was assigned KOM-101, due 3 days ago. Dedi (inactive, Dinas Kesehatan) has an
    overdue assignment that must not count.
    """
    today = clock.today()
    hr = make_user(session, roles={Role.HR}, unit_name="BKPSDM")
    ani = make_user(session, full_name="Ani", unit_name="Dinas Kesehatan", password=None)
    budi = make_user(session, full_name="Budi", unit_name="Dinas Kesehatan", password=None)
    citra = make_user(session, full_name="Citra", unit_name="Kelurahan Lere", password=None)
    eko = make_user(session, full_name="Eko", unit_name="Kelurahan Lere", password=None)
    dedi = make_user(
        session, full_name="Dedi", unit_name="Dinas Kesehatan", is_active=False, password=None
    )
    _assign(session, ani, "PPP-101", today - timedelta(days=20))
    _complete(session, ani, "PPP-101")
    progress.enrol(session, ani.id, _course_id(session, "KOM-101"))
    _assign(session, budi, "PPP-101", today - timedelta(days=10))
    progress.enrol(session, budi.id, _course_id(session, "MWK-201"))
    _complete(session, eko, "KOM-101")
    _assign(session, eko, "MWK-201", today)
    _assign(session, citra, "KOM-101", today - timedelta(days=3))
    _assign(session, dedi, "MWK-201", today - timedelta(days=30))
    return Office(today, hr, ani, budi, citra, eko)


def _rates(rates: list[dashboard.Rate]) -> list[tuple[str | None, int, int]]:
    return [(r.label, r.enrolled, r.completed) for r in rates]


def test_completion_rate_per_unit_counts_active_asn_lowest_first(
    session: Session, office: Office
) -> None:
    rates = dashboard.completion_by_unit(session)
    # Kesehatan: Ani's two enrolments (one done) and Budi's two; Lere: Eko's two (one done)
    # and Citra's. BKPSDM has none, and inactive Dedi's enrolment is not counted.
    assert _rates(rates) == [("Dinas Kesehatan", 4, 1), ("Kelurahan Lere", 3, 1)]
    assert (rates[0].ratio, rates[1].ratio) == pytest.approx((0.25, 1 / 3))


def test_completion_rate_per_course_uses_catalogue_titles(session: Session, office: Office) -> None:
    catalog = ContentCache().catalog(session)
    rates = dashboard.completion_by_course(session, catalog)
    assert _rates(rates) == [
        ("Manajemen Waktu dan Kepemimpinan", 2, 0),  # Budi, Eko; inactive Dedi is left out
        ("Komunikasi Efektif bagi ASN", 3, 1),  # Ani, Citra, Eko (done)
        ("Pelayanan Publik Prima", 2, 1),  # Ani (done), Budi
    ]


def test_rates_for_a_year_count_only_that_years_enrolments(
    session: Session, office: Office
) -> None:
    catalog = ContentCache().catalog(session)
    assert dashboard.completion_by_unit(session, office.today.year) == dashboard.completion_by_unit(
        session
    )
    assert dashboard.completion_by_unit(session, office.today.year - 1) == []
    assert dashboard.completion_by_course(session, catalog, office.today.year - 1) == []


def test_overdue_assignments_exclude_completed_not_yet_due_and_inactive(
    session: Session, office: Office
) -> None:
    by_unit = dashboard.overdue_by_unit(session, office.today)
    assert [(c.unit_name, c.count) for c in by_unit] == [
        ("Dinas Kesehatan", 1),
        ("Kelurahan Lere", 1),
    ]
    oldest = dashboard.oldest_overdue(session, office.today, ContentCache().catalog(session))
    assert [(o.full_name, o.course_title, o.days_overdue) for o in oldest] == [
        ("Budi", "Pelayanan Publik Prima", 10),
        ("Citra", "Komunikasi Efektif bagi ASN", 3),
    ]
    assert oldest[0].nip == office.budi.nip and oldest[0].unit_name == "Dinas Kesehatan"
    assert oldest[0].due_on == office.today - timedelta(days=10)


def test_the_overdue_list_keeps_only_the_oldest(session: Session, office: Office) -> None:
    catalog = ContentCache().catalog(session)
    oldest = dashboard.oldest_overdue(session, office.today, catalog, limit=1)
    assert [o.full_name for o in oldest] == ["Budi"]


def test_weeks_start_on_monday_and_end_with_this_week() -> None:
    starts = dashboard.week_starts(date(2026, 3, 11))  # a Wednesday
    assert len(starts) == 12 and starts[-1] == date(2026, 3, 9) and starts[0] == date(2025, 12, 22)
    assert all(day.weekday() == 0 for day in starts)
    assert dashboard.week_starts(date(2026, 3, 9))[-1] == date(2026, 3, 9)


def test_weekly_active_learners_count_each_person_once_per_wita_week(
    session: Session, demo_content: store.ImportReport
) -> None:
    view = ContentCache().catalog(session).by_code["PPP-101"]
    quiz = session.scalar(
        select(QuizVersion).where(QuizVersion.course_version_id == view.version_id)
    )
    assert quiz is not None
    people = [make_user(session, password=None) for _ in range(5)]

    def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=WITA)

    def module(user: User, slug: str, opened: datetime, done: datetime | None = None) -> None:
        session.add(
            ModuleProgress(user_id=user.id, course_id=view.course_id, module_slug=slug,
                           first_opened_at=opened, completed_at=done)
        )  # fmt: skip

    def quiz_submitted(user: User, when: datetime, number: int = 1) -> None:
        session.add(
            QuizAttempt(
                user_id=user.id, course_id=view.course_id, quiz_key=quiz.key,
                quiz_version_id=quiz.id, number=number, seed="s", drawn=[], started_at=when,
                submitted_at=when, score=1.0,
            )
        )  # fmt: skip

    one, two, three, four, five = people
    # Monday 00.30 WITA is still Sunday in UTC: it belongs to the week starting that Monday.
    module(one, "a", at(2026, 3, 9, 0, 30), at(2026, 3, 10, 9, 0))
    # Sunday 23.30 WITA closes the previous week; the same person again that week counts once.
    quiz_submitted(two, at(2026, 3, 8, 23, 30))
    module(two, "a", at(2026, 3, 3, 8, 0))
    module(five, "a", at(2026, 3, 4, 8, 0))
    # Opened long before the range, completed inside it: the completion counts.
    module(three, "a", at(2025, 11, 1, 8, 0), at(2026, 1, 5, 10, 0))
    # The Sunday before the first week: outside the range.
    quiz_submitted(four, at(2025, 12, 21, 23, 0))
    # A quiz started but never submitted is not activity.
    session.add(
        QuizAttempt(
            user_id=four.id, course_id=view.course_id, quiz_key=quiz.key, quiz_version_id=quiz.id,
            number=2, seed="s", drawn=[], started_at=at(2026, 2, 2, 8, 0),
        )
    )  # fmt: skip
    session.commit()

    weeks = dashboard.weekly_active_learners(session, date(2026, 3, 11))
    counts = {week.start: week.learners for week in weeks}
    assert len(weeks) == 12 and weeks[0].start == date(2025, 12, 22)
    assert counts[date(2026, 3, 9)] == 1
    assert counts[date(2026, 3, 2)] == 2
    assert counts[date(2026, 1, 5)] == 1
    assert sum(counts.values()) == 4


# --- the page ------------------------------------------------------------------------------------


def test_hr_sees_the_dashboard_with_charts_and_tables(
    client: TestClient, session: Session, office: Office
) -> None:
    login(client, office.hr)
    response = client.get("/laporan/dasbor")
    assert response.status_code == 200
    assert response.template.name == "reports/dashboard.html"
    context = response.context
    assert len(context["weeks"]) == 12 and context["weeks"][-1].learners == 2  # Ani and Eko
    assert context["overdue_total"] == 2
    assert [o.full_name for o in context["oldest"]] == ["Budi", "Citra"]
    html = response.text
    assert html.count('role="img"') == 3
    for chart in ("grafik-unit", "grafik-kursus", "grafik-mingguan"):
        assert f'aria-labelledby="{chart}-title"' in html and f'id="{chart}-title"' in html
    assert html.count("<details>") == 3
    assert html.count(">25%<") == 2  # Dinas Kesehatan, in the chart and in its table
    assert "10 hari" in html and "Dedi" not in html


def test_a_unit_named_like_markup_is_shown_as_text(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = make_user(session, roles={Role.HR})
    learner = make_user(session, unit_name="<script>alert(1)</script>", password=None)
    progress.enrol(session, learner.id, _course_id(session, "KOM-101"))
    session.commit()
    login(client, hr)
    html = client.get("/laporan/dasbor").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_empty_year_shows_empty_charts(
    client: TestClient, session: Session, office: Office
) -> None:
    login(client, office.hr)
    response = client.get("/laporan/dasbor", params={"tahun": office.today.year - 1})
    assert response.status_code == 200
    assert response.text.count("Belum ada data.") == 2  # the two rate charts
    assert response.context["year"] == office.today.year - 1


@pytest.mark.parametrize(
    ("tahun", "message"), [("20x6", "bukan angka"), ("1999", "di luar jangkauan")]
)
def test_bad_year_on_the_dashboard_gets_a_400_page(
    client: TestClient, session: Session, tahun: str, message: str
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    response = client.get("/laporan/dasbor", params={"tahun": tahun})
    assert response.status_code == 400 and message in response.text


def test_the_dashboard_costs_the_same_queries_however_many_people(
    client: TestClient, session: Session, engine: Engine, office: Office
) -> None:
    statements: list[str] = []

    def _record(*args: object) -> None:
        statement = str(args[2])
        # The catalogue re-reads content_state.generation once LENTERA_CONTENT_RECHECK_SECONDS
        # have passed: on a slow machine that lands in one request and not the other. It is
        # not about people, so it is left out of the count. So is the sign-in bookkeeping:
        # adding people bumps the auth generation, so the next request re-reads its session
        # instead of taking it from the per-process session cache (app/accounts/session_cache).
        if not any(t in statement for t in ("content_state", "auth_generation", "auth_sessions")):
            statements.append(statement)

    login(client, office.hr)
    client.get("/laporan/dasbor")  # the first request also loads the content catalogue
    event.listen(engine, "before_cursor_execute", _record)
    try:
        client.get("/laporan/dasbor?segarkan=1")  # computed, not served from the cache
        before = len(statements)
        for n in range(15):
            person = make_user(session, unit_name=f"Kelurahan {n % 3}", password=None)
            _assign(session, person, "KOM-101", office.today - timedelta(days=n + 1))
        statements.clear()
        response = client.get("/laporan/dasbor?segarkan=1")
    finally:
        event.remove(engine, "before_cursor_execute", _record)
    assert response.context["overdue_total"] == 17
    assert len(statements) == before


def test_the_figures_are_kept_for_a_while_then_recomputed_on_request(
    client: TestClient, session: Session, office: Office
) -> None:
    login(client, office.hr)
    first = client.get("/laporan/dasbor")
    assert first.context["overdue_total"] == 2
    assert "Hitung ulang sekarang" in first.text
    person = make_user(session, unit_name="Kelurahan Lere", password=None)
    _assign(session, person, "KOM-101", office.today - timedelta(days=3))

    cached = client.get("/laporan/dasbor")
    fresh = client.get("/laporan/dasbor?segarkan=1")
    after = client.get("/laporan/dasbor")

    assert cached.context["overdue_total"] == 2
    assert cached.context["computed_at"] == first.context["computed_at"]
    assert fresh.context["overdue_total"] == 3
    assert after.context["overdue_total"] == 3
    # Another year is another set of figures, computed on its own.
    assert client.get(f"/laporan/dasbor?tahun={office.today.year - 1}").status_code == 200


def test_without_a_cache_every_view_is_computed(
    app: FastAPI, client: TestClient, session: Session, office: Office
) -> None:
    app.state.dashboard_figures.ttl_seconds = 0
    login(client, office.hr)
    client.get("/laporan/dasbor")
    person = make_user(session, unit_name="Kelurahan Lere", password=None)
    _assign(session, person, "KOM-101", office.today - timedelta(days=3))

    assert client.get("/laporan/dasbor").context["overdue_total"] == 3
