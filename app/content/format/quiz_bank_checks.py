"""Patterns across one quiz bank that give answers away to a learner who guesses.

A single question can be fine while the bank as a whole teaches a test-wise learner to pick the
longest option, to answer "Salah" to every true/false statement, or to tick three boxes on every
multiple-answer item. Each pattern is a warning (the trainer may have reasons), with the lines
of the questions concerned so they can be rebalanced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from app.content.format.markdown import plain_text
from app.content.format.problems import ProblemLog
from app.content.format.specs import QuestionSpec
from app.i18n import gettext as _

# Below these counts a pattern is as likely to be chance as a habit.
MIN_SINGLE = 4  # single-choice items before "the key is the longest" is judged
MIN_TRUE_FALSE_ALL_SAME = 3
MIN_TRUE_FALSE_SHARE = 5  # items before a lopsided (not total) share is judged
TRUE_FALSE_SHARE = 0.8
MIN_MULTIPLE = 4


def check_bank(questions: Sequence[QuestionSpec], path: str, problems: ProblemLog) -> None:
    """Warn about answer patterns across the bank (see the module docstring)."""
    _longest_is_correct(questions, path, problems)
    _true_false_keys(questions, path, problems)
    _multiple_counts(questions, path, problems)


def _lines(questions: Sequence[QuestionSpec]) -> str:
    return ", ".join(str(q.line) for q in questions)


def _longest_is_correct(questions: Sequence[QuestionSpec], path: str, problems: ProblemLog) -> None:
    singles = [q for q in questions if q.kind == "single" and len(q.options) >= 3]
    if len(singles) < MIN_SINGLE:
        return
    giveaway = []
    for question in singles:
        lengths = [(len(plain_text(o.html)), o.correct) for o in question.options]
        longest = max(length for length, _correct in lengths)
        keys = [correct for length, correct in lengths if length == longest]
        if keys == [True]:  # the correct option, and it alone, is the longest
            giveaway.append(question)
    if len(giveaway) * 2 > len(singles):
        problems.warning(
            path,
            giveaway[0].line,
            _(
                "Pada {count} dari {total} soal pilihan tunggal di berkas ini, jawaban benar "
                "adalah pilihan yang paling panjang (soal di baris {lines}). Peserta dapat menebak "
                "tanpa membaca materi: samakan panjang pilihan, atau buat pengecoh yang sama rinci."
            ).format(count=len(giveaway), total=len(singles), lines=_lines(giveaway)),
        )


def _true_false_keys(questions: Sequence[QuestionSpec], path: str, problems: ProblemLog) -> None:
    items = [q for q in questions if q.kind == "true_false"]
    if len(items) < MIN_TRUE_FALSE_ALL_SAME:
        return
    keys = [plain_text(next(o.html for o in q.options if o.correct)).strip() for q in items]
    key, count = Counter(keys).most_common(1)[0]
    lopsided = len(items) >= MIN_TRUE_FALSE_SHARE and count / len(items) > TRUE_FALSE_SHARE
    if count == len(items) or lopsided:
        same = [q for q, k in zip(items, keys, strict=True) if k == key]
        problems.warning(
            path,
            same[0].line,
            _(
                "Kunci {count} dari {total} soal Benar/Salah di berkas ini adalah {key} (soal di "
                "baris {lines}). Peserta yang selalu menjawab {key} akan lulus soal-soal ini: "
                "ubah sebagian pernyataan agar kunci Benar dan Salah seimbang."
            ).format(count=count, total=len(items), key=key, lines=_lines(same)),
        )


def _multiple_counts(questions: Sequence[QuestionSpec], path: str, problems: ProblemLog) -> None:
    items = [q for q in questions if q.kind == "multiple"]
    if len(items) < MIN_MULTIPLE:
        return
    counts = {len(q.correct_option_ids) for q in items}
    if len(counts) == 1:
        problems.warning(
            path,
            items[0].line,
            _(
                "Semua {total} soal pilihan jamak di berkas ini memiliki tepat {count} jawaban "
                "benar (soal di baris {lines}). Peserta dapat menebak jumlahnya: buat jumlah "
                "jawaban benar berbeda-beda, misalnya 1, 2, atau 4."
            ).format(total=len(items), count=counts.pop(), lines=_lines(items)),
        )
