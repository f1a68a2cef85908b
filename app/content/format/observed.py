"""`perilaku_diamati` in `kursus.yaml`: the behaviours an observer looks for at work.

The rule, in one place: an optional list of 1 to `MAX_BEHAVIOURS` short sentences, each
`MIN_CHARS` to `MAX_CHARS` characters once its spaces are tidied, none written twice (case
and spacing ignored). Each is what someone who applies the course does at work, derived from a
learning objective in `pengantar.md` ("Menyapa warga dan menanyakan keperluannya sebelum
memeriksa berkas"), so a trainer, HR or the learner's supervisor can rate it on the
observation checklist (`app/evaluation/observation.py`). Every problem is an error with the
file line of the item; a course without the key has no checklist (interviews still work).
"""

from __future__ import annotations

from app.content.format.fields import Fields
from app.i18n import gettext as _

KEY = "perilaku_diamati"
MAX_BEHAVIOURS = 10
MIN_CHARS = 10
MAX_CHARS = 200


def _example() -> str:
    return _(
        "Tulis perilaku_diamati sebagai daftar kalimat pendek, satu per baris yang diawali "
        "'  - ', misalnya '  - Menyapa warga dan menanyakan keperluannya sebelum memeriksa "
        "berkas.'"
    )


def read_observed_behaviours(fields: Fields) -> tuple[str, ...] | None:
    """The behaviours as written (spaces tidied); None, with every problem reported, if bad."""
    value = fields.mapping.data.get(KEY)
    line = fields.line(KEY)
    if not isinstance(value, list) or not value:
        fields.problems.error(
            fields.path,
            line,
            _("Isi perilaku_diamati tidak dapat dibaca. ") + _example(),
        )
        return None
    if len(value) > MAX_BEHAVIOURS:
        fields.problems.error(
            fields.path,
            line,
            _(
                "perilaku_diamati memuat {n} butir; paling banyak {max}. Pilih perilaku yang "
                "paling penting agar daftar periksa observasi tetap singkat."
            ).format(n=len(value), max=MAX_BEHAVIOURS),
        )
        return None
    item_lines = fields.mapping.item_lines.get(KEY, ())
    found: list[str] = []
    seen: dict[str, int] = {}
    ok = True
    for number, item in enumerate(value, start=1):
        at = item_lines[number - 1] if number - 1 < len(item_lines) else line
        if not isinstance(item, str) or not item.strip():
            fields.problems.error(
                fields.path,
                at,
                _("Perilaku ke-{n} bukan kalimat. ").format(n=number) + _example(),
            )
            ok = False
            continue
        text = " ".join(item.split())
        if len(text) < MIN_CHARS or len(text) > MAX_CHARS:
            fields.problems.error(
                fields.path,
                at,
                _(
                    "Perilaku ke-{n} terdiri dari {length} karakter; tulis satu kalimat "
                    "{low} sampai {high} karakter yang menyebut tindakan yang dapat dilihat di "
                    "tempat kerja."
                ).format(n=number, length=len(text), low=MIN_CHARS, high=MAX_CHARS),
            )
            ok = False
            continue
        folded = text.casefold()
        if folded in seen:
            fields.problems.error(
                fields.path,
                at,
                _("Perilaku ke-{n} sama dengan perilaku ke-{first}. Hapus salah satunya.").format(
                    n=number, first=seen[folded]
                ),
            )
            ok = False
            continue
        seen[folded] = number
        found.append(text)
    return tuple(found) if ok else None
