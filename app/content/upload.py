"""Unpacking a course uploaded as .zip, defensively: nothing outside the target, nothing huge.

Every check runs before a byte is trusted: entry names (absolute paths, `..`, backslashes,
drive letters, symlinks), file types (allow-list), entry count, declared sizes and compression
ratios (zip bombs), encryption, compression method, duplicate names, and the actual bytes
read (headers can lie; CRCs are checked). A rejected upload raises `UploadRejected` with a
message for the trainer listing every problem, and leaves nothing behind: whatever zipfile or
a decompressor raises on hostile data becomes such a message, never a server error.
"""

from __future__ import annotations

import io
import lzma
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from app.content.format.sources import COURSE_FILE
from app.i18n import gettext as _

ALLOWED_SUFFIXES = frozenset(
    {".md", ".yaml", ".yml", ".png", ".jpg", ".jpeg", ".webp", ".svg", ".gif", ".pdf"}
)
MAX_ENTRIES = 300
MAX_RATIO = 100  # uncompressed / compressed, per entry; Markdown compresses ~3-5x
MAX_ENTRY_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024


class UploadRejected(ValueError):
    """The upload cannot be accepted; the message tells the trainer why."""


def _clean_name(name: str) -> PurePosixPath | None:
    """The entry's safe relative path, None for folders and OS clutter; raise when unsafe."""
    if name.endswith("/"):
        return None
    if "\\" in name or name.startswith("/") or ":" in name.split("/", 1)[0]:
        raise UploadRejected(
            _("Isi .zip memuat jalur berkas yang tidak aman: {name}").format(name=name)
        )
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts):
        raise UploadRejected(
            _("Isi .zip memuat jalur berkas yang tidak aman: {name}").format(name=name)
        )
    if path.parts[0] == "__MACOSX" or any(part.startswith(".") for part in path.parts):
        return None  # Finder and editors add these; they are not course files
    return path


def _check_entry(info: zipfile.ZipInfo, path: PurePosixPath) -> None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UploadRejected(
            _("Isi .zip memuat tautan simbolik ({name}); kirim berkas aslinya.").format(
                name=info.filename
            )
        )
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise UploadRejected(
            _(
                "Jenis berkas {name} tidak diizinkan. Yang boleh: .md, .yaml, gambar (.png, "
                ".jpg, .webp, .svg, .gif) dan .pdf."
            ).format(name=info.filename)
        )
    if info.file_size > MAX_ENTRY_BYTES:
        raise UploadRejected(
            _("Berkas {name} terlalu besar (lebih dari 20 MB).").format(name=info.filename)
        )
    if info.file_size > max(info.compress_size, 1) * MAX_RATIO and info.file_size > 1024 * 1024:
        raise UploadRejected(
            _("Berkas {name} di dalam .zip mencurigakan (rasio kompresi tidak wajar).").format(
                name=info.filename
            )
        )


# What Python's zipfile can decompress; anything else (Deflate64, PPMd...) is named and refused.
SUPPORTED_COMPRESSION = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_METHOD_NAMES = {
    1: "Shrink",
    6: "Implode",
    9: "Deflate64",
    18: "IBM TERSE",
    93: "Zstandard",
    95: "XZ",
    98: "PPMd",
}
MAX_LISTED = 10
# Errors zipfile and its decompressors raise on damaged or hostile data (never on our disk).
_READ_ERRORS = (
    zipfile.BadZipFile,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    OSError,  # bz2: "Invalid data stream"
    RuntimeError,
    NotImplementedError,
    ValueError,
    struct.error,
)


def _reject(problems: list[str]) -> UploadRejected:
    """One message listing every problem found (the first MAX_LISTED of them)."""
    if len(problems) == 1:
        return UploadRejected(problems[0])
    listed = " ".join(f"({n}) {p}" for n, p in enumerate(problems[:MAX_LISTED], start=1))
    more = len(problems) - MAX_LISTED
    if more > 0:
        listed += " " + _("… dan {n} masalah lain.").format(n=more)
    return UploadRejected(_("{n} masalah: {list}").format(n=len(problems), list=listed))


