"""Checks across courses: unique codes, known prerequisites, no prerequisite cycles."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.content.format.problems import Problem, Severity
from app.content.format.sources import COURSE_FILE
from app.i18n import gettext as _


@dataclass(frozen=True)
class CourseFacts:
    """What the cross-course checks need to know of one folder."""

    folder: str
    code: str | None
    loaded: bool
    prerequisites: tuple[str, ...]
    lines: Mapping[str, int]  # key of kursus.yaml -> line


def check_library(facts: Sequence[CourseFacts]) -> dict[str, list[Problem]]:
    """Problems per folder; every folder with an error here must be left out of the library."""
    found: dict[str, list[Problem]] = {}

    def report(course: CourseFacts, key: str, message: str, severity: Severity = "error") -> None:
        path = f"{course.folder}/{COURSE_FILE}"
        found.setdefault(course.folder, []).append(
            Problem(path, course.lines.get(key), message, severity)
        )

    by_code: dict[str, list[CourseFacts]] = {}
    for course in facts:
        if course.code:
            by_code.setdefault(course.code, []).append(course)
    for code, owners in sorted(by_code.items()):
        for course in owners if len(owners) > 1 else ():
            others = ", ".join(o.folder for o in owners if o is not course)
            report(
                course,
                "kode",
                _(
                    "Kode {code} juga dipakai oleh folder {others}. Setiap kursus perlu kode "
                    "sendiri: ganti kode di salah satu kursus.yaml."
                ).format(code=code, others=others),
            )
    loaded = {c.code: c for c in facts if c.loaded and c.code and len(by_code[c.code]) == 1}
    for course in loaded.values():
        for code in course.prerequisites:
            if code not in by_code:
                guess = difflib.get_close_matches(code, sorted(by_code), n=1, cutoff=0.6)
                hint = _(" Mungkin maksud Anda {guess}?").format(guess=guess[0]) if guess else ""
                report(
                    course,
                    "prasyarat",
                    _(
                        "Prasyarat {code} tidak dikenal: tidak ada kursus dengan kode itu.{hint}"
                    ).format(code=code, hint=hint),
                )
            elif code not in loaded:
                report(
                    course,
                    "prasyarat",
                    _(
                        "Kursus prasyarat {code} sedang bermasalah sehingga tidak dimuat. "
                        "Perbaiki kursus itu lebih dulu."
                    ).format(code=code),
                    "warning",
                )
    for cycle in _cycles({c: f.prerequisites for c, f in loaded.items()}):
        chain = " -> ".join([*cycle, cycle[0]])
        for code in cycle:
            report(
                loaded[code],
                "prasyarat",
                _(
                    "Prasyarat kursus membentuk lingkaran: {chain}. Peserta tidak akan pernah "
                    "dapat memulai kursus-kursus ini; hapus salah satu prasyarat."
                ).format(chain=chain),
            )
    return found


def _cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Each simple cycle found by depth-first search, rotated to start at its smallest code."""
    cycles: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :]
                start = cycle.index(min(cycle))
                rotated = cycle[start:] + cycle[:start]
                cycles.setdefault(tuple(rotated), rotated)
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return list(cycles.values())
