"""Quiz files (`tes-awal.md`, `tes-akhir.md`, `NN-slug.kuis.md`) into a `QuizSpec`.

Parsed line by line, not through the Markdown tree, because the quiz syntax (`- (x)`, `[ ]`,
`Jawaban:`, `> Penjelasan:`) is ours and every problem must point at its line. The pieces of
text (stem, options, explanation) are then rendered as Markdown like any module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from app.content.format.fields import Fields
from app.content.format.frontmatter import parse_mapping, split_front_matter
from app.content.format.lines import Line, body_lines, heading, join_text
from app.content.format.markdown import plain_text, render_block, render_inline
from app.content.format.problems import ProblemLog
from app.content.format.quiz_bank_checks import check_bank
from app.content.format.quiz_checks import check_question
from app.content.format.quiz_raw import RawOption, RawQuestion
from app.content.format.render_context import RenderContext
from app.content.format.sources import read_text, sha256_of
from app.content.format.specs import (
    ANSWER_REVEAL_VALUES,
    OptionSpec,
    QuestionSpec,
    QuizSpec,
    short_hash,
    text_id,
)
from app.content.format.specs import question_id as make_question_id
from app.content.format.urls import LinkResolver
from app.i18n import gettext as _

REQUIRED = {"judul": "judul: Tes Akhir Pelayanan Publik Prima"}
OPTIONAL = ("jumlah_soal", "batas_waktu", "maks_percobaan", "tampilkan_jawaban")

# "- ( ) text", "- (x) text", "- [ ] text", "- [x] text"; any other one-character mark is
# captured too, so that "(v)" is reported instead of silently becoming part of the stem.
_OPTION = re.compile(
    r"^ {0,3}[-*+][ \t]+"
    r"(?:\(\s*(?P<round>[^()\s\]]?)\s*\)|\[\s*(?P<square>[^\[\]\s]?)\s*\])"
    r"(?:[ \t]+|$)(?P<text>.*)$"
)
_ANSWER = re.compile(r"^jawaban\s*:(?P<text>.*)$", re.IGNORECASE)
_EXPLANATION = re.compile(r"^ {0,3}>\s*penjelasan\s*:(?P<text>.*)$", re.IGNORECASE)
_BARE_EXPLANATION = re.compile(r"^penjelasan\s*:", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^ {0,3}[-*+][ \t]+\S")
_LETTER_OPTION = re.compile(r"^ {0,3}[A-Ea-e][.)]\s*\S")
_LETTER_ANSWER = re.compile(r"^\s*[A-Ea-e](?:\s*[,;/&]\s*[A-Ea-e]|\s+dan\s+[A-Ea-e])*\s*\.?\s*$")
# Keyword lines other tools and habits use; in a quiz they would reach learners as question
# text, so they are refused with the keywords Lentera knows.
_KEYWORD_LIKE = re.compile(r"^(?P<key>[^\W\d_]+(?: [^\W\d_]+){0,2})\s*:(?:\s|$)")
_FOREIGN_KEYWORDS = (
    "penilaian",
    "nilai",
    "skor",
    "bobot",
    "poin",
    "kunci",
    "kunci jawaban",
    "jawaban benar",
    "umpan balik",
    "pembahasan",
    "feedback",
    "answer",
    "lanjut",
    "lanjut ke",
    "akibat",
)
KNOWN_KEYWORDS = ("Jawaban:", "> Penjelasan:", "Umpan balik: (menjorok di bawah pilihan)")
# "  Umpan balik: ..." indented under an option: shown to a learner who chose that option.
_OPTION_FEEDBACK = re.compile(r"^(?: {2,}|\t)umpan\s+balik\s*:(?P<text>.*)$", re.IGNORECASE)
_SELECT_ALL = re.compile(r"\s*\(\s*pilih\s+semua\b[^()]*\)\s*$", re.IGNORECASE)


def parse_quiz(
    path: Path, key: str, shown: str, resolver: LinkResolver, problems: ProblemLog
) -> QuizSpec | None:
    """Read and check one quiz file; None when it has any error (all of them reported)."""
    text = read_text(path, shown, problems)
    if text is None:
        return None
    return parse_quiz_text(text, key, shown, resolver, problems, path.read_bytes())


def parse_quiz_text(
    text: str,
    key: str,
    shown: str,
    resolver: LinkResolver,
    problems: ProblemLog,
    source: bytes | None = None,
) -> QuizSpec | None:
    """Check quiz Markdown already read into `text`; None when it has any error."""
    mark = problems.count()
    document = split_front_matter(text, shown, problems)
    if document is None:
        return None
    mapping = parse_mapping(document.meta_text, document.meta_first_line, shown, problems)
    title = draw = limit = attempts = reveal = None
    if mapping is not None:
        fields = Fields(mapping, shown, problems)
        fields.check_keys(REQUIRED, OPTIONAL)
        title = fields.text("judul") if "judul" in mapping.data else None
        draw = fields.integer("jumlah_soal", low=1) if "jumlah_soal" in mapping.data else None
        limit = fields.integer("batas_waktu", low=1) if "batas_waktu" in mapping.data else None
        attempts = (
            fields.integer("maks_percobaan", low=1) if "maks_percobaan" in mapping.data else None
        )
        if "tampilkan_jawaban" in mapping.data:
            reveal = fields.choice("tampilkan_jawaban", ANSWER_REVEAL_VALUES)
    raw_questions = split_questions(
        body_lines(document.body, document.body_first_line), shown, problems
    )
    ctx = RenderContext(shown, problems, resolver)
    questions = _build(raw_questions, ctx)
    check_bank(questions, shown, problems)
    if not raw_questions:
        problems.error(
            shown,
            document.body_first_line,
            _(
                "Berkas kuis ini belum berisi soal. Setiap soal diawali baris ## yang berisi "
                "pertanyaannya, lalu pilihan jawaban atau baris Jawaban:."
            ),
        )
    if draw is not None and mapping is not None and draw >= len(raw_questions) > 0:
        problems.error(
            shown,
            mapping.lines["jumlah_soal"],
            _(
                "jumlah_soal {draw}, padahal bank soal hanya berisi {count} soal. Bank soal harus "
                "berisi lebih banyak soal daripada jumlah_soal: tambahkan soal, atau kecilkan "
                "jumlah_soal (paling besar {most}), atau hapus baris jumlah_soal agar semua soal "
                "ditampilkan."
            ).format(draw=draw, count=len(raw_questions), most=len(raw_questions) - 1),
        )
    if problems.errors_since(mark) or title is None:
        return None
    return QuizSpec(
        key=key,
        title=title,
        draw_count=draw,
        time_limit_minutes=limit,
        max_attempts=attempts,
        questions=tuple(questions),
        content_hash=sha256_of(source if source is not None else text.encode("utf-8")),
        answer_reveal=reveal,
    )


def split_questions(lines: list[Line], shown: str, problems: ProblemLog) -> list[RawQuestion]:
    """Cut the body at `## ` headings and sort each question's lines by role."""
    questions: list[RawQuestion] = []
    preamble: list[Line] = []
    for line in lines:
        found = heading(line)
        if found is not None and found[0] == 1:
            problems.error(
                shown,
                line.number,
                _("Soal diawali ## (dua tanda pagar), bukan #. Ubah baris ini menjadi ## ..."),
            )
            continue
        if found is not None and found[0] == 2:
            questions.append(RawQuestion(line.number, found[1]))
        elif questions:
            _add_line(questions[-1], line, shown, problems)
        elif not line.blank:
            preamble.append(line)
    if preamble:
        problems.warning(
            shown,
            preamble[0].number,
            _(
                "Teks sebelum soal pertama tidak ditampilkan kepada peserta. Hapus teks ini, atau "
                "jadikan soal dengan mengawalinya dengan ##."
            ),
        )
    return questions


