"""Trainer pages: upload a course or a module, read the validation report, preview, publish,
roll back and archive. Trainers manage the courses they own; admins manage every course."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Role, User
from app.accounts.viewer import Viewer
from app.content import guide, path_problems, prerequisites, store
from app.content.catalog import ContentCache
from app.content.format import loader
from app.content.format.problems import Problem
from app.content.format.sources import (
    FINAL_TEST_FILE,
    INTRO_FILE,
    MODULE_NAME,
    PRETEST_FILE,
    QUIZ_SUFFIX,
)
from app.content.models import (
    ContentProblemReport,
    Course,
    CourseTrainer,
    CourseVersion,
    QuizVersion,
)
from app.content.routes import (
    Cache,
    CourseContext,
    course_page,
    file_response,
    module_page,
    simulation_page,
)
from app.content.upload import UploadRejected, extract_course_zip
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.web import confirm
from app.web.deps import CsrfChecked, TrainerUser
from app.web.params import PathId
from app.web.templating import render

router = APIRouter(prefix="/pengajar")


def _owns(session: Session, user: Viewer, course: Course) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    return session.get(CourseTrainer, (course.id, user.id)) is not None


def managed_course(code: str, session: SessionDep, user: TrainerUser) -> Course:
    """The course with this code, if the user may manage it (lookup-or-404, then 403)."""
    course = session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(_("Kursus {code} tidak ditemukan.").format(code=code))
    if not _owns(session, user, course):
        raise Forbidden(_("Anda bukan pengajar pengelola kursus ini."))
    return course


ManagedCourse = Annotated[Course, Depends(managed_course)]


def managed_version(version_id: PathId, session: SessionDep, user: TrainerUser) -> CourseVersion:
    """A version of a course the user may manage."""
    version = session.get(CourseVersion, version_id)
    course = session.get(Course, version.course_id) if version else None
    if version is None or course is None:
        raise NotFound(_("Versi kursus ini tidak ditemukan."))
    if not _owns(session, user, course):
        raise Forbidden(_("Anda bukan pengajar pengelola kursus ini."))
    return version


ManagedVersion = Annotated[CourseVersion, Depends(managed_version)]


@router.get("", name="trainer_home")
def trainer_home(request: Request, session: SessionDep, user: TrainerUser) -> Response:
    query = select(Course).order_by(Course.code)
    if not user.has_role(Role.ADMIN):
        query = query.join(CourseTrainer, CourseTrainer.course_id == Course.id).where(
            CourseTrainer.user_id == user.id
        )
    courses = session.scalars(query).all()
    reports = session.scalars(
        select(ContentProblemReport)
        .where(ContentProblemReport.folder != path_problems.KEY)
        .order_by(ContentProblemReport.folder)
    )
    return render(
        request,
        "trainer/home.html",
        {
            "courses": courses,
            "reports": reports.all(),
            "path_problems": path_problems.latest(session),
        },
    )


def _read_upload(request: Request, upload: UploadFile) -> bytes:
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(
            _("Berkas lebih besar dari {mb} MB.").format(
                mb=request.app.state.settings.max_upload_mb
            )
        )
    if not data:
        raise UploadRejected(_("Pilih berkas terlebih dahulu."))
    return data


def _validate_folder(
    session: Session, folder: Path, root: Path
) -> tuple[loader.CourseLoad, list[Problem]]:
    load = loader.load_course(folder, root)
    problems = list(load.problems)
    if load.course is not None:
        problems += prerequisites.check_prerequisites(
            session, load.course, f"{folder.name}/kursus.yaml", load.yaml_lines.get("prasyarat")
        )
    return load, problems


def _draft_from_folder(
    request: Request, session: Session, user: Viewer, folder: Path, root: Path, filename: str
) -> Response:
    load, problems = _validate_folder(session, folder, root)
    errors = [p for p in problems if p.is_error]
    spec = load.course
    if spec is not None and not errors:
        existing = session.scalar(select(Course).where(Course.code == spec.code))
        if existing is not None and not _owns(session, user, existing):
            raise Forbidden(
                _("Kursus {code} sudah ada dan dikelola pengajar lain.").format(code=spec.code)
            )
    if spec is None or errors:
        return render(
            request,
            "trainer/report.html",
            {"filename": filename, "problems": problems, "error_count": len(errors)},
            status_code=400,
        )
    store.lock_content(session)
    version = store.create_version(
        session,
        spec,
        store.read_course_files(folder),
        source="upload",
        actor_id=user.id,
        warnings=[p for p in problems if not p.is_error],
    )
    course = session.get(Course, version.course_id)
    assert course is not None
    if user.has_role(Role.TRAINER):
        store.add_trainer(session, course, user.id)
    url = request.app.url_path_for("trainer_course", code=spec.code)
    return RedirectResponse(f"{url}?diunggah={version.number}", status_code=303)


@router.post("/unggah", name="trainer_upload", dependencies=[CsrfChecked])
def trainer_upload(
    request: Request,
    session: SessionDep,
    user: TrainerUser,
    file: Annotated[UploadFile, File()],
) -> Response:
    filename = file.filename or ""
    try:
        data = _read_upload(request, file)
        if not filename.lower().endswith(".zip"):
            raise UploadRejected(_("Unggah kursus sebagai satu berkas .zip."))
        with tempfile.TemporaryDirectory(prefix="lentera-upload-") as tmp:
            limit = request.app.state.settings.max_upload_mb * 1024 * 1024 * 5
            folder = extract_course_zip(data, Path(tmp) / "unggahan", max_total_bytes=limit)
            return _draft_from_folder(request, session, user, folder, Path(tmp), filename)
    except UploadRejected as exc:
        return render(
            request,
            "trainer/report.html",
            {"filename": filename, "rejected": str(exc)},
            status_code=400,
        )


@router.post("/kursus/{code}/modul", name="trainer_upload_module", dependencies=[CsrfChecked])
def trainer_upload_module(
    request: Request,
    session: SessionDep,
    user: TrainerUser,
    course: ManagedCourse,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Replace or add one module (.md or .kuis.md) in the course, as a new draft version."""
    filename = Path(file.filename or "").name
    try:
        data = _read_upload(request, file)
        stem = (
            filename.removesuffix(QUIZ_SUFFIX) + ".md"
            if filename.endswith(QUIZ_SUFFIX)
            else filename
        )
        if not MODULE_NAME.match(stem) and filename not in (
            PRETEST_FILE,
            FINAL_TEST_FILE,
            INTRO_FILE,
        ):
            raise UploadRejected(
                _(
                    "Nama berkas {name} tidak sesuai: modul bernama seperti 03-judul-modul.md, "
                    "kuis latihan 03-judul-modul.kuis.md, tes-awal.md / tes-akhir.md, atau "
                    "pengantar.md."
                ).format(name=filename)
            )
        base = course.current_version_id or _latest_version_id(session, course)
        if base is None:
            raise UploadRejected(_("Kursus ini belum punya versi; unggah kursus lengkap (.zip)."))
        with tempfile.TemporaryDirectory(prefix="lentera-upload-") as tmp:
            folder = Path(tmp) / course.folder
            store.write_files(store.version_files(session, base), folder)
            (folder / filename).write_bytes(data)
            return _draft_from_folder(request, session, user, folder, Path(tmp), filename)
    except UploadRejected as exc:
        return render(
            request,
            "trainer/report.html",
            {"filename": filename, "rejected": str(exc)},
            status_code=400,
        )


