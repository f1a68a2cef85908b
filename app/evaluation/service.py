"""Evaluation after a course: the reaction survey (Kirkpatrick level 1), the action plan and the
learner's follow-up (level 3), the home page's prompts and the numbers reports need. The
supervisor's confirmation, the other half of level 3, is in `supervisor.py`.

Every function works for one learner and one course (ids from the session's user and the URL,
never from a form), and never commits: the request's transaction does.

"Once" is enforced by the database, not only by a check beforehand: a double tap on a phone
sends two requests at the same moment, and both would pass a check. Inserts are
`INSERT ... ON CONFLICT DO NOTHING` on the unique (user, course) constraint, so the second becomes
"already recorded" (no savepoint needed: pysqlite's are unreliable outside the tests); updates
that must happen once are conditional (`... WHERE follow_up_status IS NULL`) and count the rows
they changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast

from babel.dates import format_date
from sqlalchemy import CursorResult, Integer, Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from app import clock, i18n
from app.accounts.models import User
from app.audit import service as audit
from app.config import Settings
from app.content.models import Course, CourseVersion
from app.db import insert_or_ignore, utcnow
from app.errors import AppError, Forbidden
from app.evaluation import confirmation
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.evaluation.schemas import FollowUpInput, PlanInput, SurveyInput
from app.i18n import gettext as _
from app.learning.models import Completion


class EvaluationConflict(AppError):
    """The action is not possible in the current state (already done, not open yet...)."""

    status_code = 409


# --- The learner's state -------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyView:
    relevance: int
    quality: int
    applicability: int
    comment: str | None
    submitted_at: datetime


@dataclass(frozen=True)
class PlanView:
    plan: str
    supervisor_name: str | None
    follow_up_on: date
    follow_up_at: datetime | None
    follow_up_status: str | None
    follow_up_note: str | None
    supervisor_nip: str | None
    supervisor_jabatan: str | None
    supervisor_link_expires_at: datetime | None  # only while a link is usable
    supervisor_link_locked: bool  # an unanswered link locked by wrong NIPs
    supervisor_verdict: str | None
    supervisor_comment: str | None
    supervisor_confirmed_at: datetime | None
    supervisor_legacy: bool

    @property
    def editable(self) -> bool:
        """The plan can change until it has been followed up (by the learner or the atasan)."""
        return self.follow_up_status is None and self.supervisor_confirmed_at is None

    def follow_up_open(self, today: date) -> bool:
        return today >= self.follow_up_on


@dataclass(frozen=True)
class LearnerEvaluation:
    """Where one learner stands with one completed course."""

    completed_at: datetime
    follow_up_on: date  # what the plan's follow-up date is, or will be when it is written
    survey: SurveyView | None
    plan: PlanView | None


def local_today(settings: Settings) -> date:
    """Today's local date (the zone is `app.clock`'s, configured from the settings)."""
    return clock.local_date(utcnow())


def long_date(value: date) -> str:
    """A date as people write it, in the reader's language: 12 Januari 2027."""
    return format_date(value, "d MMMM y", locale=i18n.get_locale())


def follow_up_date(settings: Settings, completed_at: datetime) -> date:
    """The completion's local date plus `follow_up_days`."""
    return clock.local_date(completed_at) + timedelta(days=settings.follow_up_days)


def _completion(session: Session, user_id: int, course_id: int) -> Completion:
    completion = session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.course_id == course_id)
    )
    if completion is None:
        raise Forbidden(_("Evaluasi dapat diisi setelah Anda menyelesaikan kursus ini."))
    return completion


def _survey(session: Session, user_id: int, course_id: int) -> ReactionSurvey | None:
    return session.scalar(
        select(ReactionSurvey).where(
            ReactionSurvey.user_id == user_id, ReactionSurvey.course_id == course_id
        )
    )


def _plan(session: Session, user_id: int, course_id: int) -> ActionPlan | None:
    return session.scalar(
        select(ActionPlan).where(ActionPlan.user_id == user_id, ActionPlan.course_id == course_id)
    )


