"""`kursus.yaml`: the course's catalogue data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from app.content.format.fields import Fields
from app.content.format.frontmatter import parse_mapping
from app.content.format.observed import KEY as OBSERVED_KEY
from app.content.format.observed import read_observed_behaviours
from app.content.format.problems import ProblemLog
from app.content.format.sources import read_text
from app.content.format.specs import (
    DEFAULT_LEVEL,
    DEFAULT_MIN_TIME_PERCENT,
    DEFAULT_PRETEST_REQUIRED,
    DEFAULT_SCORE_POLICY,
    DEFAULT_VERSION,
    Category,
    Level,
    ScorePolicy,
    SourceSpec,
)
from app.i18n import gettext as _

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,30}$")
CATEGORIES = ("teknis", "manajerial", "sosial kultural")
LEVELS = ("dasar", "menengah", "lanjut")
SCORE_POLICIES = ("terbaik", "terakhir")

REQUIRED = {
    "kode": "kode: PPP-101",
    "judul": "judul: Pelayanan Publik Prima",
    "ringkasan": "ringkasan: Satu atau dua kalimat tentang kursus ini.",
    "kategori": "kategori: teknis",
    "jp": "jp: 2",
    "nilai_lulus": "nilai_lulus: 70",
}
# Optional keys; the defaults of the first four are in app/content/format/specs.py and the docs.
OPTIONAL = (
    "tingkat",
    "penulis",
    "versi",
    "nilai_dihitung",
    "prasyarat",
    "tes_awal_wajib",
    "waktu_minimal_persen",
    "jenis_diklat_siasn",
    "sumber",
    "berlaku_per",
    OBSERVED_KEY,
)
SOURCES_KEY = "sumber"
VALID_AS_OF_KEY = "berlaku_per"
_SOURCE_KEYS = ("judul", "tanggal", "tautan")
PRETEST_REQUIRED_KEY = "tes_awal_wajib"
MIN_TIME_KEY = "waktu_minimal_persen"  # also a module front-matter key
JENIS_DIKLAT_KEY = "jenis_diklat_siasn"  # SIASN jenisDiklatId (app/reports/siasn.py)


@dataclass(frozen=True)
class CourseMeta:
    code: str
    title: str
    summary: str
    category: Category
    jp: int
    level: Level
    authors: tuple[str, ...]
    version: str
    passing_score: int
    score_policy: ScorePolicy
    prerequisites: tuple[str, ...]
    pretest_required: bool = DEFAULT_PRETEST_REQUIRED
    min_time_percent: int = DEFAULT_MIN_TIME_PERCENT
    jenis_diklat_siasn: int | None = None
    sources: tuple[SourceSpec, ...] = ()
    valid_as_of: str | None = None  # ISO date
    observed_behaviours: tuple[str, ...] = ()  # `perilaku_diamati` (app/content/format/observed.py)


@dataclass(frozen=True)
class MetaRead:
    meta: CourseMeta | None
    code: str | None  # the code, when it alone could be read: for cross-course checks
    lines: Mapping[str, int] = field(default_factory=dict)  # key -> line in kursus.yaml


def read_course_meta(path: Path, shown: str, problems: ProblemLog) -> MetaRead:
    """Read and check `kursus.yaml`; every problem is reported, meta is None if any error."""
    text = read_text(path, shown, problems)
    if text is None:
        return MetaRead(None, None)
    mapping = parse_mapping(text, 1, shown, problems)
    if mapping is None:
        return MetaRead(None, None)
    mark = problems.count()
    fields = Fields(mapping, shown, problems)
    fields.check_keys(REQUIRED, OPTIONAL)
    code = _code(fields, "kode")
    title = fields.text("judul")
    summary = fields.text("ringkasan")
    data = mapping.data
    category = fields.choice("kategori", CATEGORIES) if "kategori" in data else None
    jp = fields.integer("jp", low=1) if "jp" in data else None
    level = fields.choice("tingkat", LEVELS) if "tingkat" in data else DEFAULT_LEVEL
    authors = _authors(fields)
    version = _version(fields)
    passing = fields.integer("nilai_lulus", low=0, high=100) if "nilai_lulus" in data else None
    policy = (
        fields.choice("nilai_dihitung", SCORE_POLICIES)
        if "nilai_dihitung" in data
        else DEFAULT_SCORE_POLICY
    )
    prerequisites = _prerequisites(fields, code)
    pretest_required = (
        fields.yes_no(PRETEST_REQUIRED_KEY)
        if PRETEST_REQUIRED_KEY in data
        else DEFAULT_PRETEST_REQUIRED
    )
    min_time = (
        fields.integer(MIN_TIME_KEY, low=0, high=100)
        if MIN_TIME_KEY in data
        else DEFAULT_MIN_TIME_PERCENT
    )
    jenis_diklat = _jenis_diklat(fields) if JENIS_DIKLAT_KEY in data else None
    sources = _sources(fields) if SOURCES_KEY in data else ()
    valid_as_of = (
        _date(fields, VALID_AS_OF_KEY, data.get(VALID_AS_OF_KEY))
        if VALID_AS_OF_KEY in data
        else None
    )
    observed = read_observed_behaviours(fields) if OBSERVED_KEY in data else ()
    if (
        problems.errors_since(mark)
        or code is None
        or title is None
        or summary is None
        or category is None
        or jp is None
        or level is None
        or authors is None
        or version is None
        or passing is None
        or policy is None
        or prerequisites is None
        or pretest_required is None
        or min_time is None
        or sources is None
        or observed is None
    ):
        return MetaRead(None, code, mapping.lines)
    return MetaRead(
        CourseMeta(
            code=code,
            title=title,
            summary=summary,
            category=cast(Category, category),
            jp=jp,
            level=cast(Level, level),
            authors=authors,
            version=version,
            passing_score=passing,
            score_policy=cast(ScorePolicy, policy),
            prerequisites=prerequisites,
            pretest_required=pretest_required,
            min_time_percent=min_time,
            jenis_diklat_siasn=jenis_diklat,
            sources=sources,
            valid_as_of=valid_as_of,
            observed_behaviours=observed,
        ),
        code,
        mapping.lines,
    )


def _jenis_diklat(fields: Fields) -> int | None:
    """The course's SIASN kind of training: an id of SIASN's jenis diklat reference."""
    from app.reports.siasn import JENIS_DIKLAT  # a pure table, no database or web code

    value = fields.integer(JENIS_DIKLAT_KEY, low=1)
    if value is None or value in JENIS_DIKLAT:
        return value
    known = ", ".join(f"{entry.id} {entry.name}" for entry in JENIS_DIKLAT.values())
    fields.problems.error(
        fields.path,
        fields.line(JENIS_DIKLAT_KEY),
        _("jenis_diklat_siasn {value} tidak dikenal. Pilih salah satu: {known}.").format(
            value=value, known=known
        ),
    )
    return None


def _code(fields: Fields, key: str) -> str | None:
    value = fields.mapping.data.get(key)
    if value is None:
        return fields.text(key) if key in fields.mapping.data else None
    text = str(value).strip()
    if not CODE_PATTERN.match(text):
        fields.problems.error(
            fields.path,
            fields.line(key),
            _(
                "Kode kursus {value} tidak sah. Pakai 2 sampai 31 huruf KAPITAL, angka, dan tanda "
                "hubung, diawali huruf atau angka, misalnya PPP-101."
            ).format(value=text),
        )
        return None
    return text


def _sources(fields: Fields) -> tuple[SourceSpec, ...] | None:
    """`sumber:`: a list of {judul, tanggal, tautan}; judul required, the others optional."""
    value = fields.mapping.data.get(SOURCES_KEY)
    line = fields.line(SOURCES_KEY)
    example = _(
        "Tulis sumber sebagai daftar, setiap butir diawali '  - judul: ...', lalu baris "
        "'    tanggal: 2025-06-05' dan (tidak wajib) '    tautan: https://...'."
    )
    if not isinstance(value, list) or not value:
        fields.problems.error(fields.path, line, _("Isi sumber tidak dapat dibaca. ") + example)
        return None
    found: list[SourceSpec] = []
    ok = True
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            fields.problems.error(
                fields.path,
                line,
                _("Sumber ke-{n} bukan butir berkunci judul/tanggal/tautan. ").format(n=number)
                + example,
            )
            ok = False
            continue
        unknown = [str(k) for k in item if k not in _SOURCE_KEYS]
        if unknown:
            fields.problems.warning(
                fields.path,
                line,
                _(
                    "Sumber ke-{n}: kunci {keys} tidak dikenal dan diabaikan. Kunci yang dikenal: "
                    "judul, tanggal, tautan."
                ).format(n=number, keys=", ".join(unknown)),
            )
        title = item.get("judul")
        if not isinstance(title, str) or not title.strip():
            fields.problems.error(
                fields.path,
                line,
                _(
                    "Sumber ke-{n} belum memiliki judul. Tulis nama peraturan atau rujukannya "
                    'lengkap dengan nomor dan tahunnya, misalnya judul: "PP 28/2025 tentang ...".'
                ).format(n=number),
            )
            ok = False
            continue
        date = (
            _date(fields, SOURCES_KEY, item["tanggal"], _("tanggal sumber ke-{n}").format(n=number))
            if item.get("tanggal") is not None
            else None
        )
        url = item.get("tautan")
        # https only: a reader follows the link to the official text, and a plain-http page
        # can be altered on the way; every official legal database serves https.
        if url is not None and not (
            isinstance(url, str) and re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", url.strip())
        ):
            fields.problems.error(
                fields.path,
                line,
                _(
                    "Tautan sumber ke-{n} harus alamat lengkap yang diawali https://, misalnya "
                    "https://peraturan.bpk.go.id/Details/38748/uu-no-25-tahun-2009 "
                    "(tertulis: {value})."
                ).format(n=number, value=url),
            )
            ok = False
            continue
        if item.get("tanggal") is not None and date is None:
            ok = False
            continue
        found.append(
            SourceSpec(" ".join(title.split()), date, url.strip() if isinstance(url, str) else None)
        )
    return tuple(found) if ok else None


def _date(fields: Fields, key: str, value: object, label: str | None = None) -> str | None:
    """A date written YYYY-MM-DD (YAML reads it as a date already), as ISO text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    fields.problems.error(
        fields.path,
        fields.line(key),
        _(
            "Isi {label} harus tanggal berbentuk TAHUN-BULAN-HARI, misalnya 2025-06-05 "
            "(tertulis: {value})."
        ).format(label=label or key, value=value),
    )
    return None


