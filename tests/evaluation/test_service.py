"""Service functions the home page and the reports call, tested without HTTP."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import Settings
from app.content.models import Course
from app.errors import Forbidden
from app.evaluation import service, supervisor, supervisor_answer
from app.evaluation import summary as summary_service
from app.evaluation.schemas import (
    FollowUpInput,
    PlanInput,
    SupervisorBindingInput,
    SupervisorInput,
    SurveyInput,
)
from tests.evaluation.conftest import GOOD_PLAN, complete, learner_user

TODAY = date(2026, 6, 15)
BOSS_NIP = "197503152000032002"


def _graduate(session: Session, course: Course, **overrides: object) -> User:
    user = learner_user(session, **overrides)
    complete(session, user, course)
    return user


def _plan(session: Session, settings: Settings, user: User, course: Course, due: date) -> None:
    service.save_action_plan(session, settings, user.id, course.id, PlanInput(GOOD_PLAN, None))
    plan = service._plan(session, user.id, course.id)
    assert plan is not None
    plan.follow_up_on = due
    session.commit()


def _link(session: Session, user: User, course: Course) -> str:
    """A link bound to BOSS_NIP for `user`'s plan (its follow-up already reported)."""
    binding = SupervisorBindingInput(BOSS_NIP, "Ibu Rahma", "Kepala Seksi")
    return supervisor.issue_supervisor_link(session, user, course.id, TODAY, binding).token


def test_follow_up_date_counts_from_the_wita_day_of_completion() -> None:
    settings = Settings(timezone="Asia/Makassar", follow_up_days=30, _env_file=None)
    late_evening_utc = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 1 January, 00.00 WITA
    assert service.follow_up_date(settings, late_evening_utc) == date(2027, 1, 31)
    assert service.follow_up_date(settings, late_evening_utc - timedelta(seconds=1)) == date(
        2027, 1, 30
    )


def test_services_refuse_a_learner_who_did_not_complete(
    session: Session, settings: Settings, course: Course
) -> None:
    user = learner_user(session)
    with pytest.raises(Forbidden):
        service.submit_survey(session, user.id, course.id, SurveyInput(5, 5, 5, None))
    with pytest.raises(Forbidden):
        service.save_action_plan(session, settings, user.id, course.id, PlanInput(GOOD_PLAN, None))
    with pytest.raises(Forbidden):
        service.learner_evaluation(session, settings, user.id, course.id)


def test_survey_service_refuses_a_second_survey_even_when_called_directly(
    session: Session, course: Course
) -> None:
    user = _graduate(session, course)
    service.submit_survey(session, user.id, course.id, SurveyInput(4, 4, 4, None))
    with pytest.raises(service.EvaluationConflict):
        service.submit_survey(session, user.id, course.id, SurveyInput(1, 1, 1, None))


def test_follow_up_opens_on_its_date_when_today_is_passed_in(
    session: Session, settings: Settings, course: Course
) -> None:
    user = _graduate(session, course)
    _plan(session, settings, user, course, due=TODAY)
    with pytest.raises(service.EvaluationConflict, match="baru dapat diisi mulai 15 Juni 2026"):
        service.report_follow_up(
            session, user.id, course.id, FollowUpInput("applied", None), TODAY - timedelta(days=1)
        )
    plan = service.report_follow_up(
        session, user.id, course.id, FollowUpInput("applied", "Berjalan."), TODAY
    )
    assert (plan.follow_up_status, plan.follow_up_note) == ("applied", "Berjalan.")
    assert plan.follow_up_at is not None


def test_due_follow_ups_lists_open_unreported_plans_oldest_first(
    session: Session, settings: Settings, demo_content: object
) -> None:
    courses = {c.code: c for c in session.scalars(select(Course))}
    user = learner_user(session)
    for code in courses:
        complete(session, user, courses[code])
    _plan(session, settings, user, courses["KOM-101"], due=TODAY)
    _plan(session, settings, user, courses["MWK-201"], due=TODAY - timedelta(days=3))
    _plan(session, settings, user, courses["PPP-101"], due=TODAY + timedelta(days=1))
    other = _graduate(session, courses["KOM-101"])
    _plan(session, settings, other, courses["KOM-101"], due=TODAY - timedelta(days=9))

    due = service.due_follow_ups(session, user.id, TODAY)
    assert [(d.course_code, d.follow_up_on) for d in due] == [
        ("MWK-201", TODAY - timedelta(days=3)),
        ("KOM-101", TODAY),
    ]
    assert due[0].course_title == courses["MWK-201"].current_version.title  # type: ignore[union-attr]

    service.report_follow_up(
        session, user.id, courses["MWK-201"].id, FollowUpInput("partly", None), TODAY
    )
    assert [d.course_code for d in service.due_follow_ups(session, user.id, TODAY)] == ["KOM-101"]
    assert service.due_follow_ups(session, user.id, TODAY - timedelta(days=30)) == []