def _add_line(question: RawQuestion, line: Line, shown: str, problems: ProblemLog) -> None:
    text = line.text
    answered = bool(question.options) or question.answer is not None
    if question.in_explanation:
        if line.blank:
            question.in_explanation = False  # a blank line ends the quoted explanation
        elif _EXPLANATION.match(text):
            problems.error(shown, line.number, _("Soal ini sudah memiliki > Penjelasan: di atas."))
        else:
            question.explanation.append(Line(line.number, re.sub(r"^ {0,3}> ?", "", text), False))
        return
    if line.blank:
        if not answered and not question.explanation:
            question.stem.append(line)
        return
    if question.explanation:
        problems.error(
            shown,
            line.number,
            _(
                "Teks sesudah penjelasan tidak dipakai. Pindahkan ke atas pilihan jawaban (sebagai "
                "bagian pertanyaan) atau ke dalam penjelasan (awali dengan >)."
            ),
        )
        return
    if line.fenced:
        if answered:
            problems.error(shown, line.number, _misplaced_text())
        else:
            question.stem.append(line)
        return
    explanation = _EXPLANATION.match(text)
    if explanation:
        question.explanation.append(Line(line.number, explanation.group("text").strip(), False))
        question.in_explanation = True
        return
    option = _OPTION.match(text)
    if option:
        box: Literal["round", "square"] = "round" if option.group("round") is not None else "square"
        mark = (option.group("round") or option.group("square") or "").strip().casefold()
        question.options.append(RawOption(line.number, box, mark, option.group("text").strip()))
        return
    answer = _ANSWER.match(text.strip())
    if answer and not question.options and _pasted_letters(question, answer.group("text")):
        problems.error(
            shown,
            line.number,
            _(
                "Soal ini ditulis dalam bentuk A. ... / Jawaban: {letter}, yang tidak dikenal "
                "Lentera: tanpa perbaikan, soal ini menjadi soal isian yang jawabannya huruf "
                "{letter}. Ubah setiap pilihan menjadi - ( ) teks pilihan, tandai yang benar "
                "dengan - (x), lalu hapus baris Jawaban:. Bank soal Aiken dapat diubah sekaligus "
                "dengan lentera content import-questions."
            ).format(letter=answer.group("text").strip()),
        )
        question.refused = True
        return
    if answer:
        if question.answer is not None:
            problems.error(
                shown,
                line.number,
                _(
                    "Baris Jawaban: ditulis dua kali. Gabungkan semua jawaban di satu baris, "
                    "dipisah |."
                ),
            )
        else:
            question.answer = (line.number, answer.group("text"))
        return
    if _BARE_EXPLANATION.match(text.strip()):
        problems.error(
            shown,
            line.number,
            _(
                "Tulis > di depan Penjelasan: (menjadi > Penjelasan: ...). Tanpa >, penjelasan "
                "tampil sebagai bagian soal dan membocorkan jawabannya."
            ),
        )
        return
    option_feedback = _OPTION_FEEDBACK.match(text)
    if question.options and option_feedback:
        if question.options[-1].feedback:
            problems.error(
                shown, line.number, _("Pilihan ini sudah memiliki baris Umpan balik: di atas.")
            )
        else:
            feedback = option_feedback.group("text").strip()
            question.options[-1].feedback.append(Line(line.number, feedback, False))
        return
    if question.options and question.options[-1].feedback and text.startswith(("  ", "\t")):
        question.options[-1].feedback.append(Line(line.number, text.strip(), False))
        return
    keyword = _KEYWORD_LIKE.match(text.strip())
    if keyword and (answered or keyword.group("key").casefold() in _FOREIGN_KEYWORDS):
        problems.error(
            shown,
            line.number,
            _(
                "Baris {key}: tidak dikenal di berkas kuis dan akan tampil kepada peserta sebagai "
                "teks soal. Baris berkunci yang dikenal: {known}. Hapus baris ini, atau pindahkan "
                "isinya ke dalam > Penjelasan:."
            ).format(key=keyword.group("key"), known=", ".join(KNOWN_KEYWORDS)),
        )
        return
    if question.options and text.startswith(("  ", "\t")) and not _LIST_ITEM.match(text):
        question.options[-1].text += " " + text.strip()  # an option that goes on a second line
        return
    if not answered:
        question.stem.append(line)
    elif _LIST_ITEM.match(text):
        problems.error(
            shown,
            line.number,
            _(
                "Pilihan ini tidak memiliki tanda. Tulis - ( ) atau - (x) untuk pilihan tunggal, "
                "- [ ] atau - [x] untuk pilihan jamak."
            ),
        )
    else:
        problems.error(shown, line.number, _misplaced_text())


