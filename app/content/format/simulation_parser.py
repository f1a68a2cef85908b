"""Simulation modules (`jenis: simulasi`): an introduction, then `## Situasi: id` sections whose
`### Pilihan: ...` choices each say `Akibat:`, `Umpan balik:` and (unless it ends) `Lanjut:`.
"""

from __future__ import annotations

import difflib
import re
from typing import cast

from app.content.format.lines import Line, heading, join_text
from app.content.format.markdown import render_block
from app.content.format.problems import ProblemLog
from app.content.format.render_context import RenderContext
from app.content.format.simulation_checks import check_graph
from app.content.format.simulation_raw import RawChoice, RawSituation
from app.content.format.specs import (
    ChoiceRating,
    ChoiceSpec,
    SimulationSpec,
    SituationSpec,
    text_id,
)
from app.i18n import gettext as _

SITUATION = re.compile(r"^situasi\s*:\s*(?P<id>.*)$", re.IGNORECASE)
CHOICE = re.compile(r"^pilihan\s*:\s*(?P<label>.*)$", re.IGNORECASE)
FIELD = re.compile(
    r"^(?P<key>akibat|umpan\s+balik|lanjut|nilai)\s*:\s*(?P<text>.*)$", re.IGNORECASE
)
TITLE = re.compile(r"^judul\s*:\s*(?P<text>.*)$", re.IGNORECASE)
# A line that looks like a keyword line ("Penilaian: ...", "Lanjut ke: ..."): one to three
# words and a colon. Inside a choice it is refused rather than shown as feedback text.
KEYWORD_LIKE = re.compile(r"^(?P<key>[^\W\d_]+(?: [^\W\d_]+){0,2})\s*:(?:\s|$)")
KNOWN_FIELDS = ("Akibat:", "Umpan balik:", "Lanjut:", "Nilai:")
RATINGS = ("baik", "cukup", "kurang")


def has_situations(lines: list[Line]) -> Line | None:
    """The first `## Situasi:` heading line, if any (for modules that are not simulations)."""
    for line in lines:
        found = heading(line)
        if found is not None and found[0] == 2 and SITUATION.match(found[1]):
            return line
    return None


def parse_simulation(lines: list[Line], ctx: RenderContext) -> SimulationSpec | None:
    """Parse, check and render a simulation body; None when it has any error."""
    mark = ctx.problems.count()
    intro, situations = _split(lines, ctx.path, ctx.problems)
    if not situations:
        ctx.problems.error(
            ctx.path,
            next((line.number for line in lines if not line.blank), None),
            _(
                "Modul berjenis simulasi ini belum memiliki situasi. Tambahkan sekurang-kurangnya "
                "satu bagian ## Situasi: mulai, dengan pilihan ### Pilihan: ..."
            ),
        )
        return None
    check_graph(situations, ctx.path, ctx.problems)
    intro_html = render_block(join_text(intro), intro[0].number, ctx) if intro else ""
    built: dict[str, SituationSpec] = {}
    for situation in situations:
        choices = tuple(_choice(choice, ctx) for choice in situation.choices)
        body = situation.text
        html = render_block(join_text(body), body[0].number, ctx) if body else ""
        built.setdefault(situation.id, SituationSpec(situation.id, html, choices, situation.title))
    if ctx.problems.errors_since(mark):
        return None
    return SimulationSpec(intro_html, situations[0].id, built)


def _choice(choice: RawChoice, ctx: RenderContext) -> ChoiceSpec:
    def html(key: str) -> str:
        lines = choice.fields.get(key, [])
        return render_block(join_text(lines), lines[0].number, ctx) if lines else ""

    next_id = choice.next[1] if choice.next else None
    rating = choice.rating[1].casefold() if choice.rating else None
    return ChoiceSpec(
        text_id(choice.label),
        choice.label,
        html("akibat"),
        html("umpan balik"),
        next_id,
        cast(ChoiceRating, rating) if rating in RATINGS else None,
    )


