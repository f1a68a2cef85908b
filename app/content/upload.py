"""Unpacking a course uploaded as .zip, defensively: nothing outside the target, nothing huge.

Every check runs before a byte is trusted: entry names (absolute paths, `..`, backslashes,
drive letters, symlinks), file types (allow-list), entry count, declared sizes and compression
ratios (zip bombs), and the actual bytes read (headers can lie). A rejected upload raises
`UploadRejected` with a message for the trainer and leaves nothing behind.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from app.content.sources import COURSE_FILE
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


def extract_course_zip(data: bytes, dest: Path, *, max_total_bytes: int) -> Path:
    """Unpack a course .zip into `dest` and return the folder holding kursus.yaml."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadRejected(_("Berkas ini bukan .zip yang valid.")) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise UploadRejected(
                _("Isi .zip terlalu banyak ({n} berkas; paling banyak {max}).").format(
                    n=len(infos), max=MAX_ENTRIES
                )
            )
        entries = []
        for info in infos:
            path = _clean_name(info.filename)
            if path is None:
                continue
            _check_entry(info, path)
            entries.append((info, path))
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
            with archive.open(info) as source, target.open("wb") as out:
                size = 0
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    written += len(chunk)
                    # Never trust the header: stop as soon as the real bytes exceed it.
                    if size > info.file_size or written > max_total_bytes:
                        raise UploadRejected(
                            _("Isi .zip lebih besar daripada yang tercatat; unggahan ditolak.")
                        )
                    out.write(chunk)
    return _course_root(dest)


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
