"""The scheduling form: raw text in, checked `SessionValues` or per-field messages out.

Dates and times are typed in local time (app.clock, WITA by default) and stored in UTC. A
session that delivers a course takes the course's JP and category (from its published
version); a stand-alone pelatihan klasikal needs its own, and may list the behaviours its
attendees are observed on afterwards (Kirkpatrick level 3; a course's come from its
`perilaku_diamati`), one per line, by the same rule as `perilaku_diamati`
(app/content/format/observed.py: 1 to 10 sentences of 10 to 200 characters, none twice).
Only a session of a course with a final test may require it as a post-test
(app.classes.post_test).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from app import clock
from app.classes.models import ClassSession
from app.classes.service import CATEGORIES, SessionValues
from app.content.catalog import CourseView
from app.content.format.observed import MAX_BEHAVIOURS, MAX_CHARS, MIN_CHARS
from app.content.format.specs import FINAL_TEST_KEY
from app.i18n import gettext as _

MAX_JP = 200
MAX_CAPACITY = 10_000
MAX_LATE_MINUTES = 240


@dataclass(frozen=True)
class SessionForm:
    """The form's raw text, kept to show it again when something is wrong."""

    title: str = ""
    description: str = ""
    course_code: str = ""
    jp: str = ""
    category: str = ""
    day: str = ""  # YYYY-MM-DD, local
    start: str = ""  # HH:MM, local
    end: str = ""
    place: str = ""
    online_url: str = ""
    capacity: str = "30"
    registration: str = "open"
    late_minutes: str = ""
    post_test: str = ""  # "1": the session requires the course's final test
    behaviours: str = ""  # one per line (a stand-alone class's observed behaviours)

    @classmethod
    def of(cls, row: ClassSession, course_code: str) -> SessionForm:
        start, end = clock.local(row.starts_at), clock.local(row.ends_at)
        return cls(
            title=row.title, description=row.description, course_code=course_code,
            jp=str(row.jp), category=row.category, day=start.date().isoformat(),
            start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), place=row.place,
            online_url=row.online_url, capacity=str(row.capacity),
            registration=row.registration,
            late_minutes="" if row.late_after_minutes is None else str(row.late_after_minutes),
            post_test="1" if row.post_test_required else "",
            behaviours="\n".join(row.observed_behaviours or ()),
        )  # fmt: skip


def _number(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def parse_behaviours(text: str) -> tuple[list[str] | None, str | None]:
    """The behaviours typed one per line (spaces tidied, blank lines skipped), None when
    nothing is typed; or the first problem, in words."""
    items = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if not items:
        return None, None
    if len(items) > MAX_BEHAVIOURS:
        return None, _(
            "Daftar perilaku memuat {n} butir; paling banyak {max}. Pilih perilaku yang paling "
            "penting agar daftar periksa pengamatan tetap singkat."
        ).format(n=len(items), max=MAX_BEHAVIOURS)
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        if not MIN_CHARS <= len(item) <= MAX_CHARS:
            return None, _(
                "Perilaku ke-{n} terdiri dari {length} karakter; tulis satu kalimat "
                "{low} sampai {high} karakter yang menyebut tindakan yang dapat dilihat di "
                "tempat kerja."
            ).format(n=number, length=len(item), low=MIN_CHARS, high=MAX_CHARS)
        if item.casefold() in seen:
            return None, _(
                "Perilaku ke-{n} sama dengan perilaku ke-{first}. Hapus salah satunya."
            ).format(n=number, first=seen[item.casefold()])
        seen[item.casefold()] = number
    return items, None


def _local(day: date, text: str) -> datetime | None:
    try:
        moment = time.fromisoformat(text.strip())
    except ValueError:
        return None
    return datetime.combine(day, moment.replace(second=0), clock.zone()).astimezone(UTC)


def validate(
    form: SessionForm, courses: dict[str, CourseView]
) -> tuple[SessionValues | None, dict[str, str]]:
    """The session's values, or per-field messages (then nothing may change)."""
    errors: dict[str, str] = {}
    title = " ".join(form.title.split())
    if not title:
        errors["title"] = _("Judul kelas wajib diisi.")
    course = courses.get(form.course_code.strip()) if form.course_code.strip() else None
    jp, category = None, form.category
    if form.course_code.strip() and course is None:
        errors["course_code"] = _("Kursus dengan kode itu tidak ada atau belum terbit.")
    elif course is not None:
        jp, category = course.jp, course.category
    else:
        jp = _number(form.jp, 1, MAX_JP)
        if jp is None:
            errors["jp"] = _("JP harus bilangan bulat 1 sampai {max}.").format(max=MAX_JP)
        if category not in CATEGORIES:
            errors["category"] = _(
                "Pilih kategori kompetensi: teknis, manajerial, atau sosial kultural."
            )
    starts_at = ends_at = None
    try:
        day = date.fromisoformat(form.day.strip())
    except ValueError:
        errors["day"] = _("Tanggal harus berbentuk TTTT-BB-HH, misalnya 2026-12-15.")
    else:
        starts_at, ends_at = _local(day, form.start), _local(day, form.end)
        if starts_at is None or ends_at is None:
            errors["time"] = _("Jam mulai dan selesai harus berbentuk JJ:MM, misalnya 08:30.")
        elif ends_at <= starts_at:
            errors["time"] = _("Jam selesai harus setelah jam mulai.")
    place, online_url = " ".join(form.place.split()), form.online_url.strip()
    if not place and not online_url:
        errors["place"] = _("Isi tempat atau tautan daring (atau keduanya).")
    if online_url and not online_url.startswith(("https://", "http://")):
        errors["online_url"] = _("Tautan daring harus diawali https://.")
    capacity = _number(form.capacity, 1, MAX_CAPACITY)
    if capacity is None:
        errors["capacity"] = _("Kapasitas harus bilangan bulat 1 sampai {max}.").format(
            max=MAX_CAPACITY
        )
    if form.registration not in ("open", "assigned"):
        errors["registration"] = _("Pilih cara pendaftaran: terbuka atau melalui penugasan.")
    late: int | None = None
    if form.late_minutes.strip():
        late = _number(form.late_minutes, 0, MAX_LATE_MINUTES)
        if late is None:
            errors["late_minutes"] = _(
                "Toleransi keterlambatan harus 0 sampai {max} menit."
            ).format(max=MAX_LATE_MINUTES)
    post_test = form.post_test == "1"
    if post_test and (course is None or course.quiz(FINAL_TEST_KEY) is None):
        errors["post_test"] = _(
            "Post-test hanya untuk kelas sebuah kursus yang memiliki tes akhir: isi kode kursus "
            "itu atau hapus centang post-test."
        )
    behaviours, problem = parse_behaviours(form.behaviours)
    if problem:
        errors["behaviours"] = problem
    elif behaviours and course is not None:
        errors["behaviours"] = _(
            "Kelas sebuah kursus memakai perilaku_diamati kursus itu; kosongkan daftar perilaku."
        )
    if errors:
        return None, errors
    assert jp is not None and starts_at is not None and ends_at is not None and capacity
    return SessionValues(
        title=title[:300], description=form.description.strip(),
        course_id=course.course_id if course else None, jp=jp, category=category,
        starts_at=starts_at, ends_at=ends_at, place=place[:300], online_url=online_url[:500],
        capacity=capacity, registration=form.registration, late_after_minutes=late,
        post_test_required=post_test,
        observed_behaviours=behaviours,
    ), {}  # fmt: skip
