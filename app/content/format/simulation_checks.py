"""The shape of a simulation: ids, choices per situation, where `Lanjut:` leads, reachability."""

from __future__ import annotations

import difflib
import re
from collections import deque

from app.content.format.problems import ProblemLog
from app.content.format.simulation_raw import RawSituation
from app.content.format.specs import text_id
from app.i18n import gettext as _

MIN_CHOICES, MAX_CHOICES = 2, 4
_END_WORDS = ("selesai", "akhir", "tamat", "end", "-")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_graph(situations: list[RawSituation], path: str, problems: ProblemLog) -> None:
    """Report bad ids, duplicate ids, bad choices, dangling `Lanjut:` and unreachable situations."""
    ids: dict[str, int] = {}
    for situation in situations:
        _check_id(situation, ids, path, problems)
        _check_choices(situation, path, problems)
    known = list(ids)
    for situation in situations:
        for choice in situation.choices:
            if choice.next is None:
                continue
            line, target = choice.next
            if not target:
                problems.error(
                    path,
                    line,
                    _(
                        "Baris Lanjut: kosong. Tulis id situasi berikutnya, atau hapus baris ini "
                        "bila skenario berakhir pada pilihan ini."
                    ),
                )
            elif target not in ids:
                guess = difflib.get_close_matches(target.casefold(), known, n=1, cutoff=0.6)
                hint = _(" Mungkin maksud Anda {guess}?").format(guess=guess[0]) if guess else ""
                if not guess and target.casefold() in _END_WORDS:
                    hint = _(
                        " Untuk mengakhiri skenario pada pilihan ini, hapus baris Lanjut:, atau "
                        "arahkan ke situasi akhir (situasi tanpa pilihan)."
                    )
                problems.error(
                    path,
                    line,
                    _(
                        "Lanjut: {target} menyebut situasi yang tidak ada. Situasi yang ada: "
                        "{known}.{hint}"
                    ).format(target=target, known=", ".join(known), hint=hint),
                )
    _check_reachable(situations, path, problems)


def _check_id(
    situation: RawSituation, ids: dict[str, int], path: str, problems: ProblemLog
) -> None:
    if not situation.id:
        problems.error(
            path,
            situation.line,
            _("Situasi ini belum memiliki id. Tulis misalnya ## Situasi: warga-marah."),
        )
    elif not _ID.match(situation.id):
        suggestion = re.sub(r"[^a-z0-9]+", "-", situation.id.casefold()).strip("-")
        problems.error(
            path,
            situation.line,
            _(
                "Id situasi {id} tidak sah: pakai huruf kecil, angka, dan tanda hubung saja, "
                "misalnya {suggestion}."
            ).format(id=situation.id, suggestion=suggestion or "warga-marah"),
        )
    if situation.id in ids:
        problems.error(
            path,
            situation.line,
            _(
                "Id situasi {id} sudah dipakai di baris {line}. Setiap situasi perlu id sendiri."
            ).format(id=situation.id, line=ids[situation.id]),
        )
    else:
        ids[situation.id] = situation.line
    if not "".join(line.text for line in situation.text).strip():
        problems.warning(
            path,
            situation.line,
            _("Situasi {id} belum memiliki cerita. Tulis apa yang dihadapi peserta.").format(
                id=situation.id
            ),
        )


def _check_choices(situation: RawSituation, path: str, problems: ProblemLog) -> None:
    count = len(situation.choices)
    if count and not MIN_CHOICES <= count <= MAX_CHOICES:
        problems.warning(
            path,
            situation.line,
            _(
                "Situasi {id} memiliki {count} pilihan. Situasi sebaiknya memiliki 2 sampai 4 "
                "pilihan; situasi akhir tidak memiliki pilihan sama sekali."
            ).format(id=situation.id, count=count),
        )
    labels: dict[str, int] = {}
    for choice in situation.choices:
        if not choice.label:
            problems.error(path, choice.line, _("Tulis teks pilihannya setelah ### Pilihan:."))
        elif text_id(choice.label) in labels:
            problems.error(
                path,
                choice.line,
                _("Pilihan ini sama dengan pilihan di baris {line}.").format(
                    line=labels[text_id(choice.label)]
                ),
            )
        else:
            labels[text_id(choice.label)] = choice.line
        for key, label in (("akibat", "Akibat:"), ("umpan balik", "Umpan balik:")):
            lines = choice.fields.get(key)
            if not lines or not "".join(line.text for line in lines).strip():
                problems.error(
                    path,
                    choice.line,
                    _(
                        "Pilihan ini belum memiliki baris {label}. Tambahkan di bawah judul "
                        "pilihan: {label} ..."
                    ).format(label=label),
                )


def _check_reachable(situations: list[RawSituation], path: str, problems: ProblemLog) -> None:
    by_id = {s.id: s for s in reversed(situations)}  # the first of duplicate ids wins
    start = situations[0].id
    seen = {start}
    queue = deque([start])
    ends = False
    while queue:
        situation = by_id[queue.popleft()]
        ends = ends or not situation.choices
        for choice in situation.choices:
            target = choice.next[1] if choice.next else None
            if target is None:
                ends = True
            elif target in by_id and target not in seen:
                seen.add(target)
                queue.append(target)
    for situation in situations:
        if situation.id not in seen:
            problems.warning(
                path,
                situation.line,
                _(
                    "Situasi {id} tidak dapat dicapai dari situasi awal ({start}). Tambahkan "
                    "Lanjut: {id} pada salah satu pilihan, atau hapus situasi ini."
                ).format(id=situation.id, start=start),
            )
    if not ends:
        problems.warning(
            path,
            situations[0].line,
            _(
                "Simulasi ini tidak pernah berakhir: setiap pilihan membawa ke situasi lain. "
                "Tambahkan situasi akhir tanpa pilihan, atau pilihan tanpa baris Lanjut:."
            ),
        )
