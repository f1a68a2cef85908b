"""Write questions in Lentera's quiz Markdown: the common end of the GIFT and Aiken imports."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.content.format.specs import QuestionKind

MULTIPLE_HINT = "(pilih semua yang benar)"


@dataclass
class ImportedQuestion:
    """A question read from another format, before it is written as Markdown."""

    line: int  # where it starts in the source file
    text: str  # the question; its first line becomes the `## ` heading
    kind: QuestionKind
    options: list[tuple[str, bool]] = field(default_factory=list)  # (text, correct)
    answers: list[str] = field(default_factory=list)  # accepted answers of a short question
    explanation: str = ""
    # Per-option feedback, by option index: written as "  Umpan balik: ..." under the option.
    option_feedback: dict[int, str] = field(default_factory=dict)


def title_from_filename(path: Path) -> str:
    """A quiz title from a file name: "bank-soal_pelayanan.gift" -> "Bank Soal Pelayanan"."""
    words = re.split(r"[\s_\-.]+", path.stem)
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in words if w) or "Kuis"


def write_quiz(title: str, questions: list[ImportedQuestion]) -> str:
    """The whole quiz file: front matter with `judul`, then one section per question."""
    # JSON strings are valid YAML double-quoted strings, so any title is safe in front matter.
    parts = ["---", f"judul: {json.dumps(title, ensure_ascii=False)}", "---", ""]
    for question in questions:
        parts.extend(_question(question))
    return "\n".join(parts).rstrip("\n") + "\n"


def _question(question: ImportedQuestion) -> list[str]:
    lines = [_one_line(line) for line in question.text.strip().split("\n")]
    heading, rest = lines[0], [line for line in lines[1:]]
    if question.kind == "multiple" and "pilih semua" not in heading.casefold():
        heading = f"{heading} {MULTIPLE_HINT}"
    out = [f"## {heading}"]
    if any(line.strip() for line in rest):
        out.extend(_paragraphs(rest))
        out.append("")
    if question.kind == "short":
        out.append("Jawaban: " + " | ".join(a.replace("|", "\\|") for a in question.answers))
    else:
        box = "[{}]" if question.kind == "multiple" else "({})"
        for index, (text, correct) in enumerate(question.options):
            out.append(f"- {box.format('x' if correct else ' ')} {_one_line(text)}")
            feedback = _one_line(question.option_feedback.get(index, ""))
            if feedback:
                out.append(f"  Umpan balik: {feedback}")
    if question.explanation.strip():
        explanation = [line.strip() for line in question.explanation.strip().split("\n")]
        out.append("")
        out.append(f"> Penjelasan: {explanation[0]}")
        out.extend(f"> {line}".rstrip() for line in explanation[1:])
    out.append("")
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    # Trim blank lines at both ends; keep the ones in between (they separate paragraphs).
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return [line.strip() for line in lines]


def _one_line(text: str) -> str:
    return " ".join(text.split())
