"""Problems found in course files: what is wrong, where, and how to fix it.

Every check reports into a `ProblemLog` instead of raising, so one run of `lentera content
check` lists every mistake in a course at once and a trainer can fix them in one sitting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.i18n import gettext as _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake (error) or doubt (warning) in a content file, in plain Indonesian."""

    path: str  # relative to the content root, e.g. "pelayanan-publik-prima/02-standar.md"
    line: int | None
    message: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        label = _("galat") if self.is_error else _("peringatan")
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {label}: {self.message}"


@dataclass
class ProblemLog:
    """Collects problems in the order they are found."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str) -> None:
        self.items.append(Problem(path, line, message, "error"))

    def warning(self, path: str, line: int | None, message: str) -> None:
        self.items.append(Problem(path, line, message, "warning"))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.items)

    def count(self) -> int:
        return len(self.items)

    def errors_since(self, mark: int) -> bool:
        """Whether an error was logged after `mark` (a value of `count()` taken earlier)."""
        return any(problem.is_error for problem in self.items[mark:])


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """File order, then line order (problems without a line first), errors before warnings."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, not p.is_error))
