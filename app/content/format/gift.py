"""Moodle GIFT question banks into Lentera's quiz Markdown.

Supported: multiple choice (`{=right ~wrong}`), multiple answers (`{~%50%a ~%50%b ~%-100%c}`),
true/false (`{T}`, `{FALSE}`), short answer (`{=a =b}`), missing-word questions (text after the
braces), titles (`::judul::`), comments (`//`), format tags (`[html]`, `[plain]`, `[markdown]`,
`[moodle]`, before the question, an answer or a feedback), and the escapes
`\\= \\~ \\# \\{ \\} \\: \\n`.

How Moodle's meaning is kept where Lentera has no equivalent:
- Partial credit: Lentera grades all or nothing. A question with a `=` answer stays a single-
  answer question: the `=` option is the key, `~%50%` options become wrong options, and the
  dropped weights are reported. Without `=`, the positive-weight options are the keys of a
  multiple-answer question (Moodle's "multiple answers" form).
- Feedback: general feedback (`####`) is the explanation; per-answer feedback (`#`) stays with
  its option (shown to a learner who chose it). With no general feedback, the feedback of the
  correct answer becomes the explanation.
- Line breaks inside a question are spaces (Moodle joins them too); `\\n` is a paragraph break.
- Numeric questions with one exact answer (`{#14}`, `{#14:0}`) become short-answer questions;
  those with a tolerance or a range cannot be graded by text matching and are skipped.
Matching, essay and description questions have no Lentera equivalent: each is reported with
its line number and skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.content.format.problems import Problem, Severity
from app.content.format.quiz_writer import ImportedQuestion
from app.content.format.specs import QuestionKind
from app.i18n import gettext as _

# Escaped characters are swapped for private-use characters while parsing, then put back.
_ESCAPES = {"\\\\": "\ue000", "\\=": "\ue001", "\\~": "\ue002", "\\#": "\ue003"}
_ESCAPES |= {"\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}
_RESTORE = {v: k[1] for k, v in _ESCAPES.items()} | {"\ue007": "\n"}
_FORMAT_TAG = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_NUMBER = r"-?\d+(?:[.,]\d+)?"
_NUMERIC_EXACT = re.compile(rf"^(?:=?(?:%100%)?)?\s*({_NUMBER})\s*(?::\s*0+(?:[.,]0+)?)?$")
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
    return text


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(char, char) for char in text).strip()


def _text(raw: str, fmt: str) -> str:
    """Answer or feedback text: its own format tag (else the question's), as plain text."""
    tag = _FORMAT_TAG.match(raw)
    if tag:
        fmt, raw = tag.group(1).casefold(), raw[tag.end() :]
    raw = " ".join(raw.split())  # line breaks inside a GIFT text are spaces
    return _plain(raw) if fmt == "html" else _restore(raw)


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
    tag = _FORMAT_TAG.match(body)
    fmt = tag.group(1).casefold() if tag else "moodle"
    if tag:
        body = body[tag.end() :]
    opening, closing = body.find("{"), body.rfind("}")
    if opening < 0 or closing < opening:
        skip(_("Soal jenis keterangan (tanpa jawaban) tidak didukung dan dilewati."))
        return None
    before, block, after = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    stem = _stem(before, fmt)
    if after.strip():
        stem = f"{stem} ___ {_stem(after, fmt)}".strip()  # missing-word format
    stem = stem or title
    if not stem:
        skip(_("Soal ini tidak memiliki teks pertanyaan dan dilewati."), "error")
        return None
    block, _sep, general_raw = block.partition("####")
    general = _text(general_raw, fmt)
    content = block.strip()
    if not content:
        skip(_("Soal esai tidak didukung (Lentera menilai otomatis) dan dilewati."))
        return None
    if content.startswith("#"):
        return _numeric(chunk, stem, content[1:], general, fmt, path, problems)
    head, *feedback = content.split("#")
    if head.strip().casefold() in _TRUE_FALSE:
        truth = _TRUE_FALSE[head.strip().casefold()]
        # Moodle: the first feedback is shown after a wrong answer, the second after a right one.
        wrong_fb = _text(feedback[0], fmt) if feedback else ""
        right_fb = _text(feedback[1], fmt) if len(feedback) > 1 else ""
        explanation = general or right_fb or wrong_fb
        options = [("Benar", truth), ("Salah", not truth)]
        per_option: dict[int, str] = {}
        if wrong_fb and wrong_fb != explanation:
            per_option[1 if truth else 0] = wrong_fb
        if right_fb and right_fb != explanation:
            per_option[0 if truth else 1] = right_fb
        return ImportedQuestion(
            chunk.line, stem, "true_false", options, [], explanation, per_option
        )
    answers = _ANSWER.findall(content)
    if not answers or content[0] not in "=~":
        skip(
            _("Jawaban soal ini tidak dapat dibaca (tanda = atau ~ tidak ditemukan) dan dilewati.")
        )
        return None
    if any("->" in text for _mark, _weight, text in answers):
        skip(
            _(
                "Soal menjodohkan tidak didukung (Lentera belum memiliki jenis soal ini) dan "
                "dilewati. Ubah setiap pasangan menjadi satu soal pilihan tunggal."
            )
        )
        return None
    return _choices_or_short(chunk, stem, answers, general, fmt, path, problems)


def _choices_or_short(
    chunk: _Chunk,
    stem: str,
    answers: list[tuple[str, str, str]],
    general: str,
    fmt: str,
    path: str,
    problems: list[Problem],
) -> ImportedQuestion | None:
    parsed: list[tuple[str, float | None, str, str]] = []
    for mark, weight, raw in answers:
        text, _sep, feedback = raw.partition("#")
        parsed.append(
            (mark, float(weight) if weight else None, _text(text, fmt), _text(feedback, fmt))
        )
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
    has_key = any(mark == "=" or weight == 100 for mark, weight, _t, _f in parsed)
    if has_key:
        # Full credit is the key; partial credit cannot be given, so those options are wrong.
        options = [(text, mark == "=" or weight == 100) for mark, weight, text, _f in parsed]
        partial = [t for mark, w, t, _f in parsed if mark == "~" and w is not None and 0 < w < 100]
        if partial:
            problems.append(
                Problem(
                    path,
                    chunk.line,
                    _(
                        "Lentera menilai benar atau salah saja: nilai sebagian (%...%) pada "
                        "{options} dihapus, dan pilihan itu menjadi pilihan salah. Periksa "
                        "penjelasannya."
                    ).format(options=", ".join(f"'{t}'" for t in partial)),
                    "warning",
                )
            )
    else:
        # Moodle's "multiple answers": every option with a positive weight is a key.
        options = [(text, weight is not None and weight > 0) for _m, weight, text, _f in parsed]
    correct = [index for index, (_text_, right) in enumerate(options) if right]
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
    kind: QuestionKind = "multiple" if len(correct) > 1 or not has_key else "single"
    feedbacks = {index: f for index, (*_x, f) in enumerate(parsed) if f}
    explanation = general
    if not explanation:
        # The correct answer's feedback explains the question; it is not repeated on its option.
        explanation = " ".join(feedbacks.pop(index) for index in correct if index in feedbacks)
    return ImportedQuestion(chunk.line, stem, kind, options, [], explanation, feedbacks)


def _numeric(
    chunk: _Chunk,
    stem: str,
    content: str,
    general: str,
    fmt: str,
    path: str,
    problems: list[Problem],
) -> ImportedQuestion | None:
    """`{#14}`: one exact number becomes a short answer; tolerances and ranges are skipped."""
    answers: list[str] = []
    feedbacks: list[str] = []
    for part in re.split(r"(?=(?<![%\d])=)", content.strip()):
        if not part.strip():
            continue
        value, _sep, feedback = part.partition("#")
        weight = re.match(r"^\s*=?\s*%(-?\d+(?:\.\d+)?)%", value)
        if weight and float(weight.group(1)) < 100:
            continue  # partial credit: not an accepted answer
        exact = _NUMERIC_EXACT.match(value.strip())
        if exact is None:
            problems.append(
                Problem(
                    path,
                    chunk.line,
                    _(
                        "Soal numerik dengan toleransi atau rentang ({value}) tidak dapat dinilai "
                        "Lentera, yang mencocokkan jawaban sebagai teks, dan dilewati. Ubah "
                        "menjadi soal pilihan tunggal, atau isian dengan satu angka pasti."
                    ).format(value=_restore(value.strip())),
                    "warning",
                )
            )
            return None
        number = exact.group(1)
        answers.extend(dict.fromkeys([number, number.replace(".", ","), number.replace(",", ".")]))
        if feedback.strip():
            feedbacks.append(_text(feedback, fmt))
    if not answers:
        problems.append(
            Problem(
                path,
                chunk.line,
                _("Soal numerik ini tidak memiliki jawaban benar dan dilewati."),
                "error",
            )
        )
        return None
    problems.append(
        Problem(
            path,
            chunk.line,
            _(
                "Soal numerik diubah menjadi isian singkat dengan jawaban {answers}: peserta harus "
                "menulis angka itu persis."
            ).format(answers=" | ".join(answers)),
            "warning",
        )
    )
    explanation = general or " ".join(feedbacks)
    return ImportedQuestion(chunk.line, stem, "short", [], answers, explanation)


def _stem(text: str, fmt: str) -> str:
    if fmt == "html":
        return _plain(text)
    return _restore(" ".join(text.split()))


def _plain(text: str) -> str:
    # [html] questions: keep the words and the paragraph breaks, drop the tags.
    text = re.sub(r"<\s*(br|/p)\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return _restore(text)