def _plan_view(plan: ActionPlan) -> PlanView:
    expires = plan.supervisor_link_expires_at
    live = (
        plan.supervisor_token_hash is not None
        and plan.supervisor_confirmed_at is None
        and expires is not None
        and expires > utcnow()
    )
    locked = live and confirmation.attempts_left(plan.supervisor_nip_failures) == 0
    return PlanView(
        plan=plan.plan,
        supervisor_name=plan.supervisor_name,
        follow_up_on=plan.follow_up_on,
        follow_up_at=plan.follow_up_at,
        follow_up_status=plan.follow_up_status,
        follow_up_note=plan.follow_up_note,
        supervisor_nip=plan.supervisor_nip,
        supervisor_jabatan=plan.supervisor_jabatan,
        supervisor_link_expires_at=expires if live and not locked else None,
        supervisor_link_locked=locked,
        supervisor_verdict=plan.supervisor_verdict,
        supervisor_comment=plan.supervisor_comment,
        supervisor_confirmed_at=plan.supervisor_confirmed_at,
        supervisor_legacy=plan.supervisor_legacy,
    )


def rowcount(result: Any) -> int:
    """Rows a conditional UPDATE changed: 0 when a simultaneous request got there first."""
    return int(cast(CursorResult[Any], result).rowcount)


def learner_evaluation(
    session: Session, settings: Settings, user_id: int, course_id: int
) -> LearnerEvaluation:
    """The learner's survey and plan for a course; Forbidden until the course is completed."""
    completion = _completion(session, user_id, course_id)
    survey = _survey(session, user_id, course_id)
    plan = _plan(session, user_id, course_id)
    return LearnerEvaluation(
        completed_at=completion.completed_at,
        follow_up_on=plan.follow_up_on
        if plan
        else follow_up_date(settings, completion.completed_at),
        survey=SurveyView(
            relevance=survey.relevance,
            quality=survey.quality,
            applicability=survey.applicability,
            comment=survey.comment,
            submitted_at=survey.submitted_at,
        )
        if survey
        else None,
        plan=_plan_view(plan) if plan else None,
    )


# --- Level 1: the reaction survey ----------------------------------------------------------


def _already_surveyed() -> EvaluationConflict:
    return EvaluationConflict(
        _(
            "Evaluasi Anda untuk kursus ini sudah tercatat sebelumnya. "
            "Isian yang baru tidak disimpan."
        )
    )


def submit_survey(
    session: Session, user_id: int, course_id: int, data: SurveyInput
) -> ReactionSurvey:
    """Record the learner's reaction to a completed course, once."""
    _completion(session, user_id, course_id)
    if _survey(session, user_id, course_id) is not None:
        raise _already_surveyed()
    inserted = insert_or_ignore(
        session,
        ReactionSurvey,
        {
            "user_id": user_id,
            "course_id": course_id,
            "relevance": data.relevance,
            "quality": data.quality,
            "applicability": data.applicability,
            "comment": data.comment,
            "submitted_at": utcnow(),
        },
    )
    survey = _survey(session, user_id, course_id)
    if not inserted or survey is None:
        raise _already_surveyed()
    audit.record(
        session,
        "evaluation.survey_submitted",
        actor_id=user_id,
        target_type="reaction_survey",
        target_id=survey.id,
        course_id=course_id,
    )
    return survey


# --- Level 3: the action plan and its follow-up --------------------------------------------


def _plan_locked() -> EvaluationConflict:
    return EvaluationConflict(
        _(
            "Rencana aksi ini tidak dapat diubah lagi karena tindak lanjutnya sudah dilaporkan "
            "atau dikonfirmasi atasan."
        )
    )


