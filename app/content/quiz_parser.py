"""Quiz files (`tes-awal.md`, `tes-akhir.md`, `NN-slug.kuis.md`) into a `QuizSpec`.

Parsed line by line, not through the Markdown tree, because the quiz syntax (`- (x)`, `[ ]`,
`Jawaban:`, `> Penjelasan:`) is ours and every problem must point at its line. The pieces of
text (stem, options, explanation) are then rendered as Markdown like any module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from app.content.fields import Fields
from app.content.frontmatter import parse_mapping, split_front_matter
from app.content.lines import Line, body_lines, heading, join_text
from app.content.markdown import render_block, render_inline
from app.content.problems import ProblemLog
from app.content.quiz_checks import check_question
from app.content.quiz_raw import RawOption, RawQuestion
from app.content.render_context import RenderContext
from app.content.sources import read_text, sha256_of
from app.content.specs import OptionSpec, QuestionSpec, QuizSpec, text_id
from app.content.specs import question_id as make_question_id
from app.content.urls import LinkResolver
from app.i18n import gettext as _

REQUIRED = {"judul": "judul: Tes Akhir Pelayanan Publik Prima"}
OPTIONAL = ("jumlah_soal", "batas_waktu", "maks_percobaan")

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
    title = draw = limit = attempts = None
    if mapping is not None:
        fields = Fields(mapping, shown, problems)
        fields.check_keys(REQUIRED, OPTIONAL)
        title = fields.text("judul") if "judul" in mapping.data else None
        draw = fields.integer("jumlah_soal", low=1) if "jumlah_soal" in mapping.data else None
        limit = fields.integer("batas_waktu", low=1) if "batas_waktu" in mapping.data else None
        attempts = (
            fields.integer("maks_percobaan", low=1) if "maks_percobaan" in mapping.data else None
        )
    raw_questions = split_questions(
        body_lines(document.body, document.body_first_line), shown, problems
    )
    ctx = RenderContext(shown, problems, resolver)
    questions = _build(raw_questions, ctx)
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


def _misplaced_text() -> str:
    return _(
        "Teks di antara atau sesudah pilihan jawaban tidak dipakai. Pindahkan ke atas pilihan "
        "(sebagai bagian pertanyaan) atau ke dalam > Penjelasan:."
    )


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
        checked = check_question(raw, ctx.path, ctx.problems)
        if checked is None:
            continue
        kind, accepted = checked
        stem_html = f"<p>{render_inline(raw.title, raw.line, ctx)}</p>"
        if stem_text:
            stem_html += render_block(join_text(raw.stem), raw.stem[0].number, ctx)
        options = tuple(
            OptionSpec(text_id(o.text), render_inline(o.text, o.line, ctx), o.mark == "x")
            for o in raw.options
        )
        explanation = (
            render_block(join_text(raw.explanation), raw.explanation[0].number, ctx)
            if raw.explanation
            else ""
        )
        built.append(
            QuestionSpec(question_id, kind, stem_html, options, accepted, explanation, raw.line)
        )
    return built
