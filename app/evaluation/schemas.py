"""Validated input for the evaluation forms: raw posted fields in, typed values or messages out.

Parsing is pure (no database, no HTTP) so every rule is tested directly. Forms are read as lists
of values per field because a field sent twice is refused rather than silently resolved: our own
pages never do it, so it is a tampered or broken request, and guessing which value was meant
could store an answer the learner did not give.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.accounts import nip as nip_rules
from app.evaluation.confirmation import VERDICTS
from app.i18n import gettext as _

COMMENT_MAX = 2000
PLAN_MIN = 20
PLAN_MAX = 2000
NOTE_MAX = 2000
SUPERVISOR_NAME_MAX = 200  # the column's length
SUPERVISOR_JABATAN_MAX = 200  # the column's length

FOLLOW_UP_STATUSES = ("applied", "partly", "not_applied")
SUPERVISOR_VERDICTS = VERDICTS
_SCALE_VALUES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
# Control characters other than tab and newline: PostgreSQL refuses NUL in text outright, and
# none of them can be typed into a form, so they are dropped rather than stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

RawForm = Mapping[str, Sequence[str]]


class InvalidInput(Exception):
    """What is wrong with a form, one message per field, in the order the form shows them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Scale:
    name: str
    question: str
    short: str  # how messages name the scale
    options: tuple[tuple[int, str], ...]


def scales() -> tuple[Scale, ...]:
    """The three reaction scales with their labels, in the current language."""
    return (
        Scale(
            "relevance",
            _("Seberapa relevan kursus ini dengan pekerjaan Anda?"),
            _("relevansi"),
            (
                (1, _("1 — sangat tidak relevan")),
                (2, _("2 — tidak relevan")),
                (3, _("3 — cukup relevan")),
                (4, _("4 — relevan")),
                (5, _("5 — sangat relevan")),
            ),
        ),
        Scale(
            "quality",
            _("Bagaimana mutu materi dan penyajian kursus ini?"),
            _("mutu kursus"),
            (
                (1, _("1 — sangat buruk")),
                (2, _("2 — buruk")),
                (3, _("3 — cukup")),
                (4, _("4 — baik")),
                (5, _("5 — sangat baik")),
            ),
        ),
        Scale(
            "applicability",
            _("Seberapa mudah isi kursus ini diterapkan dalam pekerjaan Anda?"),
            _("kemudahan penerapan"),
            (
                (1, _("1 — sangat sulit diterapkan")),
                (2, _("2 — sulit diterapkan")),
                (3, _("3 — cukup mudah diterapkan")),
                (4, _("4 — mudah diterapkan")),
                (5, _("5 — sangat mudah diterapkan")),
            ),
        ),
    )


def follow_up_labels() -> dict[str, str]:
    """How the learner's follow-up statuses read, in the current language."""
    return {
        "applied": _("Sudah diterapkan"),
        "partly": _("Sebagian diterapkan"),
        "not_applied": _("Belum diterapkan"),
    }


def verdict_labels() -> dict[str, str]:
    """How the supervisor's verdicts (the 4-level scale) read, in the current language."""
    return {
        "none": _("Tidak diterapkan"),
        "partly": _("Sebagian diterapkan"),
        "mostly": _("Sebagian besar diterapkan"),
        "fully": _("Sepenuhnya diterapkan"),
    }


@dataclass(frozen=True)
class SurveyInput:
    relevance: int
    quality: int
    applicability: int
    comment: str | None


@dataclass(frozen=True)
class PlanInput:
    plan: str
    supervisor_name: str | None


@dataclass(frozen=True)
class FollowUpInput:
    status: str
    note: str | None


@dataclass(frozen=True)
class SupervisorInput:
    verdict: str
    comment: str | None


@dataclass(frozen=True)
class SupervisorBindingInput:
    """Who the learner names as their supervisor when creating the link."""

    nip: str  # 18 digits, structure checked
    name: str | None  # required unless the NIP is in the roster (checked by the service)
    jabatan: str | None


