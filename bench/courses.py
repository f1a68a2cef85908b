"""Synthetic course folders in Lentera's Markdown format, for the generator and the content bench.

Each course has 8 modules (about 700 words each: headings, lists, a table, a callout), a
practice quiz on every other module, a pre-test and a final-test bank (15 questions, 10 drawn).
Everything is deterministic for a given course number, so a rerun produces identical files and
the importer sees them as unchanged.
"""

# ruff: noqa: S311 - pseudo-random text for synthetic courses, nothing secret
from __future__ import annotations

import random
from pathlib import Path

MODULES_PER_COURSE = 8
CATEGORIES = ("teknis", "manajerial", "sosial kultural")
LEVELS = ("dasar", "menengah", "lanjut")

TOPICS = (
    ("ARS", "Pengelolaan Arsip Dinamis"),
    ("SKP", "Penyusunan Sasaran Kinerja Pegawai"),
    ("SAK", "Sistem Akuntabilitas Kinerja Instansi Pemerintah"),
    ("PBJ", "Pengadaan Barang dan Jasa Pemerintah"),
    ("KEU", "Penatausahaan Keuangan Daerah"),
    ("ASE", "Pengelolaan Aset Daerah"),
    ("DAT", "Satu Data dan Statistik Sektoral"),
    ("SPB", "Sistem Pemerintahan Berbasis Elektronik"),
    ("KAM", "Keamanan Informasi bagi ASN"),
    ("BEN", "Kesiapsiagaan Bencana Gempa dan Tsunami Palu"),
    ("LIN", "Pengelolaan Lingkungan Hidup Perkotaan"),
    ("INV", "Pelayanan Perizinan dan Investasi"),
    ("KES", "Pelayanan Kesehatan Dasar di Puskesmas"),
    ("PEN", "Manajemen Sekolah dan Mutu Pendidikan"),
    ("SOS", "Pendataan Kesejahteraan Sosial"),
    ("ADK", "Administrasi Kependudukan"),
    ("HKM", "Penyusunan Produk Hukum Daerah"),
    ("ETK", "Etika dan Integritas ASN"),
    ("ANT", "Antikorupsi dan Pengendalian Gratifikasi"),
    ("MUT", "Manajemen Mutu Pelayanan"),
    ("INO", "Inovasi Pelayanan Publik"),
    ("REN", "Perencanaan Pembangunan Daerah"),
    ("MON", "Monitoring dan Evaluasi Program"),
    ("KOL", "Kolaborasi Lintas Perangkat Daerah"),
    ("PIM", "Kepemimpinan Pengawas"),
    ("COA", "Coaching dan Mentoring"),
    ("NEG", "Negosiasi dan Mediasi"),
    ("PRE", "Presentasi dan Komunikasi Publik"),
    ("HUM", "Kehumasan dan Media Sosial Instansi"),
    ("BUD", "Moderasi Beragama dan Kearifan Lokal Kaili"),
    ("GEN", "Pengarusutamaan Gender"),
    ("DIS", "Layanan Ramah Disabilitas"),
    ("LAN", "Pelayanan Ramah Lansia"),
    ("EXC", "Pengolahan Data dengan Lembar Kerja"),
    ("RIS", "Manajemen Risiko Instansi"),
    ("SPI", "Sistem Pengendalian Intern Pemerintah"),
    ("PAJ", "Pajak dan Retribusi Daerah"),
    ("UMK", "Pembinaan UMKM"),
    ("PAN", "Ketahanan Pangan Kota"),
    ("AIR", "Pengelolaan Air Bersih dan Sanitasi"),
    ("TRA", "Manajemen Lalu Lintas Perkotaan"),
    ("TAT", "Penataan Ruang dan Bangunan Gedung"),
    ("PAR", "Pengembangan Pariwisata Teluk Palu"),
    ("KPG", "Manajemen Kepegawaian"),
    ("ORG", "Analisis Jabatan dan Beban Kerja"),
    ("KNF", "Manajemen Konflik di Tempat Kerja"),
    ("WKT", "Produktivitas dan Manajemen Waktu"),
    ("LAP", "Penulisan Laporan Dinas"),
    ("NAS", "Wawasan Kebangsaan dan Bela Negara"),
    ("BER", "Nilai Dasar BerAKHLAK"),
    ("PEL", "Pelayanan Prima di Kelurahan"),
    ("DIG", "Literasi Digital ASN"),
    ("PRO", "Manajemen Proyek Pemerintah"),
    ("KOP", "Pembinaan Koperasi"),
    ("NAK", "Perlindungan Anak dan Perempuan"),
    ("PKK", "Pemberdayaan Masyarakat Kelurahan"),
    ("KBK", "Kebakaran dan Penyelamatan"),
    ("TIB", "Ketenteraman dan Ketertiban Umum"),
    ("PER", "Perpustakaan dan Budaya Baca"),
    ("OLA", "Kepemudaan dan Olahraga"),
    ("AGR", "Pertanian Perkotaan"),
    ("IKN", "Perikanan dan Kelautan"),
    ("STA", "Statistik untuk Pengambilan Keputusan"),
)