def save_action_plan(
    session: Session, settings: Settings, user_id: int, course_id: int, data: PlanInput
) -> ActionPlan:
    """Write the action plan, or change it while it has not been followed up yet."""
    completion = _completion(session, user_id, course_id)
    plan = _plan(session, user_id, course_id)
    if plan is None:
        inserted = insert_or_ignore(
            session,
            ActionPlan,
            {
                "user_id": user_id,
                "course_id": course_id,
                "plan": data.plan,
                "supervisor_name": data.supervisor_name,
                "follow_up_on": follow_up_date(settings, completion.completed_at),
                "created_at": utcnow(),
            },
        )
        plan = _plan(session, user_id, course_id)
        assert plan is not None  # inserted now, or by a simultaneous request
        if inserted:
            _audit_plan(session, plan, created=True)
            return plan
        # Otherwise a simultaneous request wrote it first: this one becomes an edit of it.
    changed = rowcount(
        session.execute(
            update(ActionPlan)
            .where(
                ActionPlan.id == plan.id,
                ActionPlan.follow_up_status.is_(None),
                ActionPlan.supervisor_confirmed_at.is_(None),
            )
            .values(plan=data.plan, supervisor_name=data.supervisor_name)
        )
    )
    if not changed:
        raise _plan_locked()
    _audit_plan(session, plan, created=False)
    return plan


def _audit_plan(session: Session, plan: ActionPlan, *, created: bool) -> None:
    audit.record(
        session,
        "evaluation.action_plan_saved",
        actor_id=plan.user_id,
        target_type="action_plan",
        target_id=plan.id,
        course_id=plan.course_id,
        created=created,
    )


def _no_plan() -> EvaluationConflict:
    return EvaluationConflict(
        _("Anda belum membuat rencana aksi untuk kursus ini. Buat rencana aksi terlebih dahulu.")
    )


def _not_open_yet(follow_up_on: date) -> EvaluationConflict:
    return EvaluationConflict(
        _("Tindak lanjut baru dapat diisi mulai {date}.").format(date=long_date(follow_up_on))
    )


def _already_reported() -> EvaluationConflict:
    return EvaluationConflict(
        _("Tindak lanjut untuk kursus ini sudah dilaporkan. Laporan yang baru tidak disimpan.")
    )


def open_plan(session: Session, user_id: int, course_id: int, today: date) -> ActionPlan:
    """The plan whose follow-up period has started, or a conflict saying why not."""
    _completion(session, user_id, course_id)
    plan = _plan(session, user_id, course_id)
    if plan is None:
        raise _no_plan()
    if today < plan.follow_up_on:
        raise _not_open_yet(plan.follow_up_on)
    return plan


def report_follow_up(
    session: Session, user_id: int, course_id: int, data: FollowUpInput, today: date
) -> ActionPlan:
    """Record how applying the plan went, once, from its follow-up date on."""
    plan = open_plan(session, user_id, course_id, today)
    changed = rowcount(
        session.execute(
            update(ActionPlan)
            .where(ActionPlan.id == plan.id, ActionPlan.follow_up_status.is_(None))
            .values(follow_up_status=data.status, follow_up_note=data.note, follow_up_at=utcnow())
        )
    )
    if not changed:
        raise _already_reported()
    audit.record(
        session,
        "evaluation.follow_up_reported",
        actor_id=user_id,
        target_type="action_plan",
        target_id=plan.id,
        course_id=course_id,
        status=data.status,
    )
    return plan


# --- Guards a page checks before reading a form (so a late submission says why, not 400) -----


def check_survey_open(state: LearnerEvaluation) -> None:
    """Conflict when the survey was already submitted."""
    if state.survey is not None:
        raise _already_surveyed()


def check_plan_editable(state: LearnerEvaluation) -> None:
    """Conflict when the plan exists and has been followed up."""
    if state.plan is not None and not state.plan.editable:
        raise _plan_locked()


def check_follow_up_period(state: LearnerEvaluation, today: date) -> None:
    """Conflict without a plan, or before its follow-up date."""
    if state.plan is None:
        raise _no_plan()
    if not state.plan.follow_up_open(today):
        raise _not_open_yet(state.plan.follow_up_on)