def _header_problems(
    info: zipfile.ZipInfo, path: PurePosixPath, seen: set[PurePosixPath]
) -> list[str]:
    problems = []
    if path in seen:
        problems.append(
            _(
                "Nama berkas {name} ada lebih dari sekali di dalam .zip; setiap berkas hanya "
                "boleh ada satu kali."
            ).format(name=info.filename)
        )
    seen.add(path)
    if info.flag_bits & 0x1:
        problems.append(
            _(
                "Berkas {name} di dalam .zip dikunci kata sandi (terenkripsi); buat ulang .zip "
                "tanpa kata sandi."
            ).format(name=info.filename)
        )
    elif info.compress_type not in SUPPORTED_COMPRESSION:
        method = _METHOD_NAMES.get(info.compress_type, f"metode {info.compress_type}")
        problems.append(
            _(
                "Berkas {name} dikompresi dengan metode yang tidak didukung ({method}); buat "
                "ulang .zip dengan metode standar (Deflate)."
            ).format(name=info.filename, method=method)
        )
    try:
        _check_entry(info, path)
    except UploadRejected as exc:
        problems.append(str(exc))
    return problems


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _READ_ERRORS:
        raise UploadRejected(_("Berkas ini bukan .zip yang valid.")) from None


def extract_course_zip(data: bytes, dest: Path, *, max_total_bytes: int) -> Path:
    """Unpack a course .zip into `dest` and return the folder holding kursus.yaml.

    Every entry's header is checked before anything is unpacked, and every problem found is
    listed in one message. Entries are then unpacked into `dest` (a temporary folder of the
    caller's) with their CRC checked by zipfile; a damaged, truncated or size-lying entry is
    reported by name.
    """
    with _open(data) as archive:
        try:
            infos = archive.infolist()
        except _READ_ERRORS:
            raise UploadRejected(_("Berkas ini bukan .zip yang valid.")) from None
        if len(infos) > MAX_ENTRIES:
            raise UploadRejected(
                _("Isi .zip terlalu banyak ({n} berkas; paling banyak {max}).").format(
                    n=len(infos), max=MAX_ENTRIES
                )
            )
        entries = []
        problems: list[str] = []
        seen: set[PurePosixPath] = set()
        for info in infos:
            try:
                path = _clean_name(info.filename)
            except UploadRejected as exc:
                problems.append(str(exc))
                continue
            if path is None:
                continue
            problems += _header_problems(info, path, seen)
            entries.append((info, path))
        if problems:
            raise _reject(problems)
        if sum(info.file_size for info, _path in entries) > max_total_bytes:
            raise UploadRejected(
                _("Isi .zip setelah dibuka lebih dari {mb} MB.").format(
                    mb=max_total_bytes // (1024 * 1024)
                )
            )
        written = 0
        for info, path in entries:
            target = dest.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                written += _unpack(archive, info, target, max_total_bytes - written)
            except UploadRejected as exc:
                problems.append(str(exc))
        if problems:
            raise _reject(problems)
    return _course_root(dest)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Copy one entry to `target`, trusting none of its header; the bytes written."""
    size = 0
    with target.open("wb") as out:
        try:
            source = archive.open(info)
        except _READ_ERRORS:
            raise UploadRejected(_damaged(info)) from None
        with source:
            while True:
                try:
                    chunk = source.read(CHUNK)
                except zipfile.BadZipFile:
                    # zipfile stops at the recorded size, then finds the CRC wrong. When the
                    # decompressor still had data, the header understated the size: a bomb.
                    if not getattr(getattr(source, "_decompressor", None), "eof", True):
                        raise UploadRejected(_lying(info)) from None
                    raise UploadRejected(
                        _(
                            "Berkas {name} di dalam .zip rusak (isinya tidak cocok dengan CRC "
                            "yang tercatat); buat ulang .zip-nya."
                        ).format(name=info.filename)
                    ) from None
                except EOFError:
                    raise UploadRejected(_lying(info)) from None
                except _READ_ERRORS:
                    raise UploadRejected(_damaged(info)) from None
                if not chunk:
                    return size
                size += len(chunk)
                # Never trust the header: stop as soon as the real bytes exceed it.
                if size > info.file_size or size > budget:
                    raise UploadRejected(_lying(info))
                out.write(chunk)


def _lying(info: zipfile.ZipInfo) -> str:
    return _(
        "Ukuran berkas {name} di dalam .zip tidak sesuai dengan yang tercatat (isinya lebih "
        "besar atau terpotong); unggahan ditolak."
    ).format(name=info.filename)


def _damaged(info: zipfile.ZipInfo) -> str:
    return _(
        "Berkas {name} di dalam .zip rusak dan tidak dapat dibuka; buat ulang .zip-nya."
    ).format(name=info.filename)


def _course_root(dest: Path) -> Path:
    if (dest / COURSE_FILE).is_file():
        return dest
    folders = [p for p in dest.iterdir() if p.is_dir()]
    if len(folders) == 1 and (folders[0] / COURSE_FILE).is_file():
        return folders[0]
    raise UploadRejected(
        _(
            "Tidak ada {file} di dalam .zip. Kemas satu folder kursus (berisi {file}, modul, "
            "dan tes) menjadi .zip."
        ).format(file=COURSE_FILE)
    )
