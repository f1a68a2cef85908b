"""Each GIFT and Aiken rule of Moodle kept by the import (banks written for Lentera)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content import store
from app.content.format.aiken import parse_aiken
from app.content.format.gift import parse_gift
from app.content.format.problems import ProblemLog
from app.content.format.question_import import convert_file
from app.content.format.quiz_parser import parse_quiz_text
from app.content.format.specs import QuizSpec
from app.content.format.urls import CourseUrls, LinkResolver
from tests.content.helpers import make_course
from tests.factories import csrf_token, login, make_user
from tests.learning.test_journey import enrol

FIXTURES = Path(__file__).parent / "fixtures"


def _spec(tmp_path: Path) -> tuple[QuizSpec, str, dict[int, str]]:
    markdown, problems = convert_file(FIXTURES / "aturan-moodle.gift")
    log = ProblemLog()
    resolver = LinkResolver(tmp_path, CourseUrls("KODE"), frozenset())
    spec = parse_quiz_text(markdown, "impor", "hasil.md", resolver, log)
    assert [str(p) for p in log.items if p.is_error] == [], markdown
    assert spec is not None
    return spec, markdown, {p.line or 0: p.message for p in problems}


def test_partial_credit_single_answer_stays_single_with_the_weights_reported(
    tmp_path: Path,
) -> None:
    spec, _markdown, messages = _spec(tmp_path)
    question = spec.questions[0]
    assert question.kind == "single"
    assert [o.correct for o in question.options] == [True, False, False]
    assert "'Ketua RT'" in messages[3] and "nilai sebagian" in messages[3]


def test_per_answer_feedback_stays_with_its_option(tmp_path: Path) -> None:
    spec, markdown, _messages = _spec(tmp_path)
    question = spec.questions[0]
    assert question.explanation_html == "<p>SPTJM ditandatangani pemohon di atas meterai.</p>\n"
    feedback = [o.feedback_html for o in question.options]
    assert feedback == [
        "<p>Tepat: pemohon menjamin kebenaran datanya.</p>\n",
        "<p>Ketua RT hanya mengetahui, bukan menjamin.</p>\n",
        "<p>Petugas tidak menjamin data warga.</p>\n",
    ]
    assert "- ( ) Ketua RT\n  Umpan balik: Ketua RT hanya mengetahui" in markdown


def test_true_false_feedback_goes_to_the_option_it_answers(tmp_path: Path) -> None:
    spec, _markdown, _messages = _spec(tmp_path)
    question = spec.questions[3]
    assert question.kind == "true_false"
    assert question.explanation_html == "<p>Benar: tetap pungutan liar.</p>\n"
    benar, salah = question.options
    assert "kerelaan tidak mengubah" in benar.feedback_html and salah.feedback_html == ""


def test_format_markers_do_not_leak_and_two_lines_stay_one_question(tmp_path: Path) -> None:
    spec, markdown, _messages = _spec(tmp_path)
    assert "[plain]" not in markdown and "[html]" not in markdown and "[markdown]" not in markdown
    question = spec.questions[1]
    assert question.stem_html == "<p>Berapa lama paling lama pengaduan harus ditanggapi?</p>"
    assert [o.html for o in question.options] == [
        "14 hari kerja",
        "30 hari kerja",
        "<strong>7 hari</strong> kalender",
    ]
    # Without general feedback, the key's feedback explains (and is not repeated on the key).
    assert question.explanation_html == "<p>Benar, sesuai standar.</p>\n"
    assert question.options[0].feedback_html == ""


def test_punctuation_options_from_an_html_question_survive(tmp_path: Path) -> None:
    spec, _markdown, _messages = _spec(tmp_path)
    assert [o.html for o in spec.questions[2].options] == ["?", "!", "."]


def test_exact_numeric_becomes_short_answer_and_tolerances_are_skipped(tmp_path: Path) -> None:
    spec, _markdown, messages = _spec(tmp_path)
    numeric = spec.questions[4]
    assert numeric.kind == "short" and numeric.accepted_answers == ("12",)
    assert numeric.explanation_html == "<p>Pasal 4 memuat dua belas asas.</p>\n"
    assert "isian singkat" in messages[21]
    assert "toleransi atau rentang (3.0:0.5)" in messages[23]
    assert "toleransi atau rentang (58..60)" in messages[25]
    assert "menjodohkan" in messages[27] and "pilihan tunggal" in messages[27]
    assert len(spec.questions) == 5


def test_decimal_numeric_accepts_the_indonesian_comma() -> None:
    (question,), _problems = parse_gift("Nilai pi dua desimal? {#3.14}", "x.gift")
    assert question.answers == ["3.14", "3,14"]


def test_multiple_answers_without_a_full_credit_key_stay_multiple() -> None:
    (question,), problems = parse_gift("Q {~%50%a ~%50%b ~%-50%c}", "x.gift")
    assert question.kind == "multiple" and problems == []
    assert question.options == [("a", True), ("b", True), ("c", False)]


def test_aiken_option_without_a_space_is_read_as_moodle_does() -> None:
    text = "Ibu kota Sulawesi Tengah?\nA)Poso\nB)Palu\nC.Luwuk\nANSWER: B\n"
    (question,), problems = parse_aiken(text, "x.txt")
    assert problems == []
    assert question.options == [("Poso", False), ("Palu", True), ("Luwuk", False)]


FEEDBACK_QUIZ = """\
---
judul: Kuis Umpan Balik
---
## Siapa yang menandatangani SPTJM?
- (x) Pemohon sendiri
- ( ) Ketua RT
  Umpan balik: Ketua RT hanya mengetahui, bukan menjamin.
- ( ) Petugas loket
  Umpan balik: Petugas tidak menjamin data warga.

> Penjelasan: SPTJM ditandatangani pemohon.
"""


def test_result_page_shows_the_feedback_of_the_chosen_option_only(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    make_course(tmp_path, {"01-pengantar.kuis.md": FEEDBACK_QUIZ})
    store.import_library(session, tmp_path)
    login(client, make_user(session))
    enrol(client, "TST-101")
    base = "/kursus/TST-101/tes/01-pengantar"
    token = csrf_token(client, base)
    start = client.post(f"{base}/mulai", data={"csrf_token": token})
    assert start.status_code == 303, start.text
    page = client.get(start.headers["location"])
    chosen = re.search(
        r'name="(q-[^"]+)" value="([^"]+)" type="radio">\s*<label[^>]*>Ketua RT', page.text
    )
    assert chosen is not None, page.text
    data = {"csrf_token": token, chosen.group(1): chosen.group(2)}
    result = client.post(start.headers["location"], data=data, follow_redirects=True)
    assert "Ketua RT hanya mengetahui, bukan menjamin." in result.text
    assert "Petugas tidak menjamin data warga." not in result.text
