"""One module file (`NN-slug.md`) and its practice quiz into a `ModuleSpec`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from app.content.format.fields import Fields
from app.content.format.frontmatter import parse_mapping, split_front_matter
from app.content.format.lines import body_lines
from app.content.format.markdown import render_block, word_count
from app.content.format.problems import ProblemLog
from app.content.format.quiz_parser import parse_quiz
from app.content.format.render_context import RenderContext
from app.content.format.simulation_parser import has_situations, parse_simulation
from app.content.format.sources import read_text, sha256_of
from app.content.format.specs import ModuleKind, ModuleSpec, SimulationSpec
from app.content.format.urls import LinkResolver
from app.i18n import gettext as _

KINDS = ("bacaan", "latihan", "simulasi", "studi kasus")
REQUIRED = {
    "judul": "judul: Memahami Standar Pelayanan",
    "menit": "menit: 25",
    "jenis": "jenis: bacaan",
}
# The share of `menit` a learner must spend on the module before marking it complete; the
# course's kursus.yaml sets it for every module, a module may set its own.
MIN_TIME_KEY = "waktu_minimal_persen"
SHORT_BODY_WORDS = 30


@dataclass(frozen=True)
class ModuleFiles:
    slug: str
    position: int
    path: Path
    shown: str
    quiz_path: Path | None
    quiz_shown: str


@dataclass(frozen=True)
class LoadedModule:
    spec: ModuleSpec | None
    context: RenderContext  # what the page contains: ids, links with anchors, assets


def load_module(files: ModuleFiles, resolver: LinkResolver, problems: ProblemLog) -> LoadedModule:
    """Read, check and render one module and its practice quiz; spec None on any error."""
    mark = problems.count()
    ctx = RenderContext(files.shown, problems, resolver)
    quiz = (
        parse_quiz(files.quiz_path, files.slug, files.quiz_shown, resolver, problems)
        if files.quiz_path is not None
        else None
    )
    text = read_text(files.path, files.shown, problems)
    document = split_front_matter(text, files.shown, problems) if text is not None else None
    if document is None:
        return LoadedModule(None, ctx)
    mapping = parse_mapping(document.meta_text, document.meta_first_line, files.shown, problems)
    title = minutes = kind = min_time = None
    if mapping is not None:
        fields = Fields(mapping, files.shown, problems)
        fields.check_keys(REQUIRED, (MIN_TIME_KEY,))
        title = fields.text("judul") if "judul" in mapping.data else None
        minutes = fields.integer("menit", low=1) if "menit" in mapping.data else None
        kind = fields.choice("jenis", KINDS) if "jenis" in mapping.data else None
        if MIN_TIME_KEY in mapping.data:
            min_time = fields.integer(MIN_TIME_KEY, low=0, high=100)
    lines = body_lines(document.body, document.body_first_line)
    if not document.body.strip():
        problems.error(
            files.shown,
            document.body_first_line,
            _("Isi modul ini kosong. Tulis materinya di bawah baris --- penutup kepala berkas."),
        )
        return LoadedModule(None, ctx)
    simulation: SimulationSpec | None = None
    if kind == "simulasi":
        simulation = parse_simulation(lines, ctx)
        html = simulation.intro_html if simulation else ""
        words = _simulation_words(simulation)
    else:
        situation = has_situations(lines)
        if situation is not None and kind is not None:
            problems.error(
                files.shown,
                situation.number,
                _(
                    "Modul ini memuat ## Situasi:, tetapi jenisnya {kind}. Ubah menjadi "
                    "jenis: simulasi, atau ganti judul ini."
                ).format(kind=kind),
            )
        html = render_block(document.body, document.body_first_line, ctx)
        words = word_count(html)
    if words < SHORT_BODY_WORDS and not problems.errors_since(mark):
        problems.warning(
            files.shown,
            document.body_first_line,
            _("Isi modul ini sangat pendek ({words} kata). Apakah materinya sudah lengkap?").format(
                words=words
            ),
        )
    if problems.errors_since(mark) or title is None or minutes is None or kind is None:
        return LoadedModule(None, ctx)
    quiz_bytes = files.quiz_path.read_bytes() if files.quiz_path is not None else b""
    spec = ModuleSpec(
        slug=files.slug,
        position=files.position,
        title=title,
        minutes=minutes,
        kind=cast(ModuleKind, kind),
        html=html,
        toc=tuple(ctx.toc) if simulation is None else (),
        practice_quiz=quiz,
        simulation=simulation,
        word_count=words,
        content_hash=sha256_of(files.path.read_bytes(), quiz_bytes),
        min_time_percent=min_time,
    )
    return LoadedModule(spec, ctx)


def _simulation_words(simulation: SimulationSpec | None) -> int:
    if simulation is None:
        return SHORT_BODY_WORDS  # errors are reported already; no "too short" on top of them
    parts = [simulation.intro_html]
    for situation in simulation.situations.values():
        parts.append(situation.html)
        for choice in situation.choices:
            parts.extend((choice.label, choice.consequence_html, choice.feedback_html))
    return word_count(" ".join(parts))
