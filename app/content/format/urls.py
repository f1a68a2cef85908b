"""Where the links and images of a course point: URL patterns and the resolver that uses them.

The web routes must serve these paths; they are in this one place so that a route change is a
one-line change here (and the renderer never builds a URL by hand).
"""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from app.content.format.assets import ALLOWED_TYPES, IMAGE_TYPES, file_type, image_size
from app.content.format.sources import (
    FINAL_TEST_FILE,
    MODULE_NAME,
    PRETEST_FILE,
    QUIZ_SUFFIX,
    iter_files,
)
from app.i18n import gettext as _

EXTERNAL_SCHEMES = ("http", "https")
# Markdown has percent-encoded the backslashes by the time the resolver sees them.
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:([\\/]|%5C)|^(\\|%5C){2}|^file:", re.IGNORECASE)


@dataclass(frozen=True)
class CourseUrls:
    """The site paths of one course's pages and files."""

    code: str
    prefix: str = "/kursus"

    def course(self) -> str:
        return f"{self.prefix}/{quote(self.code)}"

    def module(self, slug: str, anchor: str | None = None) -> str:
        url = f"{self.course()}/modul/{quote(slug)}"
        return f"{url}#{quote(anchor)}" if anchor else url

    def test(self, key: str) -> str:
        return f"{self.course()}/tes/{quote(key)}"

    def asset(self, relative_path: str) -> str:
        return f"{self.course()}/berkas/{quote(relative_path)}"


@dataclass(frozen=True)
class Target:
    """What a link or image source resolves to; `url` is None when it must not be rendered."""

    url: str | None
    error: str | None = None
    external: bool = False
    module: str | None = None  # target module slug, for the anchor check
    anchor: str | None = None  # "#anchor" part, for the anchor check
    same_page: bool = False
    asset: str | None = None  # referenced file, relative to the course folder
    size: tuple[int, int] | None = None  # for images


