"""Learning paths as files: `content/jalur/<slug>.yaml` into path specs (pure: files in, specs
and problems out; no database).

A trainer who prefers files writes one YAML file per path:

    nama: Orientasi PPPK Baru
    keterangan: Dua kursus wajib di bulan pertama.
    kursus: [PPP-101, PDP-101]      # in the recommended order
    jenis_pegawai: PPPK             # PNS or PPPK; leave out for both
    unit_kerja: Kelurahan Lere      # the unit's name as in the roster; leave out for every unit
    jabatan: "*Lurah*"              # exact (any case) or with * for any text
    golongan_dari: V                # a range on the jenis_pegawai's scale; either may be left out
    golongan_sampai: IX
    tenggat_hari: 30                # due this many days after the person is assigned
    aktif: ya                       # tidak: frozen, nobody new is assigned

The file's name is the path's stable key (its slug): renaming the file makes another path.
Every problem names the file and line. An unknown key is an error, not a warning as in
kursus.yaml: a misspelt target key (`jabtan:`) would otherwise widen the group to everyone and
assign the courses to the whole city. What a file means for the database (and who owns a path
that came from a file) is `app.learning.path_reload`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from app.accounts import golongan
from app.accounts.golongan import InvalidGolongan
from app.accounts.models import EmployeeType
from app.content.format.fields import Fields
from app.content.format.frontmatter import parse_mapping
from app.content.format.problems import Problem, ProblemLog, sort_problems
from app.content.format.sources import PATHS_FOLDER, is_ignored, read_text
from app.i18n import gettext as _

SUFFIX = ".yaml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 100
MAX_DUE_DAYS = 3650
REQUIRED = {
    "nama": "nama: Orientasi PPPK Baru",
    "kursus": "kursus: [PPP-101, PDP-101]",
    "tenggat_hari": "tenggat_hari: 30",
}
OPTIONAL = (
    "keterangan",
    "jenis_pegawai",
    "unit_kerja",
    "jabatan",
    "golongan_dari",
    "golongan_sampai",
    "aktif",
)


@dataclass(frozen=True)
class PathSpec:
    """One path file, checked: what `path_reload` writes to the database."""

    slug: str
    shown: str  # the file as problems name it, e.g. "jalur/orientasi-pppk.yaml"
    name: str
    description: str
    course_codes: tuple[str, ...]
    employee_type: str | None
    unit_name: str | None
    jabatan_pattern: str | None
    golongan_from: str | None
    golongan_to: str | None
    due_days: int
    is_active: bool
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> file line


@dataclass
class PathLibrary:
    specs: list[PathSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # slugs of files with errors
    found: bool = False  # whether content/jalur/ exists at all

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warning_count(self) -> int:
        return len(self.problems) - self.error_count


def load_paths(root: Path, known_codes: Collection[str]) -> PathLibrary:
    """Read every `root/jalur/*.yaml`; `known_codes` are the course codes a path may name."""
    folder = root / PATHS_FOLDER
    library = PathLibrary(found=folder.is_dir())
    if not library.found:
        return library
    log = ProblemLog()
    for path in sorted(folder.iterdir()):
        if is_ignored(path.name):
            continue
        shown = f"{PATHS_FOLDER}/{path.name}"
        if path.is_dir() or path.suffix != SUFFIX:
            log.warning(
                shown,
                None,
                _(
                    "Berkas ini diabaikan: folder {folder} hanya berisi berkas jalur belajar "
                    "berakhiran .yaml, misalnya orientasi-pppk.yaml."
                ).format(folder=PATHS_FOLDER),
            )
            continue
        mark = log.count()
        spec = parse_path_file(path, shown, known_codes, log)
        if spec is None or log.errors_since(mark):
            library.broken.append(path.stem)
        else:
            library.specs.append(spec)
    library.problems = sort_problems(log.items)
    return library


def parse_path_file(
    path: Path, shown: str, known_codes: Collection[str], problems: ProblemLog
) -> PathSpec | None:
    """Read and check one path file; None (reported) if it has any error."""
    slug = path.stem
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        problems.error(
            shown,
            None,
            _(
                "Nama berkas {name} tidak dapat dipakai sebagai kunci jalur. Pakai huruf kecil, "
                "angka, dan tanda hubung saja (paling panjang {max} huruf), misalnya "
                "orientasi-pppk.yaml."
            ).format(name=path.name, max=MAX_SLUG),
        )
        return None
    text = read_text(path, shown, problems)
    if text is None:
        return None
    mapping = parse_mapping(text, 1, shown, problems)
    if mapping is None:
        return None
    mark = problems.count()
    fields = Fields(mapping, shown, problems)
    fields.check_keys(
        REQUIRED,
        OPTIONAL,
        # A misspelt target key (`jabtan:`) would assign the path to everyone: refuse the file.
        unknown_is_error=_(
            "Kunci {key} tidak dikenal. Kunci sasaran yang salah ketik bisa menugaskan "
            "jalur ini kepada semua pegawai, jadi berkas ini tidak dimuat. {hint}"
        ),
    )
    data = mapping.data
    name = fields.text("nama") if "nama" in data else None
    description = (fields.text("keterangan") or "") if data.get("keterangan") is not None else ""
    codes = _courses(fields, known_codes) if "kursus" in data else None
    due_days = (
        fields.integer("tenggat_hari", low=1, high=MAX_DUE_DAYS) if "tenggat_hari" in data else None
    )
    kind = _employee_type(fields)
    unit = fields.text("unit_kerja") if data.get("unit_kerja") is not None else None
    jabatan = _jabatan(fields)
    low, high = _golongan_range(fields, kind)
    active = fields.yes_no("aktif") if "aktif" in data else True
    if (
        problems.errors_since(mark)
        or name is None
        or codes is None
        or due_days is None
        or active is None
    ):
        return None
    return PathSpec(
        slug=slug,
        shown=shown,
        name=" ".join(name.split())[:200],
        description=description,
        course_codes=codes,
        employee_type=kind.value if kind else None,
        unit_name=" ".join(unit.split()) if unit else None,
        jabatan_pattern=jabatan,
        golongan_from=low,
        golongan_to=high,
        due_days=due_days,
        is_active=active,
        lines=dict(mapping.lines),
    )


def _courses(fields: Fields, known_codes: Collection[str]) -> tuple[str, ...] | None:
    value = fields.mapping.data.get("kursus")
    line = fields.line("kursus")
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or not value:
        fields.problems.error(
            fields.path,
            line,
            _(
                "Isi kursus harus daftar kode kursus berurutan, paling sedikit satu, misalnya "
                "[PPP-101, PDP-101]."
            ),
        )
        return None
    codes: list[str] = []
    ok = True
    for item in value:
        code = str(item).strip()
        if code in codes:
            fields.problems.error(
                fields.path,
                line,
                _("Kode {code} ditulis dua kali pada kursus; setiap kursus cukup sekali.").format(
                    code=code
                ),
            )
            ok = False
        elif code not in known_codes:
            guess = difflib.get_close_matches(code.upper(), list(known_codes), n=1, cutoff=0.6)
            hint = _(" Mungkin maksud Anda {guess}?").format(guess=guess[0]) if guess else ""
            fields.problems.error(
                fields.path,
                line,
                _(
                    "Kode kursus {code} tidak dikenal: tidak ada kursus aktif dengan kode itu."
                ).format(code=code)
                + hint,
            )
            ok = False
        else:
            codes.append(code)
    return tuple(codes) if ok else None


def _employee_type(fields: Fields) -> EmployeeType | None:
    if fields.mapping.data.get("jenis_pegawai") is None:
        return None
    choice = fields.choice("jenis_pegawai", ("pns", "pppk"))
    return EmployeeType(choice.upper()) if choice else None


def _jabatan(fields: Fields) -> str | None:
    if fields.mapping.data.get("jabatan") is None:
        return None
    text = fields.text("jabatan")
    if text is None:
        return None
    if not text.strip("* "):
        fields.problems.error(
            fields.path,
            fields.line("jabatan"),
            _(
                "Isi jabatan tidak boleh hanya tanda *. Hapus baris jabatan untuk semua jabatan, "
                'atau tuliskan jabatannya, misalnya "*Lurah*".'
            ),
        )
        return None
    return " ".join(text.split())


def _golongan_range(fields: Fields, kind: EmployeeType | None) -> tuple[str | None, str | None]:
    data = fields.mapping.data
    bounds: list[str | None] = []
    for key in ("golongan_dari", "golongan_sampai"):
        value = data.get(key)
        if value is None:
            bounds.append(None)
            continue
        if kind is None:
            if "jenis_pegawai" not in data:
                fields.problems.error(
                    fields.path,
                    fields.line(key),
                    _(
                        "Rentang golongan hanya berlaku bersama jenis_pegawai (PNS atau PPPK), "
                        "karena keduanya memakai skala yang berbeda. Tambahkan baris "
                        "jenis_pegawai: PNS atau jenis_pegawai: PPPK."
                    ),
                )
            bounds.append(None)
            continue
        try:
            bounds.append(golongan.normalize(str(value), kind))
        except InvalidGolongan as exc:
            fields.problems.error(
                fields.path,
                fields.line(key),
                _("Isi {key} bukan golongan {kind} yang sah: {why}").format(
                    key=key, kind=kind.value, why=exc
                ),
            )
            bounds.append(None)
    return bounds[0], bounds[1]
