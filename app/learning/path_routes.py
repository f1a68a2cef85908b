"""HR's pages for learning paths (jalur belajar): the list, the form, one path's completion per
unit kerja, and deleting a path (after a confirmation page). Saving a path syncs its
assignments at once (app.learning.paths)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts import golongan
from app.accounts.golongan import InvalidGolongan
from app.accounts.models import EmployeeType, Unit
from app.audit import service as audit
from app.content import path_problems
from app.content.routes import Cache
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.learning import paths
from app.learning.models import LearningPath
from app.web import confirm
from app.web.deps import CsrfChecked, HRUser
from app.web.params import PathId
from app.web.templating import render

router = APIRouter(prefix="/pegawai/jalur")

MAX_DUE_DAYS = 3650


@dataclass(frozen=True)
class PathForm:
    """The form's raw text, kept to show it again when something is wrong."""

    name: str = ""
    description: str = ""
    courses: str = ""
    employee_type: str = ""
    unit_id: str = ""
    jabatan: str = ""
    golongan_from: str = ""
    golongan_to: str = ""
    due_days: str = "30"
    active: bool = True

    @classmethod
    def of(cls, path: LearningPath) -> PathForm:
        return cls(
            name=path.name,
            description=path.description,
            courses="\n".join(path.course_codes),
            employee_type=path.employee_type or "",
            unit_id=str(path.unit_id) if path.unit_id is not None else "",
            jabatan=path.jabatan_pattern or "",
            golongan_from=path.golongan_from or "",
            golongan_to=path.golongan_to or "",
            due_days=str(path.due_days),
            active=path.is_active,
        )


def _validate(
    session: Session, form: PathForm, active_codes: set[str]
) -> tuple[dict[str, object], dict[str, str]]:
    """The path's new values, or per-field messages (then nothing may change)."""
    errors: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        errors["name"] = _("Nama jalur wajib diisi.")
    codes = form.courses.replace(",", "\n").split()
    unknown = [c for c in codes if c not in active_codes]
    if not codes:
        errors["courses"] = _("Tuliskan paling sedikit satu kode kursus.")
    elif unknown:
        errors["courses"] = _("Kode kursus tidak dikenal atau tidak aktif: {codes}.").format(
            codes=", ".join(unknown[:10])
        )
    elif len(set(codes)) != len(codes):
        errors["courses"] = _("Setiap kursus hanya boleh muncul sekali dalam jalur.")
    if form.employee_type not in {"", "PNS", "PPPK"}:
        errors["employee_type"] = _("Pilih jenis pegawai: semua, PNS, atau PPPK.")
    unit_id: int | None = None
    if form.unit_id:
        unit = session.get(Unit, int(form.unit_id)) if form.unit_id.isdigit() else None
        if unit is None:
            errors["unit_id"] = _("Unit kerja tidak ditemukan.")
        else:
            unit_id = unit.id
    jabatan = " ".join(form.jabatan.split())
    if jabatan and not jabatan.strip("* "):
        errors["jabatan"] = _("Tuliskan jabatan, tidak hanya tanda *.")
    kind = EmployeeType(form.employee_type) if form.employee_type in {"PNS", "PPPK"} else None
    bounds: list[str | None] = [None, None]
    if form.golongan_from.strip() or form.golongan_to.strip():
        if kind is None:
            errors["golongan"] = _("Pilih jenis pegawai PNS atau PPPK untuk rentang golongan.")
        else:
            try:
                bounds = [
                    golongan.normalize(form.golongan_from, kind),
                    golongan.normalize(form.golongan_to, kind),
                ]
            except InvalidGolongan as exc:
                errors["golongan"] = str(exc)
    due_days = int(form.due_days) if form.due_days.strip().isdigit() else 0
    if not 1 <= due_days <= MAX_DUE_DAYS:
        errors["due_days"] = _("Masa tenggat harus bilangan bulat 1 sampai {max} hari.").format(
            max=MAX_DUE_DAYS
        )
    values: dict[str, object] = {
        "name": name,
        "description": form.description.strip(),
        "course_codes": codes,
        "employee_type": form.employee_type or None,
        "unit_id": unit_id,
        "jabatan_pattern": jabatan or None,
        "golongan_from": bounds[0],
        "golongan_to": bounds[1],
        "due_days": due_days,
        "is_active": form.active,
    }
    return values, errors


def _form_page(
    request: Request,
    session: SessionDep,
    cache: Cache,
    form: PathForm,
    path: LearningPath | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "learning/path_form.html",
        {
            "form": form,
            "path": path,
            "errors": errors or {},
            "courses": cache.catalog(session).active(),
            "units": session.scalars(select(Unit).order_by(Unit.name)).all(),
        },
        status_code=400 if errors else 200,
    )


def _read_form(
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    courses: Annotated[str, Form(max_length=2000)] = "",
    employee_type: Annotated[str, Form(max_length=4)] = "",
    unit_id: Annotated[str, Form(max_length=12)] = "",
    jabatan: Annotated[str, Form(max_length=200)] = "",
    golongan_from: Annotated[str, Form(max_length=40)] = "",
    golongan_to: Annotated[str, Form(max_length=40)] = "",
    due_days: Annotated[str, Form(max_length=6)] = "",
    active: Annotated[str, Form(max_length=1)] = "",
) -> PathForm:
    return PathForm(
        name,
        description,
        courses,
        employee_type,
        unit_id,
        jabatan,
        golongan_from,
        golongan_to,
        due_days,
        active == "1",
    )