def test_pending_evaluations_lists_completions_missing_a_survey_or_a_plan(
    session: Session, settings: Settings, course: Course
) -> None:
    user = _graduate(session, course)
    [pending] = service.pending_evaluations(session, user.id)
    assert (pending.course_code, pending.survey_done, pending.plan_done) == (
        "PPP-101",
        False,
        False,
    )
    service.submit_survey(session, user.id, course.id, SurveyInput(3, 3, 3, None))
    [pending] = service.pending_evaluations(session, user.id)
    assert (pending.survey_done, pending.plan_done) == (True, False)
    service.save_action_plan(session, settings, user.id, course.id, PlanInput(GOOD_PLAN, None))
    assert service.pending_evaluations(session, user.id) == []


def _count_queries(session: Session) -> list[str]:
    statements: list[str] = []
    connection = session.connection()

    @event.listens_for(connection, "before_cursor_execute")
    def _record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    return statements


def test_summary_numbers_for_a_course(
    session: Session, settings: Settings, course: Course, demo_content: object
) -> None:
    answers = [
        (5, 4, 3, "Sangat relevan untuk loket.", datetime(2026, 5, 1, 2, 0, tzinfo=UTC)),
        (4, 4, 5, None, datetime(2026, 5, 2, 2, 0, tzinfo=UTC)),
        (3, 5, 4, "Contoh kasusnya kurang.", datetime(2026, 5, 3, 2, 0, tzinfo=UTC)),
    ]
    learners = [_graduate(session, course, full_name=f"Peserta {i}") for i in range(5)]
    for user, (rel, qual, app_, comment, at) in zip(learners, answers, strict=False):
        survey = service.submit_survey(
            session, user.id, course.id, SurveyInput(rel, qual, app_, comment)
        )
        survey.submitted_at = at
    for user in learners[:4]:
        _plan(session, settings, user, course, due=TODAY)
    service.report_follow_up(
        session, learners[0].id, course.id, FollowUpInput("applied", None), TODAY
    )
    service.report_follow_up(
        session, learners[1].id, course.id, FollowUpInput("applied", None), TODAY
    )
    service.report_follow_up(
        session, learners[2].id, course.id, FollowUpInput("not_applied", None), TODAY
    )
    for user, verdict in ((learners[0], "fully"), (learners[2], "fully")):
        token = _link(session, user, course)
        supervisor_answer.confirm_by_supervisor(
            session, token, BOSS_NIP, SupervisorInput(verdict, None)
        )
    _link(session, learners[1], course)  # sent, not answered yet
    legacy = service._plan(session, learners[3].id, course.id)
    assert legacy is not None
    legacy.supervisor_verdict, legacy.supervisor_legacy = "fully", True
    legacy.supervisor_confirmed_at = datetime(2026, 6, 1, tzinfo=UTC)
    session.commit()

    statements = _count_queries(session)
    summary = summary_service.course_evaluation_summary(session, course.id)
    assert len(statements) == 2  # one over the surveys, one over the plans: no N+1

    assert summary.responses == 3
    assert summary.relevance_avg == pytest.approx(4.0)
    assert summary.quality_avg == pytest.approx(13 / 3)
    assert summary.applicability_avg == pytest.approx(4.0)
    assert [(c.text, c.submitted_at) for c in summary.comments] == [
        ("Contoh kasusnya kurang.", answers[2][4]),
        ("Sangat relevan untuk loket.", answers[0][4]),
    ]
    assert summary.action_plans == 4
    assert (summary.applied, summary.partly, summary.not_applied) == (2, 0, 1)
    assert summary.follow_ups == 3
    assert summary.follow_up_rate == pytest.approx(0.75)
    # Learner 0 reported "applied" and the atasan "fully": confirmed. Learner 2 reported "not
    # applied" and the atasan "fully": contradicted, not a confirmation. Learner 3's answer is
    # legacy (nobody's identity checked): apart, and not in the scale.
    assert summary.supervisor_confirmed == 1
    assert summary.supervisor_contradicted == 1
    assert (summary.supervisor_pending, summary.supervisor_legacy) == (1, 1)
    assert summary.supervisor_scale == (("none", 0), ("partly", 0), ("mostly", 0), ("fully", 2))
    assert summary.supervisor_answers == 2
    assert "Peserta" not in repr(summary)


def test_summary_of_a_course_without_evaluations_is_empty_not_an_error(
    session: Session, demo_content: object
) -> None:
    courses = list(session.scalars(select(Course)))
    summaries = summary_service.evaluation_summaries(session, [c.id for c in courses])
    assert set(summaries) == {c.id for c in courses}
    empty = summaries[courses[0].id]
    assert (empty.responses, empty.relevance_avg, empty.comments) == (0, None, ())
    assert (empty.action_plans, empty.follow_ups, empty.follow_up_rate) == (0, 0, None)