_WORDS = (
    "pelayanan",
    "warga",
    "kelurahan",
    "kecamatan",
    "dinas",
    "badan",
    "data",
    "laporan",
    "prosedur",
    "standar",
    "maklumat",
    "pengaduan",
    "kinerja",
    "sasaran",
    "indikator",
    "anggaran",
    "kegiatan",
    "program",
    "evaluasi",
    "rencana",
    "aksi",
    "tim",
    "koordinasi",
    "pimpinan",
    "staf",
    "loket",
    "berkas",
    "dokumen",
    "arsip",
    "sistem",
    "aplikasi",
    "jaringan",
    "keamanan",
    "integritas",
    "akuntabel",
    "transparan",
    "efektif",
    "efisien",
    "responsif",
    "inklusif",
    "santun",
    "jelas",
    "tepat",
    "waktu",
    "biaya",
    "persyaratan",
    "alur",
    "mekanisme",
    "jangka",
    "menengah",
    "tahunan",
    "triwulan",
    "bulanan",
    "harian",
    "Palu",
    "Tatanga",
    "Mantikulore",
    "Palu",
    "Barat",
    "Palu",
    "Timur",
    "Ulujadi",
    "Tawaeli",
    "Banawa",
    "Talise",
    "Besusu",
    "masyarakat",
    "pemangku",
    "kepentingan",
    "mitra",
    "kerja",
    "sama",
    "inovasi",
    "perbaikan",
    "berkelanjutan",
    "mutu",
)


def course_code(index: int) -> str:
    """The code of synthetic course number `index` (0-based), e.g. ARS-201."""
    prefix, _title = TOPICS[index % len(TOPICS)]
    return f"{prefix}-{200 + index // len(TOPICS) * 100 + 1 + index % 3}"


def course_folder(index: int) -> str:
    return f"bench-{index:03d}-{course_code(index).lower()}"


def module_slugs(index: int) -> list[str]:
    """Slugs of the course's modules: their file names without `.md` (`01-bagian-1-konsep`)."""
    return [f"{n:02d}-bagian-{n}-{_slug_word(index, n)}" for n in range(1, MODULES_PER_COURSE + 1)]


def _slug_word(index: int, n: int) -> str:
    words = ("dasar", "konsep", "praktik", "studi", "alat", "peran", "tantangan", "penerapan")
    return words[(index + n) % len(words)]


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(_WORDS) for _ in range(words)]
    return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."


def _paragraph(rng: random.Random, sentences: int = 5) -> str:
    return " ".join(_sentence(rng, rng.randint(9, 16)) for _ in range(sentences))


def module_markdown(index: int, n: int, *, revision: int = 0) -> str:
    """One module file: front matter and ~700 words of Markdown."""
    rng = random.Random(f"{index}-{n}-{revision}")
    _prefix, title = TOPICS[index % len(TOPICS)]
    kind = "latihan" if n % 4 == 0 else "bacaan"
    parts = [
        "---",
        f'judul: "{title}: Bagian {n}"',
        f"menit: {rng.randint(15, 40)}",
        f"jenis: {kind}",
        "---",
        "",
        _paragraph(rng, 4),
        "",
    ]
    for section in range(1, 5):
        parts += [f"## Pokok bahasan {section}", "", _paragraph(rng, 5), ""]
        if section == 1:
            parts += [f"- **{rng.choice(_WORDS)}**: {_sentence(rng, 10)}" for _ in range(4)]
            parts.append("")
        if section == 2:
            parts += ["| Aspek | Penjelasan |", "|---|---|"]
            parts += [f"| {rng.choice(_WORDS)} | {_sentence(rng, 8)} |" for _ in range(4)]
            parts.append("")
        if section == 3:
            parts += ["> [!CONTOH]", f"> {_paragraph(rng, 3)}", ""]
        parts += ["### Rangkuman", "", _paragraph(rng, 2), ""]
    if revision:
        parts += [f"Catatan revisi {revision}: {_sentence(rng, 8)}", ""]
    return "\n".join(parts)


