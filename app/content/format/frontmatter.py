"""YAML in course files: `kursus.yaml` and the `---` front matter of Markdown files.

Errors point at the line of the file (not of the YAML fragment) and say in plain words what a
trainer typing in Notepad most likely did: a Tab, a colon inside unquoted text, a lost quote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from app.content.format.problems import ProblemLog
from app.i18n import gettext as _


@dataclass(frozen=True)
class Document:
    """A Markdown file split at its front matter."""

    meta_text: str
    meta_first_line: int  # file line of the first YAML line
    body: str
    body_first_line: int  # file line of the first body line


@dataclass(frozen=True)
class YamlMapping:
    data: dict[str, object]
    lines: dict[str, int]  # key -> file line where it is written
    first_line: int  # where to report a missing key
    # key -> file line of each item, for keys whose value is a list
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


def split_front_matter(text: str, path: str, problems: ProblemLog) -> Document | None:
    """Split `---` front matter from the body; None (reported) when it is missing or open."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        looks_like_yaml = bool(lines) and ":" in lines[0] and not lines[0].startswith("#")
        hint = (
            _("Tampaknya baris --- di awal terlupa: tambahkan satu baris --- sebagai baris 1.")
            if looks_like_yaml
            else _("Tambahkan di baris 1: ---, lalu kunci seperti judul:, lalu --- lagi.")
        )
        problems.error(path, 1, _("Berkas ini tidak diawali kepala berkas (---). ") + hint)
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Document(
                meta_text="\n".join(lines[1:index]),
                meta_first_line=2,
                body="\n".join(lines[index + 1 :]),
                body_first_line=index + 2,
            )
    problems.error(
        path,
        1,
        _(
            "Kepala berkas dibuka dengan --- di baris 1 tetapi tidak pernah ditutup. Tambahkan "
            "baris --- sesudah kunci terakhir (misalnya sesudah jenis:), sebelum isi materi."
        ),
    )
    return None


def parse_mapping(
    text: str, first_line: int, path: str, problems: ProblemLog
) -> YamlMapping | None:
    """Parse YAML that must be a mapping of keys; None (reported) when it cannot be used."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        written = text.split("\n")[mark.line] if mark is not None else ""
        if _nested_double_quotes(written):
            problems.error(
                path,
                line,
                _(
                    "Teks di baris ini diapit tanda kutip ganda tetapi juga memuat tanda kutip "
                    "ganda di dalamnya, sehingga teksnya terpotong. Apit teks dengan tanda kutip "
                    "tunggal, misalnya judul: 'Simulasi: \"Pagi\" di Loket', atau ganti tanda "
                    "kutip di dalamnya dengan kutip tunggal."
                ),
            )
            return None
        problems.error(path, line, _explain_yaml_error(exc))
        return None
    except ValueError:
        # YAML reads 2026-13-01 as a date and fails on it (a ValueError, not a YAMLError).
        bad = _impossible_date(yaml.compose(text, Loader=yaml.SafeLoader))
        problems.error(
            path,
            first_line + (bad.start_mark.line if bad is not None else 0),
            _(
                "Tanggal {value} tidak ada di kalender. Tulis tanggal sebagai TAHUN-BULAN-HARI, "
                "misalnya 2025-06-05."
            ).format(value=bad.value if bad is not None else ""),
        )
        return None
    if data is None:
        problems.error(
            path,
            first_line,
            _("Bagian YAML ini kosong. Tuliskan kuncinya, satu per baris, misalnya judul: ..."),
        )
        return None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        problems.error(
            path,
            first_line,
            _(
                "Bagian YAML ini harus berupa daftar kunci dan nilai (kunci: nilai), satu per "
                "baris, bukan daftar berbutir atau teks biasa."
            ),
        )
        return None
    lines: dict[str, int] = {}
    item_lines: dict[str, tuple[int, ...]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[key] = tuple(first_line + item.start_mark.line for item in value_node.value)
        if key in lines:
            problems.error(
                path,
                line,
                _(
                    "Kunci {key} ditulis dua kali (juga di baris {first}). Hapus salah satunya; "
                    "hanya yang terakhir yang akan terbaca."
                ).format(key=key, first=lines[key]),
            )
        else:
            lines[key] = line
    return YamlMapping({str(k): v for k, v in data.items()}, lines, first_line, item_lines)


def _nested_double_quotes(line: str) -> bool:
    """`key: "text "inner" text"`: a quoted value that a second pair of quotes cuts short."""
    _key, sep, value = line.partition(":")
    value = value.strip()
    return bool(sep) and value.startswith('"') and value.count('"') - value.count('\\"') >= 3


def _impossible_date(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The first scalar YAML tags as a date that is not a real day, e.g. 2026-02-30."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":timestamp"):
            try:
                yaml.safe_load(node.value)
            except ValueError:
                return node
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    for child in children:
        found = _impossible_date(child)
        if found is not None:
            return found
    return None


def _explain_yaml_error(exc: yaml.YAMLError) -> str:
    detail = str(getattr(exc, "problem", "") or exc)
    if "\\t" in detail or "tab" in detail.lower():
        return _(
            "Ada karakter Tab di baris ini. YAML hanya menerima spasi untuk menjorokkan baris: "
            "ganti Tab dengan dua spasi."
        )
    if "mapping values are not allowed" in detail:
        return _(
            "Ada titik dua diikuti spasi di tengah teks. Apit seluruh teks itu dengan tanda kutip "
            'ganda, misalnya judul: "Simulasi: Pagi di Loket".'
        )
    if "could not find expected ':'" in detail:
        return _(
            "Baris ini tidak berbentuk kunci: nilai. Periksa titik dua setelah nama kunci, atau "
            "teks panjang yang terpotong ke baris berikutnya tanpa menjorok."
        )
    if "found unexpected end of stream" in detail or "quoted scalar" in str(exc):
        return _("Tanda kutip di baris ini dibuka tetapi tidak ditutup. Tutup dengan tanda kutip.")
    if "expected <block end>" in detail or "did not find expected" in detail:
        return _(
            "Jorokan (spasi di awal baris) di sini tidak cocok dengan baris di atasnya. Samakan "
            "jumlah spasinya; butir daftar ditulis dengan dua spasi, tanda -, lalu spasi."
        )
    return _(
        "Bagian YAML ini tidak dapat dibaca ({detail}). Periksa titik dua, tanda kutip, dan "
        "jorokan di baris ini."
    ).format(detail=detail)
