"""Every table's model, imported in one place for Alembic and the tests."""

from app.accounts.models import (
    AuthGeneration,
    AuthSession,
    LoginFailure,
    PasswordResetToken,
    Unit,
    User,
    UserRole,
)
from app.audit.models import AuditChainHead, AuditEvent
from app.classes.models import ClassRegistration, ClassSession
from app.content.models import (
    Blob,
    ContentProblemReport,
    ContentState,
    Course,
    CourseTrainer,
    CourseVersion,
    CourseVersionFile,
    ModuleVersion,
    QuizVersion,
)
from app.db import Base
from app.evaluation.models import (
    ActionPlan,
    FollowUpInterview,
    Observation,
    ObservationRating,
    ReactionSurvey,
)
from app.learning.models import (
    Assignment,
    Certificate,
    Completion,
    Enrolment,
    ExternalLearning,
    ModuleProgress,
    ProgressEvent,
    QuizAttempt,
)
from app.reminders.models import ReminderDelivery
from app.reports.models import ApiToken
from app.reports.siasn_batches import SiasnExportBatch

__all__ = [
    "ActionPlan",
    "ApiToken",
    "Assignment",
    "AuditChainHead",
    "AuditEvent",
    "AuthGeneration",
    "AuthSession",
    "Base",
    "Blob",
    "Certificate",
    "ClassRegistration",
    "ClassSession",
    "Completion",
    "ContentProblemReport",
    "ContentState",
    "Course",
    "CourseTrainer",
    "CourseVersion",
    "CourseVersionFile",
    "Enrolment",
    "ExternalLearning",
    "FollowUpInterview",
    "LoginFailure",
    "ModuleProgress",
    "ModuleVersion",
    "Observation",
    "ObservationRating",
    "PasswordResetToken",
    "ProgressEvent",
    "QuizAttempt",
    "QuizVersion",
    "ReactionSurvey",
    "ReminderDelivery",
    "SiasnExportBatch",
    "Unit",
    "User",
    "UserRole",
]