class _Reader:
    """Reads one field at a time, collecting a message per bad field instead of stopping."""

    def __init__(self, form: RawForm) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def _one(self, name: str, label: str) -> str | None:
        values = self.form.get(name, ())
        if len(values) > 1:
            self.errors[name] = _(
                "Isian “{label}” terkirim lebih dari sekali. Muat ulang halaman, lalu kirim "
                "formulir sekali lagi."
            ).format(label=label)
            return None
        return values[0] if values else None

    def scale(self, scale: Scale) -> int:
        raw = self._one(scale.name, scale.short)
        if scale.name in self.errors:
            return 0
        if raw is None or not raw.strip():
            self.errors[scale.name] = _("Pilih nilai 1 sampai 5 untuk {label}.").format(
                label=scale.short
            )
            return 0
        value = _SCALE_VALUES.get(raw.strip())
        if value is None:
            self.errors[scale.name] = _(
                "Nilai {label} harus salah satu dari 1, 2, 3, 4, atau 5."
            ).format(label=scale.short)
            return 0
        return value

    def choice(self, name: str, label: str, allowed: Sequence[str]) -> str:
        raw = self._one(name, label)
        if name in self.errors:
            return ""
        if raw is None or not raw.strip():
            self.errors[name] = _("Pilih {label}.").format(label=label)
            return ""
        if raw.strip() not in allowed:
            self.errors[name] = _("Pilihan untuk {label} tidak dikenal. Pilih salah satu.").format(
                label=label
            )
            return ""
        return raw.strip()

    def text(
        self,
        name: str,
        label: str,
        *,
        max_length: int,
        min_length: int = 0,
        required: bool = False,
        single_line: bool = False,
    ) -> str | None:
        raw = self._one(name, label)
        if name in self.errors:
            return None
        # Browsers send line breaks as CRLF while `maxlength` counts them as one character:
        # normalise first so text the form accepted is never refused for its length here.
        value = _CONTROL.sub("", (raw or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
        if single_line:
            value = " ".join(value.split())
        if not value:
            if required:
                self.errors[name] = _("{label} wajib diisi.").format(label=label)
            return None
        if len(value) > max_length:
            self.errors[name] = _(
                "{label} terlalu panjang: {count} karakter, paling banyak {max} karakter."
            ).format(label=label, count=len(value), max=max_length)
            return None
        if len(value) < min_length:
            self.errors[name] = _(
                "{label} terlalu singkat: {count} karakter, paling sedikit {min} karakter. "
                "Tuliskan lebih rinci apa yang akan Anda lakukan."
            ).format(label=label, count=len(value), min=min_length)
            return None
        return value

    def nip(self, name: str, label: str) -> str:
        raw = self._one(name, label)
        if name in self.errors:
            return ""
        if raw is None or not raw.strip():
            self.errors[name] = _("{label} wajib diisi.").format(label=label)
            return ""
        try:
            return nip_rules.parse(raw).nip
        except nip_rules.InvalidNIP as exc:
            self.errors[name] = str(exc)
            return ""

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def parse_survey(form: RawForm) -> SurveyInput:
    """The reaction survey: three 1-5 scales and an optional comment."""
    reader = _Reader(form)
    values = {scale.name: reader.scale(scale) for scale in scales()}
    comment = reader.text("comment", _("Komentar"), max_length=COMMENT_MAX)
    reader.done()
    return SurveyInput(comment=comment, **values)


def parse_plan(form: RawForm) -> PlanInput:
    """The action plan: what will be applied at work, and the supervisor's name (optional)."""
    reader = _Reader(form)
    plan = reader.text(
        "plan", _("Rencana aksi"), min_length=PLAN_MIN, max_length=PLAN_MAX, required=True
    )
    supervisor = reader.text(
        "supervisor_name",
        _("Nama atasan"),
        max_length=SUPERVISOR_NAME_MAX,
        single_line=True,
    )
    reader.done()
    assert plan is not None  # required: reader.done() raised otherwise
    return PlanInput(plan=plan, supervisor_name=supervisor)


def parse_follow_up(form: RawForm) -> FollowUpInput:
    """The learner's follow-up: applied / partly / not applied, and an optional note."""
    reader = _Reader(form)
    status = reader.choice("status", _("hasil penerapan"), FOLLOW_UP_STATUSES)
    note = reader.text("note", _("Catatan"), max_length=NOTE_MAX)
    reader.done()
    return FollowUpInput(status=status, note=note)


def parse_supervisor_binding(form: RawForm) -> SupervisorBindingInput:
    """The supervisor the link is for: their NIP (validated as a NIP), name and jabatan."""
    reader = _Reader(form)
    nip = reader.nip("supervisor_nip", _("NIP atasan"))
    name = reader.text(
        "supervisor_name", _("Nama atasan"), max_length=SUPERVISOR_NAME_MAX, single_line=True
    )
    jabatan = reader.text(
        "supervisor_jabatan",
        _("Jabatan atasan"),
        max_length=SUPERVISOR_JABATAN_MAX,
        single_line=True,
    )
    reader.done()
    return SupervisorBindingInput(nip=nip, name=name, jabatan=jabatan)


def parse_own_nip(form: RawForm) -> str:
    """The NIP the supervisor types on the link to show who they are."""
    reader = _Reader(form)
    nip = reader.nip("nip", _("NIP Anda"))
    reader.done()
    return nip


def parse_supervisor(form: RawForm) -> SupervisorInput:
    """The supervisor's verdict on the 4-level scale, and an optional comment."""
    reader = _Reader(form)
    verdict = reader.choice("verdict", _("penilaian Anda"), SUPERVISOR_VERDICTS)
    comment = reader.text("comment", _("Komentar"), max_length=COMMENT_MAX)
    reader.done()
    return SupervisorInput(verdict=verdict, comment=comment)
