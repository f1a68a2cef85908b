"""Validated input for the observation checklist and the follow-up interview (pure, no HTTP).

The checklist posts one field per behaviour, `perilaku-1` .. `perilaku-N` in the order of the
course's `perilaku_diamati`, each a level 1-4 (`LEVELS`); every behaviour must be rated.
Dates are typed as TAHUN-BULAN-HARI (a date field on phones), never in the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.evaluation.schemas import RawForm, _Reader
from app.i18n import gettext as _

LEVELS = (1, 2, 3, 4)
# The share of observations "at level 3 or above" (konsisten or teladan) the summary reports.
APPLIED_LEVEL = 3
OBSERVATION_NOTE_MAX = 2000
INTERVIEW_TEXT_MAX = 2000
SKILLS_MIN = 10
INTERVIEWEES = ("learner", "supervisor", "colleague", "other")


def level_labels() -> dict[int, str]:
    """The 4-level observation scale, in the current language."""
    return {
        1: _("Belum tampak"),
        2: _("Mulai tampak"),
        3: _("Konsisten"),
        4: _("Menjadi teladan"),
    }


def level_hints() -> dict[int, str]:
    """What each level means, shown under the scale so observers read it the same way."""
    return {
        1: _("perilaku ini belum terlihat dalam pekerjaan"),
        2: _("kadang terlihat, belum ajek"),
        3: _("terlihat ajek dalam pekerjaan sehari-hari"),
        4: _("ajek dan ditiru atau diajarkan kepada rekan kerja"),
    }


def interviewee_labels() -> dict[str, str]:
    """Who was interviewed, in the current language."""
    return {
        "learner": _("Pegawai yang mengikuti kursus"),
        "supervisor": _("Atasan langsung"),
        "colleague": _("Rekan kerja"),
        "other": _("Lainnya (pengguna layanan, bawahan)"),
    }


def behaviour_field(position: int) -> str:
    """The form field of the behaviour at `position` (1 for the first)."""
    return f"perilaku-{position}"


@dataclass(frozen=True)
class ObservationInput:
    levels: tuple[int, ...]  # one per behaviour, in order
    observed_on: date
    note: str | None


@dataclass(frozen=True)
class InterviewInput:
    interviewed_on: date
    interviewee: str
    skills_applied: str
    obstacles: str | None
    support_needed: str | None
    note: str | None


def _date(reader: _Reader, name: str, label: str, today: date) -> date:
    raw = reader._one(name, label)
    if name in reader.errors:
        return today
    if raw is None or not raw.strip():
        reader.errors[name] = _("{label} wajib diisi.").format(label=label)
        return today
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        reader.errors[name] = _(
            "{label} harus tanggal berbentuk TAHUN-BULAN-HARI, misalnya 2027-02-15."
        ).format(label=label)
        return today
    if value > today:
        reader.errors[name] = _("{label} tidak boleh sesudah hari ini.").format(label=label)
        return today
    return value


def parse_observation(form: RawForm, behaviours: Sequence[str], today: date) -> ObservationInput:
    """Every behaviour rated 1-4, the date observed (not in the future), an optional note."""
    reader = _Reader(form)
    levels: list[int] = []
    for position, _behaviour in enumerate(behaviours, start=1):
        name = behaviour_field(position)
        label = _("perilaku {n}").format(n=position)
        raw = reader._one(name, label)
        if name in reader.errors:
            levels.append(0)
            continue
        if raw is None or not raw.strip():
            reader.errors[name] = _("Pilih tingkat 1 sampai 4 untuk perilaku {n}.").format(
                n=position
            )
            levels.append(0)
            continue
        if raw.strip() not in {str(level) for level in LEVELS}:
            reader.errors[name] = _(
                "Tingkat perilaku {n} harus salah satu dari 1, 2, 3, atau 4."
            ).format(n=position)
            levels.append(0)
            continue
        levels.append(int(raw.strip()))
    observed_on = _date(reader, "observed_on", _("Tanggal pengamatan"), today)
    note = reader.text("note", _("Catatan"), max_length=OBSERVATION_NOTE_MAX)
    reader.done()
    return ObservationInput(tuple(levels), observed_on, note)


def parse_interview(form: RawForm, today: date) -> InterviewInput:
    """The interview: date (not in the future), with whom, skills applied (required), the rest."""
    reader = _Reader(form)
    interviewed_on = _date(reader, "interviewed_on", _("Tanggal wawancara"), today)
    interviewee = reader.choice("interviewee", _("siapa yang diwawancarai"), INTERVIEWEES)
    skills = reader.text(
        "skills_applied",
        _("Keterampilan yang diterapkan"),
        min_length=SKILLS_MIN,
        max_length=INTERVIEW_TEXT_MAX,
        required=True,
    )
    obstacles = reader.text("obstacles", _("Hambatan"), max_length=INTERVIEW_TEXT_MAX)
    support = reader.text(
        "support_needed", _("Dukungan yang diperlukan"), max_length=INTERVIEW_TEXT_MAX
    )
    note = reader.text("other_note", _("Catatan lain"), max_length=INTERVIEW_TEXT_MAX)
    reader.done()
    assert skills is not None  # required: reader.done() raised otherwise
    return InterviewInput(interviewed_on, interviewee, skills, obstacles, support, note)
