"""An uploaded course's prerequisites against the published catalogue: known codes, no cycle."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content.format.problems import Problem
from app.content.format.specs import CourseSpec
from app.content.models import Course, CourseVersion
from app.i18n import gettext as _


def check_prerequisites(
    session: Session, spec: CourseSpec, shown: str, line: int | None
) -> list[Problem]:
    """Problems with an uploaded course's prerequisites against the published catalogue."""
    rows = session.execute(
        select(Course.code, CourseVersion.prerequisites).join(
            CourseVersion, CourseVersion.id == Course.current_version_id
        )
    ).all()
    graph: dict[str, list[str]] = {code: list(prereqs) for code, prereqs in rows}
    graph[spec.code] = list(spec.prerequisites)
    problems = [
        Problem(
            shown,
            line,
            _(
                "Prasyarat {code} tidak dikenal: belum ada kursus terbit dengan kode itu. "
                "Periksa ejaan kodenya, atau terbitkan kursus prasyarat itu dulu."
            ).format(code=code),
        )
        for code in spec.prerequisites
        if code not in graph
    ]
    cycle = _find_cycle(graph, spec.code)
    if cycle:
        problems.append(
            Problem(
                shown,
                line,
                _(
                    "Prasyarat membentuk lingkaran: {cycle}. Hapus salah satu prasyarat agar "
                    "kursus dapat dimulai."
                ).format(cycle=" → ".join(cycle)),
            )
        )
    return problems


def _find_cycle(graph: Mapping[str, list[str]], start: str) -> list[str] | None:
    path: list[str] = []

    def visit(code: str) -> list[str] | None:
        if code in path:
            return [*path[path.index(code) :], code]
        path.append(code)
        for nxt in graph.get(code, []):
            found = visit(nxt)
            if found:
                return found
        path.pop()
        return None

    return visit(start)
