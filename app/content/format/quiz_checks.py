"""The rules for one quiz question: its kind, its options, its accepted answers."""

from __future__ import annotations

import re

from app.content.format.problems import ProblemLog
from app.content.format.quiz_raw import RawOption, RawQuestion
from app.content.format.specs import QuestionKind, normalise_answer
from app.i18n import gettext as _

TRUE_FALSE = ("Benar", "Salah")
MIN_CHOICES, MAX_CHOICES = 3, 5


def check_question(
    raw: RawQuestion, path: str, problems: ProblemLog
) -> tuple[QuestionKind, tuple[str, ...]] | None:
    """Report every rule the question breaks; its kind and accepted answers when it is valid."""
    mark = problems.count()
    if not raw.title:
        problems.error(
            path, raw.line, _("Judul ## soal ini kosong. Tulis pertanyaannya setelah ##.")
        )
    if not raw.explanation:
        problems.warning(
            path,
            raw.line,
            _(
                "Soal ini belum memiliki penjelasan. Tambahkan baris > Penjelasan: ... yang "
                "menjelaskan mengapa jawaban yang benar itu benar."
            ),
        )
    elif not "".join(line.text for line in raw.explanation).strip():
        problems.warning(path, raw.explanation[0].number, _("Penjelasan soal ini masih kosong."))
    kind: QuestionKind | None = None
    accepted: tuple[str, ...] = ()
    if raw.options and raw.answer is not None:
        problems.error(
            path,
            raw.answer[0],
            _(
                "Soal ini memiliki pilihan jawaban sekaligus baris Jawaban:. Pilih salah satu: "
                "hapus baris Jawaban: untuk soal pilihan, atau hapus pilihannya untuk soal isian."
            ),
        )
    elif raw.options:
        kind = _check_options(raw, path, problems)
    elif raw.answer is not None:
        accepted = _accepted_answers(raw.answer[1])
        kind = "short"
        if not accepted:
            problems.error(
                path,
                raw.answer[0],
                _("Baris Jawaban: belum berisi jawaban. Tulis jawaban yang diterima, dipisah |."),
            )
    else:
        problems.error(
            path,
            raw.line,
            _(
                "Soal ini tidak memiliki pilihan jawaban maupun baris Jawaban:. Tambahkan pilihan "
                "(- ( ) dan - (x)) atau baris Jawaban: untuk soal isian singkat."
            ),
        )
    if problems.errors_since(mark) or kind is None:
        return None
    return kind, accepted


def _check_options(raw: RawQuestion, path: str, problems: ProblemLog) -> QuestionKind | None:
    options = raw.options
    first_box = options[0].box
    for option in options:
        if option.box != first_box:
            problems.error(
                path,
                option.line,
                _(
                    "Dalam satu soal jangan mencampur ( ) dan [ ]. Pakai ( ) semua untuk pilihan "
                    "tunggal, atau [ ] semua untuk pilihan jamak."
                ),
            )
        if option.mark not in ("", "x"):
            problems.error(
                path,
                option.line,
                _(
                    "Tanda {mark} tidak dikenal. Tandai jawaban benar dengan x, misalnya (x) atau "
                    "[x], dan biarkan yang lain kosong: ( ) atau [ ]."
                ).format(mark=option.mark),
            )
        if not option.text:
            problems.error(path, option.line, _("Pilihan ini kosong. Tulis teks pilihannya."))
        # Duplicates are found after rendering (quiz_parser), so "?" and "!" are two options.
    if len(options) < 2:
        problems.error(
            path,
            raw.line,
            _("Soal pilihan harus memiliki paling sedikit 2 pilihan (sebaiknya 3 sampai 5)."),
        )
        return None
    correct = [o for o in options if o.mark == "x"]
    # A true/false attempt: both words among the options, or one of them in a pair ("Betul /
    # Salah"). "Benar" as one of four ordinary options is just an option.
    words = {normalise_answer(o.text) for o in options}
    tf_words = [o for o in options if normalise_answer(o.text) in ("benar", "salah")]
    if not ({"benar", "salah"} <= words or len(options) == 2):
        tf_words = []
    if first_box == "square":
        return _check_multiple(raw, correct, tf_words, path, problems)
    if len(correct) != 1:
        message = (
            _(
                "Soal pilihan tunggal ini belum memiliki jawaban benar. Tandai satu pilihan "
                "dengan (x)."
            )
            if not correct
            else _(
                "Soal pilihan tunggal hanya boleh memiliki satu (x). Bila jawaban benarnya lebih "
                "dari satu, ubah semua pilihan menjadi [ ] dan [x] (pilihan jamak)."
            )
        )
        problems.error(path, (correct[1] if correct else raw).line, message)
    if tf_words:
        if len(options) == 2 and sorted(o.text for o in options) == sorted(TRUE_FALSE):
            return "true_false"
        problems.error(
            path,
            options[0].line,
            _(
                "Soal Benar/Salah harus memiliki tepat dua pilihan yang ditulis persis Benar dan "
                "Salah (huruf awal kapital, tanpa tanda baca)."
            ),
        )
        return None
    _count_hint(raw, path, problems)
    return "single"


def _check_multiple(
    raw: RawQuestion,
    correct: list[RawOption],
    tf_words: list[RawOption],
    path: str,
    problems: ProblemLog,
) -> QuestionKind | None:
    if tf_words and len(raw.options) == 2:
        problems.error(
            path,
            raw.options[0].line,
            _("Soal Benar/Salah memakai tanda kurung bulat: - ( ) Benar dan - (x) Salah."),
        )
        return None
    if not correct:
        problems.error(
            path,
            raw.line,
            _("Soal pilihan jamak ini belum memiliki jawaban benar. Tandai dengan [x]."),
        )
        return None
    _count_hint(raw, path, problems)
    return "multiple"


def _count_hint(raw: RawQuestion, path: str, problems: ProblemLog) -> None:
    if not MIN_CHOICES <= len(raw.options) <= MAX_CHOICES:
        problems.warning(
            path,
            raw.line,
            _(
                "Soal ini memiliki {count} pilihan; soal pilihan sebaiknya memiliki 3 sampai 5."
            ).format(count=len(raw.options)),
        )


def _accepted_answers(text: str) -> tuple[str, ...]:
    # "\|" keeps a literal bar inside an answer; equal answers (after normalising) count once.
    parts = re.split(r"(?<!\\)\|", text)
    answers: dict[str, str] = {}
    for part in parts:
        answer = part.replace("\\|", "|").strip()
        key = normalise_answer(answer)
        if key and key not in answers:
            answers[key] = answer
    return tuple(answers.values())