def _split(
    lines: list[Line], path: str, problems: ProblemLog
) -> tuple[list[Line], list[RawSituation]]:
    intro: list[Line] = []
    situations: list[RawSituation] = []
    for line in lines:
        found = heading(line)
        if found is not None and found[0] == 2:
            match = SITUATION.match(found[1])
            if match:
                situations.append(RawSituation(line.number, match.group("id").strip()))
            elif situations:
                problems.error(
                    path,
                    line.number,
                    _(
                        "Di modul simulasi, judul ## hanya dipakai untuk situasi: ## Situasi: id. "
                        "Ubah baris ini, atau jadikan ### bila ini bagian dari cerita situasi."
                    ),
                )
            else:
                problems.error(
                    path,
                    line.number,
                    _(
                        "Pengantar simulasi tidak boleh memakai judul ##. Tulis pengantar sebagai "
                        "paragraf, daftar, atau kotak sorotan; judul ## hanya untuk ## Situasi: id."
                    ),
                )
            continue
        if not situations:
            intro.append(line)
            continue
        _situation_line(situations[-1], line, found, path, problems)
    while intro and intro[-1].blank:
        intro.pop()
    return intro, situations


def _situation_line(
    situation: RawSituation,
    line: Line,
    found: tuple[int, str] | None,
    path: str,
    problems: ProblemLog,
) -> None:
    choice_heading = CHOICE.match(found[1]) if found is not None and found[0] == 3 else None
    if choice_heading:
        situation.choices.append(RawChoice(line.number, choice_heading.group("label").strip()))
        return
    if not situation.choices:
        title = TITLE.match(line.text.strip()) if not line.fenced else None
        if title and not "".join(x.text for x in situation.text).strip():
            if situation.title:
                problems.error(path, line.number, _("Situasi ini sudah memiliki baris Judul:."))
            situation.title = title.group("text").strip()
            return
        if situation.text or not line.blank:
            situation.text.append(line)
        return
    choice = situation.choices[-1]
    if found is not None:
        problems.error(
            path,
            line.number,
            _(
                "Judul ini berada di dalam sebuah pilihan. Setiap pilihan diawali ### Pilihan: "
                "teks pilihan; situasi baru diawali ## Situasi: id."
            ),
        )
        return
    field_match = FIELD.match(line.text.strip()) if not line.fenced else None
    if field_match:
        key = " ".join(field_match.group("key").casefold().split())
        text = field_match.group("text").strip()
        if (
            key in choice.fields
            or (key == "lanjut" and choice.next is not None)
            or (key == "nilai" and choice.rating is not None)
        ):
            problems.error(
                path,
                line.number,
                _("Baris {key}: ditulis dua kali untuk pilihan yang sama.").format(
                    key=field_match.group("key")
                ),
            )
        elif key == "lanjut":
            choice.next = (line.number, text)
        elif key == "nilai":
            choice.rating = (line.number, text)
            if text.casefold() not in RATINGS:
                problems.error(
                    path,
                    line.number,
                    _("Nilai: {value} tidak dikenal. Tulis salah satu: {known}.").format(
                        value=text or "-", known=", ".join(RATINGS)
                    ),
                )
        else:
            choice.fields[key] = [Line(line.number, text, False)]
        choice.current = key if key not in ("lanjut", "nilai") else None
        return
    keyword = KEYWORD_LIKE.match(line.text.strip()) if not line.fenced else None
    if keyword:
        written = keyword.group("key")
        guess = difflib.get_close_matches(
            written.casefold(), [k[:-1].casefold() for k in KNOWN_FIELDS], n=1, cutoff=0.6
        )
        hint = (
            _(" Mungkin maksud Anda {guess}:?").format(guess=guess[0].capitalize()) if guess else ""
        )
        problems.error(
            path,
            line.number,
            _(
                "Baris {key}: tidak dikenal di bawah ### Pilihan:. Baris berkunci yang dikenal: "
                "{known}.{hint} Bila ini kalimat biasa, tulis tanpa titik dua di awal."
            ).format(key=written, known=", ".join(KNOWN_FIELDS), hint=hint),
        )
        return
    if choice.current is not None:
        choice.fields[choice.current].append(line)  # the field goes on (a longer paragraph)
    elif not line.blank:
        problems.error(
            path,
            line.number,
            _(
                "Teks di bawah ### Pilihan: harus diawali Akibat:, Umpan balik:, Lanjut:, atau "
                "Nilai:. Tambahkan salah satunya di depan baris ini."
            ),
        )