def _questions(rng: random.Random, count: int, topic: str) -> list[str]:
    blocks: list[str] = []
    for q in range(1, count + 1):
        kind = q % 4
        stem = f"## Soal {q} tentang {topic.lower()}: {_sentence(rng, 8)[:-1]}?"
        if kind == 0:
            right = rng.randrange(4)
            options = [
                f"- ({'x' if i == right else ' '}) Pilihan {i + 1} {rng.choice(_WORDS)}"
                for i in range(4)
            ]
        elif kind == 1:
            stem = stem[:-1] + " (pilih semua yang benar)"
            options = [
                f"- [{'x' if i in (0, 2) else ' '}] Pernyataan {i + 1} {rng.choice(_WORDS)}"
                for i in range(4)
            ]
        elif kind == 2:
            truth = rng.random() < 0.5
            options = [f"- ({'x' if truth else ' '}) Benar", f"- ({' ' if truth else 'x'}) Salah"]
        else:
            word = f"jawaban{q}"
            options = [f"Jawaban: {word} | {word} {rng.choice(('tepat', 'benar'))}"]
        blocks += [stem, *options, "", f"> Penjelasan: {_sentence(rng, 12)}", ""]
    return blocks


def quiz_markdown(title: str, questions: int, rng: random.Random, topic: str, **meta: int) -> str:
    head = ["---", f'judul: "{title}"', *[f"{k}: {v}" for k, v in meta.items()], "---", ""]
    return "\n".join(head + _questions(rng, questions, topic))


def write_course(root: Path, index: int) -> Path:
    """Write synthetic course number `index` under `root`; returns its folder."""
    _prefix, title = TOPICS[index % len(TOPICS)]
    rng = random.Random(f"course-{index}")
    folder = root / course_folder(index)
    folder.mkdir(parents=True, exist_ok=True)
    level = LEVELS[index % 3]
    if index >= len(TOPICS):
        title = f"{title} ({level.capitalize()} {index // len(TOPICS) + 1})"
    summary = f"Kursus {level} bagi ASN Kota Palu tentang {title.lower()}. {_sentence(rng, 12)}"
    (folder / "kursus.yaml").write_text(
        "\n".join(
            [
                f"kode: {course_code(index)}",
                f'judul: "{title}"',
                "ringkasan: >",
                f"  {summary}",
                f"kategori: {CATEGORIES[index % 3]}",
                f"jp: {2 + index % 7}",
                f"tingkat: {level}",
                "penulis:",
                "  - Tim Widyaiswara BKPSDM Kota Palu",
                'versi: "1.0"',
                f"nilai_lulus: {60 + 5 * (index % 4)}",
                f"nilai_dihitung: {'terbaik' if index % 2 else 'terakhir'}",
                "prasyarat: []",
                "",
            ]
        ),
        encoding="utf-8",
    )
    for n, slug in enumerate(module_slugs(index), start=1):
        (folder / f"{slug}.md").write_text(module_markdown(index, n), encoding="utf-8")
        if n % 2 == 1:
            quiz = quiz_markdown(f"Latihan Bagian {n}", 4, rng, title)
            (folder / f"{slug}.kuis.md").write_text(quiz, encoding="utf-8")
    (folder / "tes-awal.md").write_text(
        quiz_markdown(f"Tes Awal {title}", 8, rng, title), encoding="utf-8"
    )
    (folder / "tes-akhir.md").write_text(
        quiz_markdown(
            f"Tes Akhir {title}", 15, rng, title, jumlah_soal=10, batas_waktu=20, maks_percobaan=3
        ),
        encoding="utf-8",
    )
    return folder


def write_library(root: Path, count: int, *, demo_content: Path | None = None) -> list[Path]:
    """`count` synthetic courses under `root`, plus a copy of the demo courses when given."""
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    if demo_content is not None:
        for course in sorted(p for p in demo_content.iterdir() if p.is_dir()):
            shutil.copytree(course, root / course.name, dirs_exist_ok=True)
    return [write_course(root, index) for index in range(count)]