def _authors(fields: Fields) -> tuple[str, ...] | None:
    value = fields.mapping.data.get("penulis")
    if "penulis" not in fields.mapping.data:
        return ()
    if isinstance(value, str) and value.strip():
        fields.problems.warning(
            fields.path,
            fields.line("penulis"),
            _("Tulis penulis sebagai daftar: baris penulis:, lalu setiap nama diawali '  - '."),
        )
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    fields.problems.error(
        fields.path,
        fields.line("penulis"),
        _(
            "Isi penulis harus daftar nama, paling sedikit satu: tulis penulis:, lalu di baris "
            "berikutnya '  - Nama Penulis'. Nama yang memuat titik dua diapit tanda kutip."
        ),
    )
    return None


def _version(fields: Fields) -> str | None:
    value = fields.mapping.data.get("versi")
    if "versi" not in fields.mapping.data:
        return DEFAULT_VERSION
    if isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads 1.10 as the number 1.1; the text the trainer typed is already lost.
        fields.problems.error(
            fields.path,
            fields.line("versi"),
            _('Tulis versi di dalam tanda kutip, misalnya versi: "{value}".').format(value=value),
        )
        return None
    return fields.text("versi")


def _prerequisites(fields: Fields, own_code: str | None) -> tuple[str, ...] | None:
    value = fields.mapping.data.get("prasyarat")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        fields.problems.error(
            fields.path,
            fields.line("prasyarat"),
            _(
                "Isi prasyarat harus daftar kode kursus, misalnya [KOM-101], atau [] bila "
                "tidak ada."
            ),
        )
        return None
    codes: list[str] = []
    ok = True
    for item in value:
        code = str(item).strip()
        if not CODE_PATTERN.match(code):
            fields.problems.error(
                fields.path,
                fields.line("prasyarat"),
                _("{value} pada prasyarat bukan kode kursus yang sah, misalnya KOM-101.").format(
                    value=code
                ),
            )
            ok = False
        elif code == own_code:
            fields.problems.error(
                fields.path,
                fields.line("prasyarat"),
                _("Kursus tidak dapat menjadi prasyarat bagi dirinya sendiri ({code}).").format(
                    code=code
                ),
            )
            ok = False
        elif code in codes:
            fields.problems.warning(
                fields.path,
                fields.line("prasyarat"),
                _("Kode {code} ditulis dua kali pada prasyarat.").format(code=code),
            )
        else:
            codes.append(code)
    return tuple(codes) if ok else None
