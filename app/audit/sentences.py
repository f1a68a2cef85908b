"""Audit events as sentences in Indonesian: one builder per action code, one fallback.

The audit page shows "Andi Fadli mengekspor 1.204 rekap penyelesaian, filter: unit Dinas
Sosial" instead of `export.completions {...}`; the raw detail stays behind a disclosure. A
builder reads only the event's details and the names the page looked up in one batch
(`Names`), so rendering a page is a fixed number of queries. An action without a builder (a
new code, or one recorded by an older version) still reads as a sentence with its code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.i18n import gettext as _
from app.learning.grading import score_percent


@dataclass(frozen=True)
class Names:
    """Names of the units and people the events on one page refer to, by id."""

    units: Mapping[int, str] = field(default_factory=dict)
    users: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """What a builder needs of one audit event."""

    action: str
    actor: str  # the actor's name, or "Sistem/CLI"
    target_type: str | None
    target_id: str | None
    details: Mapping[str, Any]
    names: Names


def number(value: object) -> str:
    """An integer the Indonesian way: 1.204."""
    try:
        return f"{int(str(value)):,}".replace(",", ".")
    except ValueError:
        return str(value)


def unit_ids(details: Mapping[str, Any]) -> Iterable[int]:
    """Unit ids a builder may name (so the page can look them up at once)."""
    filters = details.get("filters")
    for source in (details, filters if isinstance(filters, Mapping) else {}):
        value = source.get("unit_id")
        if isinstance(value, int):
            yield value


def user_ids(
    target_type: str | None, target_id: str | None, details: Mapping[str, Any]
) -> Iterable[int]:
    """User ids a builder may name."""
    if target_type == "user" and target_id and target_id.isdigit():
        yield int(target_id)
    value = details.get("user_id")
    if isinstance(value, int):
        yield value


def _person(event: Event) -> str:
    """The person the event is about, by name when the page knows it."""
    user_id: object = event.details.get("user_id")
    if user_id is None and event.target_type == "user" and event.target_id:
        user_id = int(event.target_id) if event.target_id.isdigit() else None
    if isinstance(user_id, int) and user_id in event.names.users:
        return event.names.users[user_id]
    return _("pegawai #{id}").format(id=user_id) if user_id is not None else _("seorang pegawai")


def _filters(event: Event) -> str:
    """ ", filter: unit Dinas Sosial, tahun 2026" or "" when the export was unfiltered."""
    raw = event.details.get("filters")
    if not isinstance(raw, Mapping):
        return ""
    labels = {
        "from": _("dari {value}"),
        "to": _("sampai {value}"),
        "course": _("kursus {value}"),
        "status": _("status {value}"),
        "year": _("tahun {value}"),
        "nip": _("NIP {value}"),
    }
    parts: list[str] = []
    for key, value in raw.items():
        if value in (None, "", False):
            continue
        if key == "unit_id":
            unit = event.names.units.get(value) if isinstance(value, int) else None
            parts.append(_("unit {value}").format(value=unit or f"#{value}"))
        elif key == "below_target_only":
            parts.append(_("hanya yang kurang dari target"))
        elif key in labels:
            parts.append(labels[key].format(value=value))
        else:
            parts.append(f"{key} {value}")
    return _(", filter: {filters}").format(filters=", ".join(parts)) if parts else ""


def _export(what: Callable[[], str]) -> Callable[[Event], str]:
    def build(event: Event) -> str:
        rows = event.details.get("rows")
        fmt = str(event.details.get("format") or "").upper()
        text = (
            _("{actor} mengekspor {count} {what}").format(
                actor=event.actor, count=number(rows), what=what()
            )
            if rows is not None
            else _("{actor} mengekspor {what}").format(actor=event.actor, what=what())
        )
        if fmt:
            text += f" ({fmt})"
        if event.details.get("via") == "api":
            text += _(" lewat API")
        return text + _filters(event)

    return build


def _fill(template: str, event: Event) -> str:
    """`template` (translated when the page renders) with {actor}, {person}, {target} and the
    event's own details; the fallback when a detail it names is missing."""
    values = {str(k): v for k, v in event.details.items() if not isinstance(v, Mapping)}
    values.update(actor=event.actor, person=_person(event), target=event.target_id or "-")
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return fallback(event)


