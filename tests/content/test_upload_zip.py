"""Hostile zips, built byte by byte, get a clear message and change nothing (issue 19 item 8).

Each archive is written by zipfile and then has one header field patched, in both the
central directory and the local header, as an attacker's tool would.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content.upload import UploadRejected, extract_course_zip
from tests.content.test_trainer import _trainer, _upload, _versions

MODULE = "k/01-pengantar.md"
COURSE = {"k/kursus.yaml": b"kode: ZIP-101\njudul: Uji\n", MODULE: b"# Pengantar\n\nIsi.\n"}

# name: (offset, struct format) of the fields patched, per header kind.
_CENTRAL = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "size": (24, "<I")}
_LOCAL = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "size": (22, "<I")}


def _zip(entries: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    items = entries.items() if isinstance(entries, dict) else entries
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we want
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in items:
                archive.writestr(name, data)
    return buffer.getvalue()


def _patched(data: bytes, name: str, **fields: int) -> bytes:
    """`data` with the given header fields of entry `name` overwritten in both headers."""
    out = bytearray(data)
    encoded = name.encode()
    kinds = ((b"PK\x01\x02", _CENTRAL, 28, 46), (b"PK\x03\x04", _LOCAL, 26, 30))
    for signature, layout, length_at, name_at in kinds:
        at = out.find(signature)
        while at >= 0:
            (length,) = struct.unpack_from("<H", out, at + length_at)
            if bytes(out[at + name_at : at + name_at + length]) == encoded:
                for field, value in fields.items():
                    offset, fmt = layout[field]
                    struct.pack_into(fmt, out, at + offset, value)
            at = out.find(signature, at + 4)
    return bytes(out)


BOMB = b"0" * (8 * 1024 * 1024)  # compresses ~1000:1; the header will claim 1 KB

HOSTILE = {
    "encrypted": (
        _patched(_zip(COURSE), MODULE, flags=0x1),
        "k/01-pengantar.md di dalam .zip dikunci kata sandi (terenkripsi)",
    ),
    "bad-crc": (
        _patched(_zip(COURSE), MODULE, crc=0xDEADBEEF),
        "k/01-pengantar.md di dalam .zip rusak (isinya tidak cocok dengan CRC",
    ),
    "lying-size-bomb": (
        _patched(_zip({**COURSE, "k/bom.md": BOMB}), "k/bom.md", size=1024),
        "Ukuran berkas k/bom.md di dalam .zip tidak sesuai dengan yang tercatat",
    ),
    "duplicate-name": (
        _zip([*COURSE.items(), (MODULE, b"# Versi lain\n")]),
        "Nama berkas k/01-pengantar.md ada lebih dari sekali di dalam .zip",
    ),
    "deflate64": (
        _patched(_zip(COURSE), MODULE, method=9),
        "k/01-pengantar.md dikompresi dengan metode yang tidak didukung (Deflate64)",
    ),
    "unknown-method": (
        _patched(_zip(COURSE), MODULE, method=77),
        "metode yang tidak didukung (metode 77)",
    ),
}


@pytest.mark.parametrize(("data", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_zip_is_refused_with_a_clear_message_and_nothing_is_saved(
    client: TestClient, session: Session, data: bytes, message: str
) -> None:
    _trainer(client, session)
    before = _versions(session)
    response = _upload(client, data)
    assert response.status_code == 400
    assert message in response.text
    assert "Unggahan ditolak" in response.text
    assert _versions(session) == before


def test_every_problem_in_one_zip_is_listed_together(tmp_path: Path) -> None:
    data = _zip([*COURSE.items(), (MODULE, b"lagi"), ("k/tes-akhir.md", b"# Tes\n")])
    data = _patched(data, "k/tes-akhir.md", flags=0x1)
    with pytest.raises(UploadRejected) as excinfo:
        extract_course_zip(data, tmp_path / "out", max_total_bytes=10 * 1024 * 1024)
    message = str(excinfo.value)
    assert message.startswith("2 masalah: (1) Nama berkas k/01-pengantar.md ada lebih")
    assert "(2) Berkas k/tes-akhir.md di dalam .zip dikunci kata sandi" in message
    assert not (tmp_path / "out").exists()  # refused before anything was unpacked


def test_a_bomb_with_understated_sizes_stops_at_the_recorded_size(tmp_path: Path) -> None:
    data = _patched(_zip({**COURSE, "k/bom.md": BOMB}), "k/bom.md", size=1024)
    with pytest.raises(UploadRejected, match="tidak sesuai dengan yang tercatat"):
        extract_course_zip(data, tmp_path / "out", max_total_bytes=10 * 1024 * 1024)
    written = sum(f.stat().st_size for f in (tmp_path / "out").rglob("*") if f.is_file())
    assert written < 64 * 1024
