"""Publishing to the database: versions, atomicity, rollback, and every process seeing it."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.content import store
from app.content.catalog import ContentCache
from app.content.models import ContentProblemReport, Course, CourseVersion, ModuleVersion


def _course(session: Session, code: str) -> Course:
    course = session.scalar(select(Course).where(Course.code == code))
    assert course is not None
    return course


def test_import_publishes_each_demo_course_once(
    session: Session, demo_content: store.ImportReport
) -> None:
    assert sorted(demo_content.published) == ["KOM-101", "MWK-201", "PDP-101", "PPP-101"]
    assert demo_content.broken == {}
    ppp = _course(session, "PPP-101")
    assert ppp.current_version is not None
    assert ppp.current_version.number == 1
    assert ppp.current_version.jp == 6


def test_reimport_of_unchanged_content_creates_no_version(
    session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    report = store.import_library(session, content_copy)
    assert sorted(report.unchanged) == ["KOM-101", "MWK-201", "PDP-101", "PPP-101"]
    assert session.scalar(select(func.count()).select_from(CourseVersion)) == 4


def test_changed_module_on_disk_publishes_a_new_version_of_that_course_only(
    session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    module = content_copy / "pelayanan-publik-prima" / "02-standar-dan-maklumat-pelayanan.md"
    module.write_text(module.read_text() + "\nParagraf tambahan tentang maklumat.\n")
    report = store.import_library(session, content_copy)
    assert report.published == ["PPP-101"]
    ppp = _course(session, "PPP-101")
    assert ppp.current_version is not None and ppp.current_version.number == 2
    html = session.scalar(
        select(ModuleVersion.html).where(
            ModuleVersion.course_version_id == ppp.current_version_id,
            ModuleVersion.slug == "02-standar-dan-maklumat-pelayanan",
        )
    )
    assert html is not None and "Paragraf tambahan tentang maklumat." in html


def test_broken_course_keeps_its_last_good_version_and_reports_problems(
    session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    meta = content_copy / "komunikasi-efektif-asn" / "kursus.yaml"
    meta.write_text(meta.read_text().replace("kategori: sosial kultural", "kategori: olahraga"))
    report = store.import_library(session, content_copy)
    assert list(report.broken) == ["komunikasi-efektif-asn"]
    kom = _course(session, "KOM-101")
    assert kom.current_version is not None and kom.current_version.number == 1
    stored = session.get(ContentProblemReport, "komunikasi-efektif-asn")
    assert stored is not None
    assert any("kategori" in p["message"] for p in stored.problems)


def test_rollback_serves_the_previous_version_and_is_audited(
    session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    module = content_copy / "pelayanan-publik-prima" / "01-dasar-hukum-dan-asas.md"
    module.write_text(module.read_text() + "\nVersi kedua.\n")
    store.import_library(session, content_copy)
    ppp = _course(session, "PPP-101")
    previous = store.rollback(session, ppp, actor_id=None)
    assert previous.number == 1
    assert ppp.current_version_id == previous.id
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "content.rolled_back"))
        is not None
    )
    # The disk has not changed since: a reload must not undo the rollback.
    assert "PPP-101" in store.import_library(session, content_copy).unchanged
    with pytest.raises(store.PublishError, match="Tidak ada versi terbit sebelumnya"):
        store.rollback(session, ppp, actor_id=None)


def test_a_publish_is_seen_by_another_process_cache_without_restart(
    session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    worker_a, worker_b = ContentCache(), ContentCache()  # two processes' caches
    assert worker_b.catalog(session).by_code["PPP-101"].version_number == 1
    module = content_copy / "pelayanan-publik-prima" / "01-dasar-hukum-dan-asas.md"
    module.write_text(module.read_text() + "\nVersi kedua.\n")
    store.import_library(session, content_copy)  # published "on worker A"
    assert worker_a.catalog(session).by_code["PPP-101"].version_number == 2
    assert worker_b.catalog(session).by_code["PPP-101"].version_number == 2


def test_publish_is_atomic_with_the_transaction(
    session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    module = content_copy / "pelayanan-publik-prima" / "01-dasar-hukum-dan-asas.md"
    module.write_text(module.read_text() + "\nVersi yang gagal.\n")
    savepoint = session.begin_nested()
    store.import_library(session, content_copy)
    savepoint.rollback()  # e.g. the process died before commit
    ppp = _course(session, "PPP-101")
    session.refresh(ppp)
    assert ppp.current_version is not None and ppp.current_version.number == 1
    assert session.scalar(select(func.count()).select_from(CourseVersion)) == 4


def test_archived_course_leaves_the_catalogue_but_keeps_its_versions(
    session: Session, demo_content: store.ImportReport
) -> None:
    cache = ContentCache()
    kom = _course(session, "KOM-101")
    store.set_archived(session, kom, True, actor_id=None)
    catalog = cache.catalog(session)
    assert "KOM-101" not in [c.code for c in catalog.active()]
    assert catalog.by_code["KOM-101"].status == "archived"
    assert session.scalar(select(func.count()).select_from(CourseVersion)) == 4