def _pasted_letters(question: RawQuestion, answer: str) -> bool:
    """Options pasted as "A. ..." lines (now in the stem) and a `Jawaban:` that names a letter."""
    lettered = [line for line in question.stem if _LETTER_OPTION.match(line.text)]
    return len(lettered) >= 2 and bool(_LETTER_ANSWER.match(answer))


def _misplaced_text() -> str:
    return _(
        "Teks di antara atau sesudah pilihan jawaban tidak dipakai. Pindahkan ke atas pilihan "
        "(sebagai bagian pertanyaan) atau ke dalam > Penjelasan:."
    )


def _options(raw: RawQuestion, ctx: RenderContext) -> tuple[OptionSpec, ...] | None:
    """Rendered options; None (reported) when two read the same once rendered.

    Options are compared as the learner sees them, punctuation included, so a question about
    punctuation can offer "?", "!" and ".". Ids stay those of `text_id` (stable across cosmetic
    edits); only an option whose id another option already has gets one from its shown text.
    """
    built: list[OptionSpec] = []
    shown: dict[str, int] = {}
    ok = True
    for option in raw.options:
        html = render_inline(option.text, option.line, ctx)
        key = " ".join(plain_text(html).casefold().split())
        if key in shown:
            ctx.problems.error(
                ctx.path,
                option.line,
                _("Pilihan ini sama dengan pilihan di baris {line}.").format(line=shown[key]),
            )
            ok = False
            continue
        shown[key] = option.line
        option_id = text_id(option.text)
        if any(o.id == option_id for o in built):
            option_id = short_hash("\0" + key)
        feedback = (
            render_block(join_text(option.feedback), option.feedback[0].number, ctx)
            if option.feedback
            else ""
        )
        built.append(OptionSpec(option_id, html, option.mark == "x", feedback))
    return tuple(built) if ok else None