def _latest_version_id(session: Session, course: Course) -> int | None:
    return session.scalar(
        select(CourseVersion.id)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )


@router.get("/panduan", name="trainer_guide")
def trainer_guide(request: Request, user: TrainerUser) -> Response:
    """The content-format guide (docs/content-format.md), for trainers who only use the web."""
    html = guide.guide_html()
    if html is None:
        raise NotFound(_("Panduan format materi tidak terpasang di server ini."))
    return render(request, "trainer/guide.html", {"guide_html": html})


@router.get("/kursus/{code}", name="trainer_course")
def trainer_course(
    request: Request, session: SessionDep, user: TrainerUser, course: ManagedCourse
) -> Response:
    versions = session.scalars(
        select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
    ).all()
    trainers = session.scalars(
        select(User)
        .join(CourseTrainer, CourseTrainer.user_id == User.id)
        .where(CourseTrainer.course_id == course.id)
        .order_by(User.full_name)
    ).all()
    return render(
        request,
        "trainer/course.html",
        {"course": course, "versions": versions, "trainers": trainers},
    )


@router.get("/versi/{version_id}/unduh", name="trainer_version_download")
def trainer_version_download(session: SessionDep, version: ManagedVersion) -> Response:
    """Every source file of a version as a course .zip, e.g. to copy a web change into content/."""
    course = session.get(Course, version.course_id)
    assert course is not None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(store.version_files(session, version.id).items()):
            archive.writestr(f"{course.folder}/{path}", data)
    name = f"{course.folder}-versi-{version.number}.zip"
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _back(request: Request, course: Course, flag: str) -> RedirectResponse:
    url = request.app.url_path_for("trainer_course", code=course.code)
    return RedirectResponse(f"{url}?{flag}", status_code=303)


@router.post("/versi/{version_id}/terbitkan", name="trainer_publish", dependencies=[CsrfChecked])
def trainer_publish(
    request: Request, session: SessionDep, user: TrainerUser, version: ManagedVersion
) -> Response:
    store.lock_content(session)
    store.publish(session, version, actor_id=user.id)
    course = session.get(Course, version.course_id)
    assert course is not None
    return _back(request, course, f"diterbitkan={version.number}")