def check_follow_up_open(state: LearnerEvaluation, today: date) -> None:
    """Conflict unless the learner can report the follow-up now."""
    check_follow_up_period(state, today)
    if state.plan is not None and state.plan.follow_up_status is not None:
        raise _already_reported()


# --- For the home page ---------------------------------------------------------------------


def course_title_column() -> Any:
    """The course's current title (its code if it has none), for queries joining CourseVersion."""
    return func.coalesce(CourseVersion.title, Course.code)


@dataclass(frozen=True)
class DueFollowUp:
    course_code: str
    course_title: str
    follow_up_on: date


def due_follow_ups(session: Session, user_id: int, today: date) -> list[DueFollowUp]:
    """The learner's action plans whose follow-up is open and not reported yet, oldest first."""
    rows = session.execute(_due_follow_ups_statement(), {"user_id": user_id, "today": today})
    return [DueFollowUp(code, title, on) for code, title, on in rows]


# The learner home's two evaluation reads are built once with bound parameters (building a
# SELECT and its cache key per request cost more CPU than running it: bench/page_statements.py).
@cache
def _due_follow_ups_statement() -> Select[str, str, date]:
    return (
        select(Course.code, course_title_column(), ActionPlan.follow_up_on)
        .join(Course, Course.id == ActionPlan.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(
            ActionPlan.user_id == bindparam("user_id", type_=Integer),
            ActionPlan.follow_up_status.is_(None),
            ActionPlan.follow_up_on <= bindparam("today", type_=ActionPlan.follow_up_on.type),
        )
        .order_by(ActionPlan.follow_up_on, Course.code)
    )


@dataclass(frozen=True)
class OpenFollowUp:
    """An action plan whose follow-up is open and not reported yet (for reminders)."""

    plan_id: int
    user_id: int
    full_name: str
    course_code: str
    course_title: str
    follow_up_on: date


def open_follow_ups(session: Session, today: date) -> list[OpenFollowUp]:
    """Every active person's action plans whose follow-up is open and not reported yet."""
    rows = session.execute(
        select(
            ActionPlan.id,
            ActionPlan.user_id,
            User.full_name,
            Course.code,
            course_title_column(),
            ActionPlan.follow_up_on,
        )
        .join(User, User.id == ActionPlan.user_id)
        .join(Course, Course.id == ActionPlan.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(
            User.is_active.is_(True),
            ActionPlan.follow_up_status.is_(None),
            ActionPlan.follow_up_on <= today,
        )
        .order_by(ActionPlan.follow_up_on, ActionPlan.id)
    ).all()
    return [OpenFollowUp(*row) for row in rows]


@dataclass(frozen=True)
class PendingEvaluation:
    course_code: str
    course_title: str
    completed_at: datetime
    survey_done: bool
    plan_done: bool


def pending_evaluations(session: Session, user_id: int) -> list[PendingEvaluation]:
    """Completed courses still missing the learner's survey or action plan, latest first."""
    rows = session.execute(_pending_statement(), {"user_id": user_id}).all()
    return [PendingEvaluation(*row) for row in rows]


@cache
def _pending_statement() -> Select[str, str, datetime, bool, bool]:
    return (
        select(
            Course.code,
            course_title_column(),
            Completion.completed_at,
            ReactionSurvey.id.is_not(None),
            ActionPlan.id.is_not(None),
        )
        .join(Course, Course.id == Completion.course_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(
            ReactionSurvey,
            (ReactionSurvey.user_id == Completion.user_id)
            & (ReactionSurvey.course_id == Completion.course_id),
        )
        .outerjoin(
            ActionPlan,
            (ActionPlan.user_id == Completion.user_id)
            & (ActionPlan.course_id == Completion.course_id),
        )
        .where(
            Completion.user_id == bindparam("user_id", type_=Integer),
            (ReactionSurvey.id.is_(None)) | (ActionPlan.id.is_(None)),
        )
        .order_by(Completion.completed_at.desc())
    )
