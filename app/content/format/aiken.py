"""Moodle Aiken question banks (single choice only) into Lentera's quiz Markdown.

Apa kepanjangan SKM?
A. Standar Kerja Minimal
B) Survei Kepuasan Masyarakat
ANSWER: B
"""

from __future__ import annotations

import re

from app.content.format.problems import Problem
from app.content.format.quiz_writer import ImportedQuestion
from app.i18n import gettext as _

# Moodle takes "A)Incorrect" and "A.Incorrect" (no space) as options too.
_OPTION = re.compile(r"^([A-Za-z])[.)]\s*(\S.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


def parse_aiken(text: str, path: str) -> tuple[list[ImportedQuestion], list[Problem]]:
    """Questions found in Aiken `text`, and a problem for each one that could not be taken."""
    questions: list[ImportedQuestion] = []
    problems: list[Problem] = []
    start = 0
    stem: list[str] = []
    options: list[tuple[str, str]] = []  # (letter, text)

    def reset() -> None:
        nonlocal stem, options, start
        stem, options, start = [], [], 0

    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        option = _OPTION.match(line)
        if answer:
            if not stem:
                problems.append(Problem(path, number, _("ANSWER: tanpa soal di atasnya."), "error"))
            else:
                question = _build(start, stem, options, answer.group(1).strip(), path, problems)
                if question is not None:
                    questions.append(question)
            reset()
        elif option and stem:
            options.append((option.group(1).upper(), option.group(2).strip()))
        elif options:
            # A new question began before the previous one got its ANSWER: line.
            problems.append(
                Problem(
                    path,
                    start,
                    _("Soal ini tidak memiliki baris ANSWER: dan dilewati."),
                    "error",
                )
            )
            reset()
            stem, start = [line], number
        else:
            if not stem:
                start = number
            stem.append(line)
    if stem:
        problems.append(
            Problem(path, start, _("Soal ini tidak memiliki baris ANSWER: dan dilewati."), "error")
        )
    return questions, problems


def _build(
    start: int,
    stem: list[str],
    options: list[tuple[str, str]],
    letter: str,
    path: str,
    problems: list[Problem],
) -> ImportedQuestion | None:
    letters = [option_letter for option_letter, _text in options]
    if len(options) < 2:
        message = _("Soal ini memiliki kurang dari 2 pilihan (A., B., ...) dan dilewati.")
    elif letter.upper() not in letters:
        message = _("ANSWER: {letter} tidak cocok dengan pilihan mana pun ({letters}).").format(
            letter=letter, letters=", ".join(letters)
        )
    else:
        chosen = [(text, option_letter == letter.upper()) for option_letter, text in options]
        return ImportedQuestion(start, "\n".join(stem), "single", chosen, [], "")
    problems.append(Problem(path, start, message + _(" Soal dilewati."), "error"))
    return None