def _build(raw_questions: list[RawQuestion], ctx: RenderContext) -> list[QuestionSpec]:
    seen: dict[str, int] = {}
    built: list[QuestionSpec] = []
    for raw in raw_questions:
        stem_text = join_text(raw.stem).strip()
        question_id = make_question_id(raw.title, stem_text)
        if question_id in seen:
            ctx.problems.error(
                ctx.path,
                raw.line,
                _(
                    "Soal ini sama dengan soal di baris {line}. Hapus salah satunya atau ubah "
                    "isinya."
                ).format(line=seen[question_id]),
            )
            continue
        seen[question_id] = raw.line
        if raw.refused:
            continue
        checked = check_question(raw, ctx.path, ctx.problems)
        if checked is None:
            continue
        kind, accepted = checked
        title = raw.title
        if kind == "multiple":
            # The quiz page says "Pilih semua yang benar." under every such question itself.
            title = _SELECT_ALL.sub("", title) or title
        stem_html = f"<p>{render_inline(title, raw.line, ctx)}</p>"
        if stem_text:
            stem_html += render_block(join_text(raw.stem), raw.stem[0].number, ctx)
        options = _options(raw, ctx)
        if options is None:
            continue
        explanation = (
            render_block(join_text(raw.explanation), raw.explanation[0].number, ctx)
            if raw.explanation
            else ""
        )
        built.append(
            QuestionSpec(question_id, kind, stem_html, options, accepted, explanation, raw.line)
        )
    return built