@router.post("/kursus/{code}/kembalikan", name="trainer_rollback", dependencies=[CsrfChecked])
def trainer_rollback(
    request: Request, session: SessionDep, user: TrainerUser, course: ManagedCourse
) -> Response:
    try:
        version = store.rollback(session, course, actor_id=user.id)
    except store.PublishError as exc:
        raise NotFound(str(exc)) from exc
    return _back(request, course, f"dikembalikan={version.number}")


@router.post("/kursus/{code}/arsip", name="trainer_archive", dependencies=[CsrfChecked])
def trainer_archive(
    request: Request,
    session: SessionDep,
    user: TrainerUser,
    course: ManagedCourse,
    archived: Annotated[bool, Form()] = True,
    konfirmasi: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if archived and not confirm.is_confirmed(konfirmasi):
        return confirm.confirmation_page(
            request,
            title=_("Arsipkan kursus {code}?").format(code=course.code),
            consequence=_(
                "Kursus ini tidak tampil lagi di katalog. Peserta yang sudah mengikutinya tetap "
                "bisa melanjutkan, semua catatan peserta tetap ada, dan kursus bisa ditampilkan "
                "lagi kapan saja."
            ),
            confirm_label=_("Ya, arsipkan"),
            cancel_url=request.app.url_path_for("trainer_course", code=course.code),
            fields={"archived": "true"},
        )
    store.set_archived(session, course, archived, actor_id=user.id)
    return _back(request, course, "diarsipkan=1" if archived else "diaktifkan=1")


@router.post("/kursus/{code}/pengajar", name="trainer_add", dependencies=[CsrfChecked])
def trainer_add(
    request: Request,
    session: SessionDep,
    user: TrainerUser,
    course: ManagedCourse,
    nip: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Admins (and owners) name another trainer as an owner of the course, by NIP."""
    other = accounts_service.get_by_nip(session, nip)
    if other is None or not other.has_role(Role.TRAINER):
        raise NotFound(_("Tidak ada pengajar dengan NIP {nip}.").format(nip=nip.strip()))
    store.add_trainer(session, course, other.id)
    return _back(request, course, "pengajar=1")


# Preview: the learner pages, for any version (draft included), under /pengajar/pratinjau/{id}.


def _preview(session: Session, cache: ContentCache, version: CourseVersion) -> CourseContext:
    view = cache.version_view(session, version.id)
    if view is None:
        raise NotFound()
    return CourseContext(view=view, base=f"/pengajar/pratinjau/{version.id}", preview=True)


@router.get("/pratinjau/{version_id}", name="preview_course")
def preview_course(
    request: Request, session: SessionDep, cache: Cache, version: ManagedVersion
) -> Response:
    return course_page(request, session, cache, _preview(session, cache, version))


@router.get("/pratinjau/{version_id}/modul/{slug}", name="preview_module")
def preview_module(
    request: Request, session: SessionDep, cache: Cache, version: ManagedVersion, slug: str
) -> Response:
    return module_page(request, session, cache, _preview(session, cache, version), slug)


@router.get("/pratinjau/{version_id}/modul/{slug}/situasi/{situation_id}", name="preview_situation")
def preview_situation(
    request: Request,
    session: SessionDep,
    cache: Cache,
    version: ManagedVersion,
    slug: str,
    situation_id: str,
) -> Response:
    ctx = _preview(session, cache, version)
    return simulation_page(request, session, cache, ctx, slug, situation_id, None)


@router.get(
    "/pratinjau/{version_id}/modul/{slug}/situasi/{situation_id}/{choice_id}",
    name="preview_situation_choice",
)
def preview_situation_choice(
    request: Request,
    session: SessionDep,
    cache: Cache,
    version: ManagedVersion,
    slug: str,
    situation_id: str,
    choice_id: str,
) -> Response:
    ctx = _preview(session, cache, version)
    return simulation_page(request, session, cache, ctx, slug, situation_id, choice_id)


@router.get("/pratinjau/{version_id}/berkas/{path:path}", name="preview_file")
def preview_file(
    request: Request, session: SessionDep, version: ManagedVersion, path: str
) -> Response:
    return file_response(request, session, version.id, path)


@router.get("/pratinjau/{version_id}/tes/{key}", name="preview_quiz")
def preview_quiz(
    request: Request, session: SessionDep, cache: Cache, version: ManagedVersion, key: str
) -> Response:
    """The quiz as the learner meets it, then every question with its key and explanation.

    Trainers check the answer keys here before publishing; learners never reach this route.
    """
    ctx = _preview(session, cache, version)
    quiz = ctx.view.quiz(key)
    stored = session.scalar(
        select(QuizVersion).where(
            QuizVersion.course_version_id == version.id, QuizVersion.key == key
        )
    )
    if quiz is None or stored is None:
        raise NotFound()
    return render(
        request,
        "trainer/quiz_preview.html",
        {"ctx": ctx, "course": ctx.view, "quiz": quiz, "questions": stored.questions},
    )
