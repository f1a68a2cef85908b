"""Moodle GIFT and Aiken into quiz Markdown, read back through the real quiz parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.format.aiken import parse_aiken
from app.content.format.gift import parse_gift
from app.content.format.problems import Problem, ProblemLog
from app.content.format.question_import import convert_file, detect_format
from app.content.format.quiz_parser import parse_quiz_text
from app.content.format.specs import QuizSpec
from app.content.format.urls import CourseUrls, LinkResolver

FIXTURES = Path(__file__).parent / "fixtures"


def _reload(markdown: str, tmp_path: Path) -> QuizSpec:
    log = ProblemLog()
    resolver = LinkResolver(tmp_path, CourseUrls("KODE"), frozenset())
    spec = parse_quiz_text(markdown, "impor", "hasil.md", resolver, log)
    assert [str(p) for p in log.items if p.is_error] == []
    assert spec is not None
    return spec


def _lines(problems: list[Problem]) -> list[tuple[int | None, str]]:
    return [(p.line, p.severity) for p in problems]


def test_gift_file_converts_each_supported_kind(tmp_path: Path) -> None:
    markdown, _problems = convert_file(FIXTURES / "bank-soal.gift")
    spec = _reload(markdown, tmp_path)
    assert markdown.startswith('---\njudul: "Bank Soal"\n---\n')
    kinds = [q.kind for q in spec.questions]
    assert kinds == [
        *("single", "multiple", "true_false", "true_false", "short", "single", "single", "short")
    ]
    single, multiple, false, true, short, escaped, missing_word, numeric = spec.questions
    assert numeric.accepted_answers == ("14",)
    assert [o.correct for o in single.options] == [True, False, False]
    assert single.explanation_html == "<p>Tepat, SKM diatur PermenPAN-RB.</p>\n"
    assert [o.correct for o in multiple.options] == [True, True, False]
    assert "? (pilih semua yang benar)\n" in markdown  # in the file; the quiz page says it once
    assert "dua belas asas" in multiple.explanation_html
    assert [(o.html, o.correct) for o in false.options] == [("Benar", False), ("Salah", True)]
    assert false.explanation_html == "<p>Benar, itu pungutan liar.</p>\n"
    assert [o.correct for o in true.options] == [True, False]
    assert short.accepted_answers == ("SP4N-LAPOR!", "LAPOR", "SP4N LAPOR")
    assert short.explanation_html == "<p>Kanal resmi KemenPAN-RB.</p>\n"
    assert "Sebutkan kanal pengaduan nasional:" in short.stem_html
    assert escaped.stem_html == "<p>Tanda = berarti sama dengan, dan {kurung} ~ # tetap utuh.</p>"
    assert missing_word.stem_html == "<p>Pelayanan publik diatur dalam UU Nomor ___ Tahun 2009.</p>"
    assert [o.correct for o in missing_word.options] == [True, False, False]


def test_gift_unsupported_types_are_reported_with_their_lines() -> None:
    _markdown, problems = convert_file(FIXTURES / "bank-soal.gift")
    messages = {p.line: p.message for p in problems}
    assert "menjodohkan" in messages[28]
    assert "numerik" in messages[33]
    assert "esai" in messages[35]
    assert "keterangan" in messages[37]
    assert "tidak memiliki jawaban benar" in messages[39]
    assert _lines(problems) == [
        (28, "warning"),
        (33, "warning"),
        (35, "warning"),
        (37, "warning"),
        (39, "error"),
    ]


@pytest.mark.parametrize(
    ("gift", "kind", "answers"),
    [
        ("Q {=a ~b ~c}", "single", [("a", True), ("b", False), ("c", False)]),
        ("Q {=%100%a ~%0%b ~c}", "single", [("a", True), ("b", False), ("c", False)]),
        (
            "Q {~%33.3%a ~%33.3%b ~%33.4%c ~%-100%d}",
            "multiple",
            [("a", True), ("b", True), ("c", True), ("d", False)],
        ),
        ("Q {TRUE}", "true_false", [("Benar", True), ("Salah", False)]),
        ("Q {F}", "true_false", [("Benar", False), ("Salah", True)]),
        ("Q {=tiga =3}", "short", ["tiga", "3"]),
    ],
)
def test_gift_question_kinds(gift: str, kind: str, answers: list[object]) -> None:
    questions, problems = parse_gift(gift, "x.gift")
    assert problems == []
    (question,) = questions
    assert question.kind == kind
    assert (question.answers if kind == "short" else question.options) == answers


def test_gift_escapes_and_title_only_question() -> None:
    text = "::Kode\\: pasal 4:: {=a\\=b ~c\\~d ~e\\#f ~\\{g\\}}\n"
    (question,), _problems = parse_gift(text, "x.gift")
    assert question.text == "Kode: pasal 4"
    assert [t for t, _c in question.options] == ["a=b", "c~d", "e#f", "{g}"]


def test_gift_partial_short_answers_are_dropped_with_a_warning() -> None:
    (question,), problems = parse_gift("Ibu kota? {=Palu =%50%Kota Palu}", "x.gift")
    assert question.answers == ["Palu"]
    assert _lines(problems) == [(1, "warning")]


def test_aiken_file_converts_and_reports_bad_questions(tmp_path: Path) -> None:
    markdown, problems = convert_file(FIXTURES / "bank-soal-aiken.txt")
    spec = _reload(markdown, tmp_path)
    assert [q.kind for q in spec.questions] == ["single", "single"]
    assert [o.correct for o in spec.questions[0].options] == [False, True, False]
    assert (
        spec.questions[1].stem_html
        == "<p>Pelayanan publik diatur dalam undang-undang</p><p>nomor berapa?</p>\n"
    )
    assert [o.correct for o in spec.questions[1].options] == [False, True, False]
    messages = [(p.line, p.message) for p in problems]
    assert messages[0][0] == 14 and "tidak memiliki baris ANSWER:" in messages[0][1]
    assert messages[1][0] == 18 and "ANSWER: E tidak cocok" in messages[1][1]
    assert messages[2][0] == 23 and "kurang dari 2 pilihan" in messages[2][1]


def test_aiken_answer_line_without_question() -> None:
    _questions, problems = parse_aiken("ANSWER: A\n", "x.txt")
    assert _lines(problems) == [(1, "error")]


def test_format_is_detected_from_extension_and_content(tmp_path: Path) -> None:
    gift_txt = tmp_path / "bank.txt"
    assert detect_format(gift_txt, "Q {=a ~b}") == "gift"
    assert detect_format(gift_txt, "Q\nA. a\nB. b\nANSWER: A\n") == "aiken"
    assert detect_format(tmp_path / "bank.gift", "Q\nA. a\nANSWER: A") == "gift"


def test_nothing_convertible_gives_empty_markdown(tmp_path: Path) -> None:
    path = tmp_path / "kosong.gift"
    path.write_text("Hanya keterangan.\n", encoding="utf-8")
    markdown, problems = convert_file(path)
    assert markdown == ""
    assert problems[-1].message.startswith("Tidak ada soal yang dapat diubah")


def test_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "lama.gift"
    path.write_bytes("Soal {=é ~b}".encode("latin-1"))
    markdown, problems = convert_file(path)
    assert markdown == "" and "UTF-8" in problems[0].message
