"""The people of the generated city: Palu's units kerja, Indonesian names, valid NIPs."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.accounts import nip as nip_rules

PASSWORD = "Bench-Palu-2026!"  # noqa: S105 - every generated account; hashed once

DINAS = (
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Badan Pendapatan Daerah",
    "Badan Penanggulangan Bencana Daerah",
    "Badan Kesatuan Bangsa dan Politik",
    "Inspektorat Daerah",
    "Sekretariat Daerah",
    "Sekretariat DPRD",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Sosial",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Perhubungan",
    "Dinas Komunikasi, Informatika, Persandian dan Statistik",
    "Dinas Koperasi dan Usaha Kecil Menengah",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Dinas Lingkungan Hidup",
    "Dinas Pariwisata",
    "Dinas Pemuda dan Olahraga",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Pertanian dan Ketahanan Pangan",
    "Dinas Perikanan",
    "Dinas Tenaga Kerja dan Perindustrian",
    "Dinas Perdagangan",
    "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Dinas Pengendalian Penduduk dan Keluarga Berencana",
    "Satuan Polisi Pamong Praja",
    "Dinas Pemadam Kebakaran dan Penyelamatan",
    "RSUD Anutapura",
    "Puskesmas Talise",
    "Puskesmas Kamonji",
    "Puskesmas Bulili",
)
KECAMATAN = (
    "Palu Barat", "Palu Selatan", "Palu Timur", "Palu Utara", "Tatanga", "Ulujadi",
    "Mantikulore", "Tawaeli",
)  # fmt: skip
KELURAHAN = (
    "Besusu Barat", "Besusu Tengah", "Besusu Timur", "Lolu Utara", "Lolu Selatan", "Talise",
    "Tondo", "Layana Indah", "Kawatuna", "Lasoani", "Poboya", "Tanamodindi", "Birobuli Utara",
    "Birobuli Selatan", "Petobo", "Tatura Utara", "Tatura Selatan", "Kamonji", "Baru", "Siranindi",
    "Ujuna", "Lere", "Balaroa", "Donggala Kodi", "Kabonena", "Silae", "Tipo", "Buluri",
    "Watusampu", "Nunu", "Tavanjuka", "Palupi", "Pengawu", "Duyu", "Boyaoge", "Mamboro",
    "Taipa", "Kayumalue Ngapa", "Pantoloan", "Baiya", "Lambara",
)  # fmt: skip
FIRST_NAMES = (
    "Abdul", "Ahmad", "Andi", "Arif", "Budi", "Dedi", "Fadli", "Hasan", "Irfan", "Iwan",
    "Muhammad", "Moh.", "Rahmat", "Ridwan", "Syamsul", "Taufik", "Wahyu", "Yusuf", "Zulkifli",
    "Agus", "Nur", "Siti", "Sri", "Fitri", "Hasnah", "Indah", "Kartini", "Lestari", "Nurhayati",
    "Rahmawati", "Ratna", "Rina", "Sartika", "Wulan", "Yuliana", "Dewi", "Hadijah", "Marlina",
    "Nurul", "Asmawati", "Jumriati", "Fatmawati", "Haerani", "Irma", "Musdalifah",
)  # fmt: skip
LAST_NAMES = (
    "Lamarauna", "Lasahido", "Labaso", "Tandjumbulu", "Lamakarate", "Pettalolo", "Dg. Malino",
    "Ladjalani", "Mangge", "Rusdi", "Hamzah", "Lamasitudju", "Tombolotutu", "Djanggola",
    "Intje Lolo", "Sibay", "Paturusi", "Yotolembah", "Lapasere", "Masyhuddin", "Pakamundi",
    "Lamadjido", "Mardjun", "Karim", "Saleh", "Ambo Dalle", "Bantilan", "Lataeya", "Rahman",
    "Gani", "Hidayat", "Santoso", "Wijaya", "Panggabean", "Sitorus", "Manoppo", "Pontoh",
)  # fmt: skip
JABATAN = (
    "Analis Kebijakan", "Pengelola Layanan Operasional", "Penata Kelola Sistem dan TI",
    "Analis Sumber Daya Manusia Aparatur", "Pranata Komputer", "Arsiparis", "Bendahara",
    "Pengadministrasi Perkantoran", "Perawat", "Bidan", "Guru", "Penyuluh Pertanian",
    "Kepala Seksi", "Kepala Subbagian", "Lurah", "Sekretaris Kelurahan", "Camat",
    "Pengawas Lingkungan Hidup", "Analis Keuangan Pusat dan Daerah", "Auditor",
)  # fmt: skip
PNS_GOLONGAN = ("II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b")
PPPK_GOLONGAN = ("V", "VII", "IX", "X", "XI")


def unit_names(count: int) -> list[str]:
    """`count` units kerja of Palu: dinas and badan, kecamatan, then kelurahan."""
    names = [*DINAS, *(f"Kecamatan {k}" for k in KECAMATAN), *(f"Kelurahan {k}" for k in KELURAHAN)]
    if count > len(names):
        names += [f"Unit Pelaksana Teknis {i}" for i in range(1, count - len(names) + 1)]
    return names[:count]


def make_nip(rng: random.Random, pppk: bool, taken: set[str], today: date) -> str:
    """A structurally valid, unused NIP (PNS) or NI PPPK."""
    while True:
        born = date(1964, 1, 1) + timedelta(days=rng.randrange(0, 365 * 37))
        gender = rng.choice("12")
        if pppk:
            year = rng.randint(max(2019, born.year + 19), min(today.year, 2024))
            middle = f"{year}21"
        else:
            first = born.year + 20
            year = rng.randint(first, max(first, min(today.year, born.year + 38, 2024)))
            middle = f"{year}{rng.randint(1, 12):02d}"
        prefix = f"{born:%Y%m%d}{middle}{gender}"
        for _ in range(5):
            candidate = f"{prefix}{rng.randint(1, 999):03d}"
            if candidate not in taken:
                nip_rules.parse(candidate, "PPPK" if pppk else "PNS")  # never store a bad one
                taken.add(candidate)
                return candidate
