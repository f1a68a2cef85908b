"""Every table's model, imported in one place for Alembic and the tests."""

from app.accounts.models import AuthSession, LoginFailure, PasswordResetToken, Unit, User, UserRole
from app.audit.models import AuditEvent
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

__all__ = [
    "AuditEvent",
    "AuthSession",
    "Base",
    "Blob",
    "ContentProblemReport",
    "ContentState",
    "Course",
    "CourseTrainer",
    "CourseVersion",
    "CourseVersionFile",
    "LoginFailure",
    "ModuleVersion",
    "PasswordResetToken",
    "QuizVersion",
    "Unit",
    "User",
    "UserRole",
]
