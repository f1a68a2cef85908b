"""Where Lentera keeps data about a person, and what the export and anonymisation do with it.

Every column that points at `users.id` is listed here. A test compares this list with the
schema, so a new table that references a user cannot be added without deciding whether it is
exported and what anonymisation does to it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """How one `users.id` reference is handled."""

    # The section of data.json holding these rows, or None when they are not exported.
    section: str | None
    # What anonymisation does to the rows (or the reference), in one line.
    anonymised: str
    # True when the rows belong to the person (their learning, their logins), False when the
    # column only records them as the actor on somebody else's row (HR assigning, a reviewer).
    owned: bool = True
    # Why the rows are not exported, when `section` is None.
    reason: str = ""


USER_LINKS: dict[str, Link] = {
    "user_roles.user_id": Link("roles", "reduced to learner: an anonymous account has no rights"),
    "auth_sessions.user_id": Link("login_sessions", "deleted: every session ends"),
    "password_reset_tokens.user_id": Link("password_reset_links", "deleted"),
    "enrolments.user_id": Link("enrolments", "kept for course statistics"),
    "assignments.user_id": Link("assignments", "kept; the note is blanked"),
    "module_progress.user_id": Link("module_progress", "kept for course statistics"),
    "progress_events.user_id": Link("progress_events", "kept (ids, modules and times only)"),
    "quiz_attempts.user_id": Link("quiz_attempts", "kept: answers and scores feed item analysis"),
    "completions.user_id": Link("completions", "kept: completions and JP are statistics"),
    "class_registrations.user_id": Link(
        "class_registrations", "kept: registrations and attendance are class statistics"
    ),
    "external_learning.user_id": Link(
        "external_learning",
        "verified/rejected rows kept for JP totals without the file, certificate number or "
        "reviewer's reason; pending rows deleted",
    ),
    "reaction_surveys.user_id": Link("reaction_surveys", "kept: scales kept, comment blanked"),
    "action_plans.user_id": Link(
        "action_plans",
        "kept: statuses, verdicts and dates kept; plan, notes and the supervisor's name, NIP, "
        "jabatan and comment blanked",
    ),
    "observations.user_id": Link(
        "observations",
        "kept: levels, behaviours and dates feed the course's figures; the note blanked",
    ),
    "follow_up_interviews.user_id": Link(
        "follow_up_interviews",
        "kept: date and whom were interviewed; everything that was said blanked",
    ),
    "course_trainers.user_id": Link("courses_owned", "kept: course ownership is not personal"),
    "reminder_deliveries.user_id": Link(
        "reminders", "kept as the sent log; the old e-mail address is removed from each row"
    ),
    "audit_events.actor_id": Link(
        "audit_events", "kept; the old NIP, name and e-mail are replaced in the details"
    ),
    # The person as the actor on other people's rows: those rows are the other people's data.
    "assignments.assigned_by_id": Link(
        None,
        "kept (the reference now points at an anonymous account)",
        owned=False,
        reason="assignments this person made for others; the audit trail lists them",
    ),
    "certificates.revoked_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="other people's certificates this person revoked; in the audit trail",
    ),
    "external_learning.reviewed_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="other people's submissions this person reviewed; in the audit trail",
    ),
    "course_versions.created_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="course versions this trainer uploaded: content, not data about the person; "
        "publishing is in the audit trail",
    ),
    "course_versions.published_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="course versions this trainer published; in the audit trail",
    ),
    "siasn_export_batches.actor_id": Link(
        None,
        "kept (the reference now points at an anonymous account)",
        owned=False,
        reason="SIASN exports this HR officer downloaded about other people; in the audit trail",
    ),
    "observations.observer_id": Link(
        None,
        "kept (the reference now points at an anonymous account)",
        owned=False,
        reason="observations this person made of other people's work: their data; in the "
        "audit trail",
    ),
    "follow_up_interviews.interviewer_id": Link(
        None,
        "kept (the reference now points at an anonymous account)",
        owned=False,
        reason="interviews this person recorded about other people: their data; in the audit trail",
    ),
    "class_sessions.created_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="class sessions this trainer or HR officer scheduled; in the audit trail",
    ),
    "class_sessions.trainer_id": Link(
        None,
        "kept",
        owned=False,
        reason="class sessions this trainer is responsible for; HR can name another trainer",
    ),
    "class_registrations.marked_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="other people's attendance this trainer marked by hand; in the audit trail",
    ),
    "api_tokens.created_by_id": Link(
        None,
        "kept",
        owned=False,
        reason="API tokens this person created for HR systems; in the audit trail",
    ),
}

# Data about the person that is linked to them otherwise than by a `users.id` column.
INDIRECT_LINKS: dict[str, str] = {
    "users": "profile, unit: the person's own row",
    "units": "unit: through users.unit_id",
    "certificates": "certificates: through completions, with their signed PDFs in the archive; "
    "frozen name and NIP blanked in the columns and the snapshot, the stored PDF deleted",
    "login_failures": "login_failures: keyed 'nip:<NIP>', or the NIP tried from "
    "an address in `nip`; deleted",
    "blobs": "files/: the external-learning files and the signed certificate PDFs; deleted "
    "unless another row uses the bytes",
    "action_plans": "supervisor_confirmations_given: other people's plans naming the person as "
    "supervisor (action_plans.supervisor_nip); their name, NIP and jabatan blanked there and "
    "unanswered links voided, the verdicts kept",
}