class LinkResolver:
    """Turns what a trainer wrote in `[text](here)` / `![alt](here)` into a site URL."""

    def __init__(self, folder: Path, urls: CourseUrls, module_slugs: frozenset[str]) -> None:
        self.folder = folder
        self.urls = urls
        self.module_slugs = module_slugs
        self.used_assets: set[str] = set()  # every file a page of the course refers to
        self._sizes: dict[str, tuple[int, int] | None] = {}
        self._files: frozenset[str] | None = None

    def resolve(self, href: str, *, image: bool = False) -> Target:
        """Resolve one destination; problems come back as `Target.error` in plain Indonesian."""
        href = href.strip()
        if not href:
            return Target(None, _("Alamat tautan atau gambar kosong. Isi di antara ( dan )."))
        if _WINDOWS_PATH.match(href):
            return Target(
                None,
                _(
                    "Alamat {href} menunjuk berkas di komputer Anda. Salin berkasnya ke folder "
                    "gambar/ atau lampiran/ kursus, lalu tulis misalnya gambar/nama-berkas.png."
                ).format(href=href),
            )
        parts = urlsplit(href)
        scheme = parts.scheme.casefold()
        if scheme:
            return self._absolute(href, scheme, image)
        if href.startswith("//") or href.startswith("/"):
            return Target(
                None,
                _(
                    "Alamat {href} diawali garis miring. Untuk situs luar tulis alamat lengkap "
                    "dengan https://; untuk berkas kursus tulis tanpa garis miring di depan, "
                    "misalnya gambar/alur.svg."
                ).format(href=href),
            )
        anchor = unquote(parts.fragment) or None
        if not parts.path:
            if image:
                return Target(
                    None, _("Sumber gambar tidak boleh hanya #{anchor}.").format(anchor=anchor)
                )
            return Target(f"#{quote(anchor or '')}", anchor=anchor, same_page=True)
        return self._relative(unquote(parts.path), anchor, image)

    def _absolute(self, href: str, scheme: str, image: bool) -> Target:
        if scheme in EXTERNAL_SCHEMES and not image:
            return Target(href, external=True)
        if scheme in EXTERNAL_SCHEMES:
            return Target(
                None,
                _(
                    "Gambar dari situs luar ({href}) tidak ditampilkan. Unduh gambarnya (bila "
                    "boleh dipakai), simpan di folder gambar/, lalu tulis gambar/nama-berkas."
                ).format(href=href),
            )
        if scheme == "mailto" and not image:
            return Target(href)
        return Target(
            None,
            _(
                "Alamat jenis {scheme}: tidak diizinkan. Tautan hanya boleh ke situs (https://), "
                "ke surel (mailto:), atau ke berkas di dalam folder kursus."
            ).format(scheme=scheme),
        )

    def _relative(self, path: str, anchor: str | None, image: bool) -> Target:
        if any(ord(char) < 32 for char in path):
            return Target(
                None,
                _(
                    "Alamat {path} memuat karakter yang tidak terlihat. Ketik ulang alamatnya."
                ).format(path=path.encode("unicode_escape").decode("ascii")),
            )
        if "\\" in path:
            return Target(
                None,
                _("Gunakan garis miring / pada alamat {path}, bukan \\.").format(path=path),
            )
        normal = posixpath.normpath(path)
        if normal.startswith("../") or normal == "..":
            return Target(
                None,
                _(
                    "Alamat {path} keluar dari folder kursus. Berkas yang dirujuk harus ada di "
                    "dalam folder kursus; untuk kursus lain, tulis namanya saja."
                ).format(path=path),
            )
        name = posixpath.basename(normal)
        if name.endswith(".md") and not image:
            return self._markdown_target(normal, anchor)
        return self._file_target(normal, image)

    def _markdown_target(self, path: str, anchor: str | None) -> Target:
        name = posixpath.basename(path)
        if path.endswith(QUIZ_SUFFIX):
            return Target(
                None,
                _(
                    "Tautan ke kuis latihan {name} tidak didukung; tautkan ke modulnya, "
                    "misalnya {module}."
                ).format(name=name, module=name.removesuffix(QUIZ_SUFFIX) + ".md"),
            )
        if path in (PRETEST_FILE, FINAL_TEST_FILE):
            if not (self.folder / path).is_file():
                return Target(None, _("Berkas {name} tidak ada di kursus ini.").format(name=name))
            return Target(self.urls.test(path.removesuffix(".md")))
        slug = path.removesuffix(".md")
        if slug in self.module_slugs:
            return Target(self.urls.module(slug, anchor), module=slug, anchor=anchor)
        names = sorted(f"{s}.md" for s in self.module_slugs)
        if MODULE_NAME.match(path):
            message = _("Modul {name} tidak ada di kursus ini.").format(name=path)
        else:
            message = _(
                "Tautan ke {name} tidak dikenali: tautan antarmodul memakai nama berkas modul, "
                "misalnya 02-nama-modul.md."
            ).format(name=path)
        return Target(None, message + _did_you_mean(path, names))

    def _file_target(self, path: str, image: bool) -> Target:
        kind = file_type(path)
        # Compared with the listing, not Path.is_file(): on a case-insensitive disk (Windows,
        # macOS) "Gambar/Alur.PNG" exists, on the Linux server it does not.
        if path not in self._existing_files():
            what = _("Gambar") if image else _("Berkas")
            return Target(
                None,
                _("{what} {path} tidak ditemukan di folder kursus.").format(what=what, path=path)
                + _did_you_mean(path, sorted(self._existing_files())),
            )
        if image and kind not in IMAGE_TYPES:
            return Target(
                None,
                _(
                    "{path} bukan gambar. Gambar harus png, jpg, jpeg, webp, svg, atau gif; untuk "
                    "lampiran tulis tautan biasa tanpa tanda seru: [Unduh]({path})."
                ).format(path=path),
            )
        if kind not in ALLOWED_TYPES:
            return Target(
                None,
                _(
                    "Berkas {path} berjenis .{kind} yang tidak didukung. Lampiran harus pdf, "
                    "gambar harus png, jpg, jpeg, webp, svg, atau gif."
                ).format(path=path, kind=kind or "?"),
            )
        size = self._size(path) if image else None
        self.used_assets.add(path)
        return Target(self.urls.asset(path), asset=path, size=size)

    def _size(self, path: str) -> tuple[int, int] | None:
        if path not in self._sizes:
            self._sizes[path] = image_size(self.folder / path)
        return self._sizes[path]

    def _existing_files(self) -> frozenset[str]:
        if self._files is None:
            found = iter_files(self.folder)
            self._files = frozenset(p.relative_to(self.folder).as_posix() for p in found)
        return self._files


def _did_you_mean(wanted: str, names: list[str]) -> str:
    # Case slips are the usual cause: Windows finds "Gambar/Alur.PNG", the server does not.
    folded = {name.casefold(): name for name in names}
    guess = folded.get(wanted.casefold())
    if guess is None:
        matches = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
        guess = matches[0] if matches else None
    return _(" Mungkin maksud Anda {guess}?").format(guess=guess) if guess else ""