def _roster(event: Event) -> str:
    d = event.details
    return _(
        "{actor} mengimpor daftar pegawai {file}: {created} baru, {updated} diperbarui, "
        "{skipped} baris dilewati"
    ).format(
        actor=event.actor,
        file=d.get("filename", ""),
        created=number(d.get("created", 0)),
        updated=number(d.get("updated", 0)),
        skipped=number(d.get("skipped", 0)),
    )


def _roles(event: Event) -> str:
    before = ", ".join(event.details.get("before") or []) or "-"
    after = ", ".join(event.details.get("after") or []) or "-"
    return _("{actor} mengubah peran {person} dari {before} menjadi {after}").format(
        actor=event.actor, person=_person(event), before=before, after=after
    )


def _job(event: Event) -> str:
    before = event.details.get("before")
    after = event.details.get("after")
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return fallback(event)
    labels = {"unit": _("unit kerja"), "jabatan": _("jabatan"), "golongan": _("golongan")}
    changes = "; ".join(
        _("{field} dari {old} menjadi {new}").format(
            field=labels.get(str(key), str(key)),
            old=before.get(key) or "-",
            new=value or "-",
        )
        for key, value in after.items()
    )
    return _("{actor} mengubah data {person}: {changes}").format(
        actor=event.actor, person=_person(event), changes=changes
    )


def _class_trainer(event: Event) -> str:
    if event.details.get("user_id") is None:
        return _fill(
            _("{actor} mengosongkan pelatih penanggung jawab kelas #{target} (dikelola BKPSDM)"),
            event,
        )
    return _fill(
        _("{actor} menetapkan {person} sebagai pelatih penanggung jawab kelas #{target}"), event
    )


def _class_finalised(event: Event) -> str:
    text = _fill(
        _(
            "{actor} memfinalkan kelas #{target}: {credited} peserta mendapat JP, "
            "{not_qualified} tidak memenuhi syarat"
        ),
        event,
    )
    awaiting = event.details.get("awaiting_post_test")
    if isinstance(awaiting, int) and awaiting > 0:
        text += _(", {n} menunggu lulus post-test").format(n=awaiting)
    return text


def _quiz(event: Event) -> str:
    d = event.details
    score = d.get("score")
    if not isinstance(score, int | float) or not 0 <= score <= 1:
        return fallback(event)
    text = _("{actor} mengerjakan kuis {quiz} (percobaan ke-{number}), nilai {percent}%").format(
        actor=event.actor,
        quiz=d.get("quiz_key", "-"),
        number=d.get("number", "-"),
        percent=score_percent(float(score)),
    )
    return text + (_(", terlambat") if d.get("late") else "")


def _assignment(event: Event) -> str:
    d = event.details
    text = _("{actor} menugaskan kursus {course} kepada {count} orang, batas {due}").format(
        actor=event.actor,
        course=event.target_id or "-",
        count=number(d.get("people", 0)),
        due=d.get("due_on", "-"),
    )
    unit_id = d.get("unit_id")
    if isinstance(unit_id, int):
        text += _(" (unit {unit})").format(unit=event.names.units.get(unit_id, f"#{unit_id}"))
    return text


