"""Moodle GIFT question banks into Lentera's quiz Markdown.

Supported: multiple choice (`{=right ~wrong}`), multiple answers (`{~%50%a ~%50%b ~%-100%c}`),
true/false (`{T}`, `{FALSE}`), short answer (`{=a =b}`), missing-word questions (text after the
braces), titles (`::judul::`), comments (`//`), per-answer and general feedback (`#`, `####`,
used as the explanation), format tags (`[html]`...), and the escapes `\\= \\~ \\# \\{ \\} \\:`.
Matching, numeric, essay and description questions have no Lentera equivalent: each is
reported with its line number and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.content.problems import Problem, Severity
from app.content.quiz_writer import ImportedQuestion
from app.content.specs import QuestionKind
from app.i18n import gettext as _

# Escaped characters are swapped for private-use characters while parsing, then put back.
_ESCAPES = {"\\\\": "\ue000", "\\=": "\ue001", "\\~": "\ue002", "\\#": "\ue003"}
_ESCAPES |= {"\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006"}
_RESTORE = {v: k[1] for k, v in _ESCAPES.items()}
_FORMAT_TAG = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}
_ANSWER = re.compile(r"([=~])(?:%(-?\d+(?:\.\d+)?)%)?([^=~]*)")


@dataclass(frozen=True)
class _Chunk:
    line: int
    text: str


def parse_gift(text: str, path: str) -> tuple[list[ImportedQuestion], list[Problem]]:
    """Questions found in GIFT `text`, and a problem for each one that could not be taken."""
    questions: list[ImportedQuestion] = []
    problems: list[Problem] = []
    for chunk in _chunks(_escape(text.replace("\r\n", "\n"))):
        question = _question(chunk, path, problems)
        if question is not None:
            questions.append(question)
    return questions, problems


def _escape(text: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("\\n", "\n")


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(char, char) for char in text).strip()


def _chunks(text: str) -> list[_Chunk]:
    """Questions are separated by blank lines; comments and $CATEGORY lines are dropped."""
    chunks: list[_Chunk] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//") or stripped.startswith("$CATEGORY"):
            continue
        open_braces = "".join(lines).count("{") - "".join(lines).count("}")
        if not stripped and open_braces <= 0:
            if lines:
                chunks.append(_Chunk(start, "\n".join(lines)))
            lines = []
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        chunks.append(_Chunk(start, "\n".join(lines)))
    return chunks


def _question(chunk: _Chunk, path: str, problems: list[Problem]) -> ImportedQuestion | None:
    def skip(message: str, severity: Severity = "warning") -> None:
        # Unsupported types are a limit of Lentera (warning); unreadable questions are errors.
        problems.append(Problem(path, chunk.line, message, severity))

    body = chunk.text.strip()
    title = ""
    titled = re.match(r"^::(.*?)::", body, re.DOTALL)
    if titled:
        title, body = _restore(titled.group(1)), body[titled.end() :]
    body = _FORMAT_TAG.sub("", body, count=1)
    opening, closing = body.find("{"), body.rfind("}")
    if opening < 0 or closing < opening:
        skip(_("Soal jenis keterangan (tanpa jawaban) tidak didukung dan dilewati."))
        return None
    before, block, after = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    stem = _plain(before)
    if after.strip():
        stem = f"{stem} ___ {_plain(after)}".strip()  # missing-word format
    stem = stem or title
    if not stem:
        skip(_("Soal ini tidak memiliki teks pertanyaan dan dilewati."), "error")
        return None
    block, _sep, general = block.partition("####")
    general = _restore(general)
    content = block.strip()
    if not content:
        skip(_("Soal esai tidak didukung (Lentera menilai otomatis) dan dilewati."))
        return None
    if content.startswith("#"):
        skip(_("Soal numerik tidak didukung dan dilewati; ubah menjadi isian singkat."))
        return None
    head, *feedback = content.split("#")
    if head.strip().casefold() in _TRUE_FALSE:
        truth = _TRUE_FALSE[head.strip().casefold()]
        explanation = general or _restore(feedback[1] if len(feedback) > 1 else "")
        explanation = explanation or _restore(feedback[0] if feedback else "")
        options = [("Benar", truth), ("Salah", not truth)]
        return ImportedQuestion(chunk.line, stem, "true_false", options, [], explanation)
    answers = _ANSWER.findall(content)
    if not answers or content[0] not in "=~":
        skip(
            _("Jawaban soal ini tidak dapat dibaca (tanda = atau ~ tidak ditemukan) dan dilewati.")
        )
        return None
    if any("->" in text for _mark, _weight, text in answers):
        skip(_("Soal menjodohkan tidak didukung dan dilewati."))
        return None
    return _choices_or_short(chunk, stem, answers, general, path, problems)


def _choices_or_short(
    chunk: _Chunk,
    stem: str,
    answers: list[tuple[str, str, str]],
    general: str,
    path: str,
    problems: list[Problem],
) -> ImportedQuestion | None:
    parsed: list[tuple[str, float | None, str, str]] = []
    for mark, weight, raw in answers:
        text, _sep, feedback = raw.partition("#")
        parsed.append((mark, float(weight) if weight else None, _restore(text), _restore(feedback)))
    if all(mark == "=" for mark, *_rest in parsed):
        accepted = [text for _m, weight, text, _f in parsed if weight is None or weight >= 100]
        if len(accepted) < len(parsed):
            problems.append(
                Problem(
                    path,
                    chunk.line,
                    _("Jawaban dengan nilai sebagian (%...%) tidak didukung dan dihapus."),
                    "warning",
                )
            )
        feedback = general or " ".join(f for *_x, f in parsed if f)
        return ImportedQuestion(chunk.line, stem, "short", [], accepted, feedback)
    options = [
        (text, mark == "=" or (weight is not None and weight > 0))
        for mark, weight, text, _f in parsed
    ]
    correct = [text for text, right in options if right]
    if not correct:
        problems.append(
            Problem(
                path,
                chunk.line,
                _(
                    "Soal ini tidak memiliki jawaban benar (tanda = atau %...% positif) dan "
                    "dilewati."
                ),
                "error",
            )
        )
        return None
    partial = any(weight is not None and mark == "~" and weight > 0 for mark, weight, *_r in parsed)
    kind: QuestionKind = "multiple" if partial or len(correct) > 1 else "single"
    feedback = general or " ".join(f for mark, w, t, f in parsed if f and t in correct)
    return ImportedQuestion(chunk.line, stem, kind, options, [], feedback)


def _plain(text: str) -> str:
    # [html] questions: keep the words and the paragraph breaks, drop the tags.
    text = re.sub(r"<\s*(br|/p)\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return _restore(text)