SubmittedForm = Annotated[PathForm, Depends(_read_form)]


def _save(
    request: Request,
    session: Session,
    path: LearningPath,
    values: dict[str, object],
    *,
    action: str,
    actor_id: int,
) -> Response:
    for key, value in values.items():
        setattr(path, key, value)
    session.add(path)
    session.flush()
    audit.record(
        session,
        action,
        actor_id=actor_id,
        target_type="learning_path",
        target_id=str(path.id),
        **paths.audit_details(path),
    )
    paths.sync(session, path, today=clock.today(), actor_id=actor_id)
    url = request.app.url_path_for("path_page", path_id=str(path.id))
    return RedirectResponse(f"{url}?status=disimpan", status_code=303)


@router.get("", name="path_list")
def path_list(request: Request, session: SessionDep, user: HRUser) -> Response:
    found = session.scalars(select(LearningPath).order_by(LearningPath.name)).all()
    return render(
        request,
        "learning/paths.html",
        {
            "summaries": [paths.summary(session, p) for p in found],
            "deleted": request.query_params.get("status") == "dihapus",
            "path_problems": path_problems.latest(session),
        },
    )


@router.get("/baru", name="path_new")
def path_new(request: Request, session: SessionDep, user: HRUser, cache: Cache) -> Response:
    return _form_page(request, session, cache, PathForm())


@router.post("/baru", name="path_create", dependencies=[CsrfChecked])
def path_create(
    request: Request, session: SessionDep, user: HRUser, cache: Cache, form: SubmittedForm
) -> Response:
    active_codes = {c.code for c in cache.catalog(session).active()}
    values, errors = _validate(session, form, active_codes)
    if errors:
        return _form_page(request, session, cache, form, errors=errors)
    return _save(request, session, LearningPath(), values, action="path.created", actor_id=user.id)


def path_or_404(path_id: PathId, session: SessionDep, user: HRUser) -> LearningPath:
    """The learning path with this id (HR and admins only), else 404."""
    path = session.get(LearningPath, path_id)
    if path is None:
        raise NotFound(_("Jalur belajar ini tidak ditemukan."))
    return path


FoundPath = Annotated[LearningPath, Depends(path_or_404)]


def web_path_or_403(path: FoundPath) -> LearningPath:
    """The path, if it was made on the web: a path from a file is owned by its file
    (app.learning.path_reload), so it is changed there and reloaded, never here."""
    if path.source_file:
        raise Forbidden(
            _(
                "Jalur ini dikelola dari berkas content/jalur/{slug}.yaml. Minta pengajar "
                "mengubah berkasnya lalu menjalankan lentera content reload."
            ).format(slug=path.source_file)
        )
    return path


WebPath = Annotated[LearningPath, Depends(web_path_or_403)]


@router.get("/{path_id}", name="path_page")
def path_page(
    request: Request, session: SessionDep, user: HRUser, cache: Cache, path: FoundPath
) -> Response:
    by_code = cache.catalog(session).by_code
    return render(
        request,
        "learning/path.html",
        {
            "summary": paths.summary(session, path),
            "courses": [(c, by_code.get(c)) for c in path.course_codes],
            "unit": session.get(Unit, path.unit_id) if path.unit_id is not None else None,
            "saved": request.query_params.get("status") == "disimpan",
        },
    )


@router.get("/{path_id}/ubah", name="path_edit")
def path_edit(
    request: Request, session: SessionDep, user: HRUser, cache: Cache, path: WebPath
) -> Response:
    return _form_page(request, session, cache, PathForm.of(path), path)


@router.post("/{path_id}/ubah", name="path_update", dependencies=[CsrfChecked])
def path_update(
    request: Request,
    session: SessionDep,
    user: HRUser,
    cache: Cache,
    path: WebPath,
    form: SubmittedForm,
) -> Response:
    active_codes = {c.code for c in cache.catalog(session).active()}
    # A course archived since it joined the path may stay in it; only new codes must be active.
    values, errors = _validate(session, form, active_codes | set(path.course_codes))
    if errors:
        return _form_page(request, session, cache, form, path, errors)
    return _save(request, session, path, values, action="path.updated", actor_id=user.id)


@router.post("/{path_id}/hapus", name="path_delete", dependencies=[CsrfChecked])
def path_delete(
    request: Request,
    session: SessionDep,
    user: HRUser,
    path: WebPath,
    konfirmasi: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if not confirm.is_confirmed(konfirmasi):
        return confirm.confirmation_page(
            request,
            title=_("Hapus jalur belajar {name}?").format(name=path.name),
            consequence=_(
                "{n} penugasan yang dibuat jalur ini dan belum selesai akan dibatalkan. Kursus "
                "yang sudah selesai, JP, dan sertifikatnya tetap tercatat. Jalur yang dihapus "
                "tidak dapat dikembalikan; untuk menghentikannya sementara, nonaktifkan saja."
            ).format(n=paths.open_assignment_count(session, path)),
            confirm_label=_("Ya, hapus jalur ini"),
            cancel_url=request.app.url_path_for("path_page", path_id=str(path.id)),
        )
    paths.delete(session, path, actor_id=user.id)
    url = request.app.url_path_for("path_list")
    return RedirectResponse(f"{url}?status=dihapus", status_code=303)