BUILDERS: dict[str, Callable[[Event], str]] = {
    "auth.login": lambda e: _fill(_("{actor} masuk"), e),
    "user.created": lambda e: _fill(_("{actor} membuat akun {person}"), e),
    "user.password_set": lambda e: _fill(_("{actor} mengatur kata sandi {person}"), e),
    "user.roles_changed": _roles,
    "user.activated": lambda e: _fill(_("{actor} mengaktifkan akun {person}"), e),
    "user.deactivated": lambda e: _fill(_("{actor} menonaktifkan akun {person}"), e),
    "user.job_changed": _job,
    "user.unlocked": lambda e: _fill(_("{actor} membuka kunci akun {person}"), e),
    "user.reset_link_issued": lambda e: _fill(
        _("{actor} membuat tautan atur ulang sandi untuk {person}"), e
    ),
    "user.phone_changed": lambda e: _fill(_("{actor} mengubah nomor HP (WhatsApp) {person}"), e),
    "user.email_reminders_changed": lambda e: _fill(
        _("{actor} menyalakan pengingat email {person}")
        if e.details.get("email_reminders")
        else _("{actor} mematikan pengingat email {person}"),
        e,
    ),
    "roster.imported": _roster,
    "export.completions": _export(lambda: _("rekap penyelesaian")),
    "export.jp_compliance": _export(lambda: _("rekap capaian JP")),
    "export.siasn_batch": _export(lambda: _("baris riwayat kursus SIASN")),
    "export.evaluation_overview": lambda e: _fill(
        _("{actor} mengekspor evaluasi {courses} kursus"), e
    ),
    "export.learning_record": lambda e: _fill(_("{actor} mengunduh riwayat belajar {person}"), e),
    "api_token.created": lambda e: _fill(_("{actor} membuat token API {target} ({name})"), e),
    "api_token.revoked": lambda e: _fill(_("{actor} mencabut token API {target}"), e),
    "assignment.created": _assignment,
    "assignment.redated": lambda e: _fill(
        _("{actor} mengubah batas penugasan {person} dari {old_due_on} menjadi {due_on}"), e
    ),
    "assignment.cancelled": lambda e: _fill(
        _("{actor} membatalkan penugasan {person} (batas {due_on}): {reason}"), e
    ),
    "path.created": lambda e: _fill(_("{actor} membuat jalur belajar {path}"), e),
    "path.updated": lambda e: _fill(_("{actor} mengubah jalur belajar {path}"), e),
    "path.deleted": lambda e: _fill(
        _("{actor} menghapus jalur belajar {path} ({cancelled} penugasan terbuka dibatalkan)"), e
    ),
    "path.assigned": lambda e: _fill(
        _("{actor} menugaskan {courses} kursus jalur {path} kepada {person}, batas {due_on}"),
        e,
    ),
    # Blended classes (app/classes): the target is the class session's id.
    "class.scheduled": lambda e: _fill(
        _("{actor} menjadwalkan kelas #{target} ({capacity} kursi)"), e
    ),
    "class.edited": lambda e: _fill(_("{actor} mengubah kelas #{target}"), e),
    "class.trainer_changed": _class_trainer,
    "class.behaviours_set": lambda e: _fill(
        _("{actor} menetapkan {count} perilaku yang diamati untuk kelas #{target}"), e
    ),
    "class.cancelled": lambda e: _fill(_("{actor} membatalkan kelas #{target}: {reason}"), e),
    "class.registered": lambda e: _fill(_("{actor} mendaftarkan {person} di kelas #{target}"), e),
    "class.unregistered": lambda e: _fill(
        _("{actor} membatalkan pendaftaran {person} di kelas #{target}"), e
    ),
    "class.promoted": lambda e: _fill(
        _("{person} mendapat kursi kelas #{target} dari daftar tunggu"), e
    ),
    "class.checked_in": lambda e: _fill(_("{person} mengisi presensi kelas #{target}"), e),
    "class.marked": lambda e: _fill(_("{actor} menandai kehadiran {person} di kelas #{target}"), e),
    "class.credited": lambda e: _fill(
        _("{actor} mencatat {jp} JP kelas #{target} untuk {person}"), e
    ),
    "class.finalised": _class_finalised,
    "class.post_test_credited": lambda e: _fill(
        _("{person} lulus post-test kelas #{target} dan mendapat {jp} JP"), e
    ),
    "completion.recorded": lambda e: _fill(_("{actor} menyelesaikan kursus {target} ({jp} JP)"), e),
    "certificate.issued": lambda e: _fill(_("Sertifikat {target} terbit untuk {actor}"), e),
    "certificate.revoked": lambda e: _fill(_("{actor} mencabut sertifikat {target}"), e),
    "certificate.reissued": lambda e: _fill(
        _("{actor} menerbitkan ulang sertifikat {replaces} sebagai {target}"), e
    ),
    "quiz.attempt_graded": _quiz,
    "learning.external_submitted": lambda e: _fill(
        _("{actor} melaporkan pembelajaran di luar Lentera ({jp} JP)"), e
    ),
    "learning.external_verified": lambda e: _fill(
        _("{actor} memverifikasi pembelajaran di luar Lentera milik {person} ({jp} JP)"), e
    ),
    "learning.external_rejected": lambda e: _fill(
        _("{actor} menolak pembelajaran di luar Lentera milik {person}"), e
    ),
    "content.version_created": lambda e: _fill(
        _("{actor} membuat versi {version} kursus {target}"), e
    ),
    "content.published": lambda e: _fill(
        _("{actor} menerbitkan versi {version} kursus {target}"), e
    ),
    "content.rolled_back": lambda e: _fill(
        _("{actor} mengembalikan kursus {target} dari versi {from_version} ke {to_version}"), e
    ),
    "content.archived": lambda e: _fill(_("{actor} mengarsipkan kursus {target}"), e),
    "content.unarchived": lambda e: _fill(_("{actor} mengaktifkan kembali kursus {target}"), e),
    "evaluation.survey_submitted": lambda e: _fill(_("{actor} mengisi survei reaksi"), e),
    "evaluation.action_plan_saved": lambda e: _fill(_("{actor} menyimpan rencana aksi"), e),
    "evaluation.follow_up_reported": lambda e: _fill(
        _("{actor} melaporkan tindak lanjut rencana aksi"), e
    ),
    "evaluation.supervisor_link_issued": lambda e: _fill(
        _("{actor} membuat tautan konfirmasi untuk atasan"), e
    ),
    "evaluation.supervisor_link_locked": lambda e: _fill(
        _("Tautan konfirmasi atasan untuk rencana aksi {target} dikunci setelah NIP salah"), e
    ),
    "evaluation.supervisor_self_confirmation_refused": lambda e: _fill(
        _("Konfirmasi atasan oleh pegawai sendiri ditolak (rencana aksi {target})"), e
    ),
    "evaluation.supervisor_confirmed": lambda e: _fill(
        _("Atasan mengonfirmasi rencana aksi {target}"), e
    ),
    # Events since observations are per completion name the course or class (KELAS-12).
    "evaluation.observation_recorded": lambda e: _fill(
        _("{actor} mengisi pengamatan perilaku {person} untuk {subject}")
        if "subject" in e.details
        else _("{actor} mengisi pengamatan perilaku {person}"),
        e,
    ),
    "evaluation.observation_updated": lambda e: _fill(
        _("{actor} mengubah pengamatan perilaku {person} untuk {subject}")
        if "subject" in e.details
        else _("{actor} mengubah pengamatan perilaku {person}"),
        e,
    ),
    "evaluation.interview_recorded": lambda e: _fill(
        _("{actor} mencatat wawancara tindak lanjut tentang {person} untuk {subject}")
        if "subject" in e.details
        else _("{actor} mencatat wawancara tindak lanjut tentang {person}"),
        e,
    ),
    "privacy.exported": lambda e: _fill(_("{actor} mengunduh data pribadi {person}"), e),
    "privacy.anonymised": lambda e: _fill(_("{actor} menganonimkan data {person}"), e),
    "database.backed_up": lambda e: _fill(_("{actor} mencadangkan basis data ke {file}"), e),
    "database.restored": lambda e: _fill(_("{actor} memulihkan basis data dari {file}"), e),
}


def fallback(event: Event) -> str:
    """A sentence for an action no builder knows: who, the code and the target."""
    target = f" · {event.target_type} {event.target_id}" if event.target_type else ""
    return _("{actor} melakukan {action}{target}").format(
        actor=event.actor, action=event.action, target=target
    )


def sentence(event: Event) -> str:
    """The event in words."""
    build = BUILDERS.get(event.action, fallback)
    return build(event)
