"""SIASN's riwayat kursus (course history) record: field names, reference ids and codes.

HR copies Lentera's completions into SIASN, BKN's national civil-service system, as
"riwayat kursus" records. The SIASN layout of the completion export uses SIASN's own field
names and values so that a row can be entered (or posted by an integration) unchanged.

Sources (public SIASN client code; BKN publishes no open reference):

- Field names and the date format: the `kursus/save` payload in the PHP client
  black-coffee04/ws-siasn-php, `examples/kursus.php` (the fields) and
  `src/Services/KursusService.php` (`formatDates`: `tanggalKursus` and
  `tanggalSelesaiKursus` are sent as `d-m-Y`, i.e. DD-MM-YYYY).
- Kind-of-training ids (`jenisDiklatId`, SIASN's `referensi/jenis-diklat`) and the
  certificate kind that goes with each (`jenisKursusSertipikat`): ids 1-10 as a public
  Laravel SIASN integration seeds them (`JenisDiklatSeeder`: 2 Diklat Fungsional/F,
  3 Diklat Teknis/T, 7-10 and 4 participation kinds/P, 1, 5 and 6 without a code);
  ws-siasn-php ships the same reference as `src/Data/Referensi/jenisDiklat.json.gz`.
  Ids 11 Kursus, 16 E-Learning and 22 Belajar Mandiri are the ones BKPSDM cites (issue 18);
  they were not found in a readable public source: check them against SIASN's
  jenis-diklat reference before the first upload (they are one line each below).

Decisions (documented in docs/siasn-export.md):

- `jumlahJam` is the course's JP (jam pelajaran of 45 minutes) as an integer: SIASN's
  "jumlah jam" of competency development counts lesson hours, and public integrations send
  the JP unchanged (`"jumlahJam" => (int) $item['jumlah_jp']`); converting to clock hours
  (x 0.75) would under-report every course.
- `pnsOrangId` is SIASN's internal person id, which Lentera does not hold: the column is
  left empty and the person is identified by the `nipBaru` column after the SIASN fields
  (with `nama`), which SIASN's own screens search by.
- `jenisKursus` is sent empty, as the public clients do (the kind is `jenisDiklatId`).
- A class session (app.classes: a stand-alone pelatihan klasikal, or a course attended in a
  class) is classroom training (pelatihan klasikal; e-learning, 16, is nonklasikal: PP
  11/2017 Pasal 210, Peraturan LAN 10/2018), which SIASN's reference tells apart by kind:
  its competency category chooses the classroom kind whatever the settings say (teknis
  3 Diklat Teknis, manajerial 5 Pelatihan Manajerial, sosial kultural 6 Pelatihan Sosial
  Kultural: `BY_CATEGORY`, ids from the seeder cited above). A course's own
  `jenis_diklat_siasn` still wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SiasnSettings(Protocol):
    """The settings the SIASN layout reads (app.config.Settings; a protocol because the
    settings check their jenis diklat against this module's reference)."""

    issuer_name: str
    siasn_instansi_id: str
    instansi_name: str
    siasn_jenis_diklat: int
    siasn_jenis_diklat_by_category: bool


@dataclass(frozen=True)
class JenisDiklat:
    """One entry of SIASN's kind-of-training reference."""

    id: int
    name: str
    certificate_kind: str  # jenisKursusSertipikat: T, F, P, or "" where SIASN has none


# SIASN's jenis diklat reference (see the module docstring for the sources).
JENIS_DIKLAT: dict[int, JenisDiklat] = {
    entry.id: entry
    for entry in (
        JenisDiklat(1, "Diklat Struktural", ""),
        JenisDiklat(2, "Diklat Fungsional", "F"),
        JenisDiklat(3, "Diklat Teknis", "T"),
        JenisDiklat(4, "Workshop", "P"),
        JenisDiklat(5, "Pelatihan Manajerial", ""),
        JenisDiklat(6, "Pelatihan Sosial Kultural", ""),
        JenisDiklat(7, "Sosialisasi", "P"),
        JenisDiklat(8, "Bimbingan Teknis", "P"),
        JenisDiklat(9, "Seminar", "P"),
        JenisDiklat(10, "Magang", "P"),
        JenisDiklat(11, "Kursus", "P"),
        JenisDiklat(16, "E-Learning", "P"),
        JenisDiklat(22, "Belajar Mandiri", "P"),
    )
}
# jenisKursusSertipikat: T teknis, F fungsional, P participation (attendance/completion).
CERTIFICATE_KINDS = {"T": "Teknis", "F": "Fungsional", "P": "Partisipasi"}
E_LEARNING = 16
# "By category": Lentera's competency categories to the matching SIASN kind.
BY_CATEGORY = {"teknis": 3, "manajerial": 5, "sosial kultural": 6}

# The kursus/save fields, in the order of the public clients' payload, then Lentera's
# identification columns (SIASN's person id is unknown to Lentera: see the docstring).
FIELDS = [
    "pnsOrangId", "instansiId", "jenisDiklatId", "jenisKursus", "jenisKursusSertipikat",
    "namaKursus", "institusiPenyelenggara", "jumlahJam", "tahunKursus", "tanggalKursus",
    "tanggalSelesaiKursus", "nomorSertipikat",
]  # fmt: skip
EXTRA = ["nipBaru", "nama", "namaInstansi"]
COLUMNS = FIELDS + EXTRA
DATE_FORMAT = "%d-%m-%Y"


@dataclass(frozen=True)
class Options:
    """What the SIASN layout takes from the settings."""

    issuer: str = ""
    instansi_id: str = ""
    instansi_name: str = ""
    jenis_diklat: int = E_LEARNING
    by_category: bool = False

    @classmethod
    def from_settings(cls, settings: SiasnSettings) -> Options:
        return cls(
            issuer=settings.issuer_name,
            instansi_id=settings.siasn_instansi_id,
            instansi_name=settings.instansi_name,
            jenis_diklat=settings.siasn_jenis_diklat,
            by_category=settings.siasn_jenis_diklat_by_category,
        )

    def jenis_for(
        self, category: str | None, course_jenis: int | None = None, *, classroom: bool = False
    ) -> JenisDiklat:
        """The kind of training of a completion: its course's own (`jenis_diklat_siasn`), else
        for one attended in a class session the classroom kind of its competency category,
        else by the settings (the default kind, or by competency category)."""
        if course_jenis is not None and course_jenis in JENIS_DIKLAT:
            return JENIS_DIKLAT[course_jenis]
        if (classroom or self.by_category) and category in BY_CATEGORY:
            return JENIS_DIKLAT[BY_CATEGORY[category]]
        return JENIS_DIKLAT[self.jenis_diklat]
