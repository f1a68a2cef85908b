"""Learning paths: who is in a path's group, assignments that follow the roster, HR's pages and
the learner's next step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts import roster
from app.accounts.models import Role, Unit, User
from app.audit.models import AuditEvent
from app.content import store
from app.content.models import Course
from app.db import utcnow
from app.learning import paths
from app.learning.models import Assignment, Completion, Enrolment, LearningPath
from tests.factories import csrf_token, login, make_user, nip, pppk_nip

LIST = "/pegawai/jalur"
NEW = "/pegawai/jalur/baru"


def _course_id(session: Session, code: str) -> int:
    course_id = session.scalar(select(Course.id).where(Course.code == code))
    assert course_id is not None
    return course_id


def _unit_id(session: Session, name: str) -> int:
    unit_id = session.scalar(select(Unit.id).where(Unit.name == name))
    assert unit_id is not None
    return unit_id


def _path(session: Session, **fields: object) -> LearningPath:
    values: dict[str, object] = {"name": "Orientasi", "course_codes": ["PPP-101"], "due_days": 30}
    path = LearningPath(**(values | fields))
    session.add(path)
    session.flush()
    return path


def _path_assignments(session: Session, path: LearningPath) -> dict[tuple[int, str], Assignment]:
    session.expire_all()
    rows = session.execute(
        select(Assignment, Course.code)
        .join(Course, Course.id == Assignment.course_id)
        .where(Assignment.via_path_id == path.id)
    ).all()
    return {(a.user_id, code): a for a, code in rows}


def _hr_client(client: TestClient, session: Session) -> TestClient:
    hr = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(hr, make_user(session, roles={Role.HR}, unit_name="BKPSDM", jabatan="Analis SDM"))
    return hr


def _complete(session: Session, user: User, code: str) -> None:
    session.add(
        Completion(
            user_id=user.id,
            course_id=_course_id(session, code),
            jp=2,
            final_score=0.9,
            completed_at=utcnow(),
        )
    )
    session.commit()


def test_group_matches_employee_type_unit_and_jabatan_pattern(session: Session) -> None:
    lurah = make_user(session, unit_name="Kelurahan Lere", jabatan="Lurah")
    pppk = make_user(
        session, nip=pppk_nip(), golongan="IX", unit_name="Kelurahan Lere", jabatan="LURAH"
    )
    sekretaris = make_user(session, unit_name="Kelurahan Besusu", jabatan="Sekretaris Lurah")
    gone = make_user(session, unit_name="Kelurahan Lere", jabatan="Lurah", is_active=False)
    mine = {lurah.id, pppk.id, sekretaris.id, gone.id}
    lere = _unit_id(session, "Kelurahan Lere")

    def group(**fields: object) -> set[int]:
        return paths.member_ids(session, _path(session, **fields)) & mine

    assert group(jabatan_pattern="Lurah") == {lurah.id, pppk.id}  # exact, any case
    assert group(jabatan_pattern="*lurah*") == {lurah.id, pppk.id, sekretaris.id}
    assert group(employee_type="PPPK") == {pppk.id}
    assert group(employee_type="PNS", jabatan_pattern="*Lurah") == {lurah.id, sekretaris.id}
    assert group(unit_id=lere) == {lurah.id, pppk.id}  # never the inactive account
    assert group(unit_id=lere, employee_type="PNS", jabatan_pattern="Sekretaris*") == set()


def test_group_matches_a_golongan_range_on_the_employee_types_scale(session: Session) -> None:
    junior = make_user(session, golongan="II/d")
    penata = make_user(session, golongan="III/b")
    senior = make_user(session, golongan="IV/a")
    pppk = make_user(session, nip=pppk_nip(), golongan="IX")
    mine = {junior.id, penata.id, senior.id, pppk.id}

    def group(**fields: object) -> set[int]:
        return paths.member_ids(session, _path(session, **fields)) & mine

    pns = {"employee_type": "PNS"}
    assert group(**pns, golongan_from="III/a", golongan_to="III/d") == {penata.id}
    assert group(**pns, golongan_from="IV/e", golongan_to="III/a") == {penata.id, senior.id}
    assert group(**pns, golongan_from="III/a") == {penata.id, senior.id}  # open above
    assert group(**pns, golongan_to="III/a") == {junior.id}  # open below
    assert group(employee_type="PPPK", golongan_from="V", golongan_to="IX") == {pppk.id}


def test_hr_creates_a_path_and_its_group_is_assigned_with_a_due_date_and_audited(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    lurah = make_user(session, unit_name="Kelurahan Lere", jabatan="Lurah")
    other = make_user(session, unit_name="Kelurahan Lere", jabatan="Perawat")
    response = hr.post(
        NEW,
        data={
            "csrf_token": csrf_token(hr, NEW),
            "name": "Jalur Lurah",
            "courses": "PPP-101\nKOM-101",
            "jabatan": "lurah",
            "due_days": "45",
            "active": "1",
        },
    )
    assert response.status_code == 303, response.text
    path = session.scalars(select(LearningPath).where(LearningPath.name == "Jalur Lurah")).one()
    assert path.course_codes == ["PPP-101", "KOM-101"] and path.jabatan_pattern == "lurah"
    made = _path_assignments(session, path)
    assert set(made) == {(lurah.id, "PPP-101"), (lurah.id, "KOM-101")}
    assert {a.due_on for a in made.values()} == {clock.today() + timedelta(days=45)}
    assert (
        session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.user_id == lurah.id)
        )
        == 2
    )
    assert not session.scalars(select(Assignment).where(Assignment.user_id == other.id)).all()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("path.%"))
    ).all()
    assert sorted(actions) == ["path.assigned", "path.created"]

    page = hr.get(response.headers["location"])
    assert page.status_code == 200 and page.template.name == "learning/path.html"
    summary = page.context["summary"]
    assert summary.members == 1 and summary.completed == 0
    assert [(u.unit_name, u.members) for u in summary.units] == [("Kelurahan Lere", 1)]
    _complete(session, lurah, "PPP-101")
    _complete(session, lurah, "KOM-101")
    listed = hr.get(LIST)
    assert listed.status_code == 200 and listed.template.name == "learning/paths.html"
    (row,) = listed.context["summaries"]
    assert (row.path.name, row.members, row.completed) == ("Jalur Lurah", 1, 1)


def test_editing_a_path_reassigns_and_a_removed_course_is_cancelled_unless_done(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    lurah = make_user(session, unit_name="Kelurahan Lere", jabatan="Lurah")
    path = _path(session, course_codes=["PPP-101", "KOM-101", "MWK-201"], jabatan_pattern="Lurah")
    paths.sync(session, path, today=clock.today())
    session.commit()
    _complete(session, lurah, "MWK-201")
    edit = f"/pegawai/jalur/{path.id}/ubah"
    response = hr.post(
        edit,
        data={
            "csrf_token": csrf_token(hr, edit),
            "name": "Orientasi",
            "courses": "PPP-101",
            "jabatan": "Lurah",
            "due_days": "30",
            "active": "1",
        },
    )
    assert response.status_code == 303, response.text
    # KOM-101 (not done) is cancelled; MWK-201 was finished, so it stays as it is.
    assert set(_path_assignments(session, path)) == {(lurah.id, "PPP-101"), (lurah.id, "MWK-201")}


def test_roster_import_assigns_joiners_and_cancels_what_leavers_had_not_done(
    session: Session, demo_content: store.ImportReport
) -> None:
    roster.after_import(paths.sync_after_roster_import)  # as app.main registers it
    hr = make_user(session, roles={Role.HR}, unit_name="BKPSDM")
    path = _path(session, course_codes=["PPP-101", "KOM-101"], jabatan_pattern="Lurah")
    session.commit()
    first, second = nip(seq=901), nip(seq=902)
    header = "NIP;Nama;Unit Kerja;Jabatan\n"

    def import_roster(rows: str) -> None:
        report = roster.import_roster(session, "p.csv", (header + rows).encode(), actor_id=hr.id)
        assert report.imported, report.errors
        session.commit()

    import_roster(f"{first};Andi Lurah;Kelurahan Lere;Lurah\n{second};Budi;Kelurahan Lere;Staf\n")
    andi = session.scalars(select(User).where(User.nip == first)).one()
    budi = session.scalars(select(User).where(User.nip == second)).one()
    assert set(_path_assignments(session, path)) == {(andi.id, "PPP-101"), (andi.id, "KOM-101")}
    _complete(session, andi, "PPP-101")

    # Andi moves to another jabatan, Budi becomes Lurah.
    import_roster(f"{first};Andi Lurah;Kelurahan Lere;Staf\n{second};Budi;Kelurahan Lere;Lurah\n")
    made = _path_assignments(session, path)
    assert set(made) == {(andi.id, "PPP-101"), (budi.id, "PPP-101"), (budi.id, "KOM-101")}
    assert made[(budi.id, "KOM-101")].due_on == clock.today() + timedelta(days=30)
    assert (
        session.scalar(
            select(func.count()).select_from(Completion).where(Completion.user_id == andi.id)
        )
        == 1
    )  # credited learning untouched
    cancelled = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.cancelled")
    ).all()
    assert [(e.target_id, e.actor_id) for e in cancelled] == [(str(andi.id), hr.id)]
    assert "Orientasi" in cancelled[0].details["reason"]


def test_an_inactive_path_assigns_nobody(
    session: Session, demo_content: store.ImportReport
) -> None:
    make_user(session, jabatan="Lurah")
    path = _path(session, jabatan_pattern="Lurah", is_active=False)
    assert paths.sync(session, path, today=clock.today()).assignments_made == 0
    assert not _path_assignments(session, path)


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST), ("get", NEW), ("post", NEW)],
)
def test_path_pages_are_for_hr_only(
    client: TestClient, session: Session, method: str, url: str
) -> None:
    login(client, make_user(session))
    data = {"csrf_token": csrf_token(client, "/")} if method == "post" else None
    response = client.request(method.upper(), url, data=data)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": "  "}, "name"),
        ({"courses": "PPP-101\nXYZ-999"}, "courses"),
        ({"courses": "PPP-101 PPP-101"}, "courses"),
        ({"due_days": "0"}, "due_days"),
        ({"due_days": "dua"}, "due_days"),
        ({"jabatan": "**"}, "jabatan"),
        ({"unit_id": "999999"}, "unit_id"),
        ({"employee_type": "CPNS"}, "employee_type"),
        ({"golongan_from": "III/a"}, "golongan"),  # a range needs PNS or PPPK
        ({"employee_type": "PNS", "golongan_to": "V"}, "golongan"),  # a PPPK golongan
    ],
)
def test_a_bad_path_form_names_the_field_and_changes_nothing(
    client: TestClient,
    session: Session,
    demo_content: store.ImportReport,
    fields: dict[str, str],
    key: str,
) -> None:
    hr = _hr_client(client, session)
    make_user(session, jabatan="Lurah")
    data = {"name": "Jalur", "courses": "PPP-101", "jabatan": "Lurah", "due_days": "30"}
    response = hr.post(NEW, data={"csrf_token": csrf_token(hr, NEW), **data, **fields})
    assert response.status_code == 400
    assert response.template.name == "learning/path_form.html"
    assert list(response.context["errors"]) == [key]
    assert str(escape(response.context["errors"][key])) in response.text
    assert session.scalar(select(func.count()).select_from(LearningPath)) == 0
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_the_learners_home_shows_the_path_and_its_next_step(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session, jabatan="Lurah")
    _path(
        session,
        name="Jalur Lurah Baru",
        course_codes=["PPP-101", "KOM-101"],
        jabatan_pattern="Lurah",
    )
    _path(session, name="Jalur Perawat", jabatan_pattern="Perawat")
    session.commit()
    _complete(session, learner, "PPP-101")
    login(client, learner)
    home = client.get("/")
    assert home.status_code == 200
    ((entry, next_view),) = home.context["learning_paths"]
    assert (entry.name, entry.done, entry.courses, entry.next_code) == (
        "Jalur Lurah Baru",
        1,
        2,
        "KOM-101",
    )
    assert "Jalur Lurah Baru" in home.text and next_view.title in home.text
    assert "Jalur Perawat" not in home.text


def test_hr_sees_which_path_made_an_assignment_in_the_assignment_list(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    lurah = make_user(session, jabatan="Lurah")
    path = _path(session, name="Jalur Lurah", jabatan_pattern="Lurah")
    paths.sync(session, path, today=clock.today())
    session.commit()
    listed = hr.get("/pegawai/penugasan/daftar", params={"kursus": "PPP-101"})
    (row,) = [r for r in listed.context["page"].rows if r.user_id == lurah.id]
    assert (row.path_id, row.path_name) == (path.id, "Jalur Lurah")
    assert f'href="/pegawai/jalur/{path.id}"' in listed.text


def test_a_roster_imported_on_the_web_assigns_the_path(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    path = _path(session, jabatan_pattern="*lurah*")
    session.commit()
    rows = f"NIP;Nama;Unit Kerja;Jabatan\n{nip(seq=903)};Citra;Kelurahan Lere;Sekretaris Lurah\n"
    response = hr.post(
        "/pegawai/impor",
        data={"csrf_token": csrf_token(hr, "/pegawai/impor")},
        files={"file": ("pegawai.csv", rows.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    citra = session.scalars(select(User).where(User.nip == nip(seq=903))).one()
    assert set(_path_assignments(session, path)) == {(citra.id, "PPP-101")}


def _edit_job(hr: TestClient, person: User, **fields: str) -> Any:
    url = f"/pegawai/{person.nip}/data"
    current = {
        "unit": person.unit.name if person.unit else "",
        "jabatan": person.jabatan or "",
        "golongan": person.golongan or "",
    }
    return hr.post(
        url, data={"csrf_token": csrf_token(hr, f"/pegawai/{person.nip}"), **current, **fields}
    )


def test_a_jabatan_changed_on_the_web_assigns_the_new_path_and_cancels_the_old_ones_open_work(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    person = make_user(session, unit_name="Kelurahan Lere", jabatan="Lurah")
    lurah = _path(
        session, name="Jalur Lurah", course_codes=["PPP-101", "KOM-101"], jabatan_pattern="Lurah"
    )
    camat = _path(session, name="Jalur Camat", course_codes=["MWK-201"], jabatan_pattern="Camat")
    paths.sync(session, lurah, today=clock.today())
    session.commit()
    _complete(session, person, "PPP-101")

    response = _edit_job(hr, person, jabatan="Camat")
    assert response.status_code == 303, getattr(response, "text", "")
    session.expire_all()
    assert person.jabatan == "Camat"
    # The new path is assigned at once; the old path's open course is cancelled; the finished
    # one stays, and so does its credited completion.
    assert set(_path_assignments(session, camat)) == {(person.id, "MWK-201")}
    assert set(_path_assignments(session, lurah)) == {(person.id, "PPP-101")}
    assert (
        session.scalar(
            select(func.count()).select_from(Completion).where(Completion.user_id == person.id)
        )
        == 1
    )
    changed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.job_changed")
    ).one()
    hr_user_id = changed.actor_id
    assert hr_user_id is not None and hr_user_id != person.id
    assert changed.details["before"] == {"jabatan": "Lurah"}
    assert changed.details["after"] == {"jabatan": "Camat"}
    cancelled = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.cancelled")
    ).one()
    assert (cancelled.target_id, cancelled.actor_id) == (str(person.id), hr_user_id)
    assert "Jalur Lurah" in cancelled.details["reason"]
    assigned = session.scalars(select(AuditEvent).where(AuditEvent.action == "path.assigned")).all()
    assert [(e.details["path"], e.actor_id) for e in assigned][-1] == ("Jalur Camat", hr_user_id)


def test_a_unit_or_golongan_changed_on_the_web_moves_the_person_between_paths(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    person = make_user(session, unit_name="Kelurahan Lere", golongan="II/d")
    besusu = make_user(session, unit_name="Kelurahan Besusu").unit_id
    by_unit = _path(session, name="Besusu", unit_id=besusu)
    by_golongan = _path(
        session,
        name="Penata",
        course_codes=["KOM-101"],
        employee_type="PNS",
        golongan_from="III/a",
        golongan_to="III/d",
    )
    session.commit()
    assert _edit_job(hr, person, unit="Kelurahan Besusu").status_code == 303
    assert set(_path_assignments(session, by_unit)) == {(person.id, "PPP-101")}
    assert _edit_job(hr, person, golongan="III/b").status_code == 303
    assert set(_path_assignments(session, by_golongan)) == {(person.id, "KOM-101")}
    assert _edit_job(hr, person, unit="Kelurahan Lere").status_code == 303
    assert not _path_assignments(session, by_unit)


def test_a_bad_golongan_on_the_web_says_why_and_changes_nothing(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    person = make_user(session, jabatan="Staf", golongan="II/d")
    path = _path(session, jabatan_pattern="Lurah")
    session.commit()
    response = _edit_job(hr, person, jabatan="Lurah", golongan="IX")  # a PPPK golongan
    assert response.status_code == 400
    assert response.context["job_error"] and "IX" in response.context["job_error"]
    session.expire_all()
    assert (person.jabatan, person.golongan) == ("Staf", "II/d")
    assert not _path_assignments(session, path)


def test_deactivating_a_person_cancels_their_open_path_work_and_reactivating_assigns_it_again(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    person = make_user(session, jabatan="Lurah")
    path = _path(session, course_codes=["PPP-101", "KOM-101"], jabatan_pattern="Lurah")
    paths.sync(session, path, today=clock.today())
    session.commit()
    _complete(session, person, "PPP-101")
    url = f"/pegawai/{person.nip}/status"
    token = csrf_token(hr, f"/pegawai/{person.nip}")
    off = hr.post(url, data={"csrf_token": token, "active": "false", "konfirmasi": "ya"})
    assert off.status_code == 303, off.text
    assert set(_path_assignments(session, path)) == {(person.id, "PPP-101")}
    on = hr.post(url, data={"csrf_token": token, "active": "true"})
    assert on.status_code == 303
    assert set(_path_assignments(session, path)) == {(person.id, "PPP-101"), (person.id, "KOM-101")}


def test_a_course_moving_between_two_paths_is_never_left_cancelled(
    session: Session, demo_content: store.ImportReport
) -> None:
    person = make_user(session, jabatan="Lurah")
    first = _path(session, name="A", course_codes=["PPP-101"], jabatan_pattern="Lurah")
    second = _path(session, name="B", course_codes=["PPP-101"], jabatan_pattern="Camat")
    paths.sync_all(session, today=clock.today())
    assert set(_path_assignments(session, first)) == {(person.id, "PPP-101")}
    person.jabatan = "Camat"
    paths.sync_all(session, today=clock.today())
    assert not _path_assignments(session, first)
    assert set(_path_assignments(session, second)) == {(person.id, "PPP-101")}
    person.jabatan = "Lurah"
    paths.sync_person(session, person, today=clock.today())
    assert set(_path_assignments(session, first)) == {(person.id, "PPP-101")}
    assert not _path_assignments(session, second)


def test_deleting_a_path_asks_first_then_cancels_its_open_work_and_keeps_finished_courses(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    person = make_user(session, jabatan="Lurah")
    path = _path(session, name="Jalur Lurah", course_codes=["PPP-101", "KOM-101"])
    path.jabatan_pattern = "Lurah"
    by_hr = make_user(session, jabatan="Lurah")
    paths.sync(session, path, today=clock.today())
    session.commit()
    _complete(session, person, "PPP-101")
    # HR's own assignment of a path course (made before the path) is not the path's to remove.
    hr_own = session.scalars(
        select(Assignment).where(
            Assignment.user_id == by_hr.id, Assignment.via_path_id.is_not(None)
        )
    ).all()
    for a in hr_own:
        a.via_path_id = None
    session.commit()
    path_id = path.id
    url = f"/pegawai/jalur/{path_id}/hapus"
    token = csrf_token(hr, f"/pegawai/jalur/{path_id}")

    asked = hr.post(url, data={"csrf_token": token})
    assert asked.status_code == 200 and asked.template.name == "confirm/confirm.html"
    assert "1 penugasan" in asked.context["consequence"]  # KOM-101 of the person
    assert session.get(LearningPath, path_id) is not None

    done = hr.post(url, data={"csrf_token": token, "konfirmasi": "ya"})
    assert done.status_code == 303 and done.headers["location"] == f"{LIST}?status=dihapus"
    session.expire_all()
    assert session.get(LearningPath, path_id) is None
    left = session.execute(
        select(Assignment.user_id, Course.code, Assignment.via_path_id).join(
            Course, Course.id == Assignment.course_id
        )
    ).all()
    assert sorted(left) == sorted(
        [(person.id, "PPP-101", None), (by_hr.id, "PPP-101", None), (by_hr.id, "KOM-101", None)]
    )
    assert (
        session.scalar(
            select(func.count()).select_from(Completion).where(Completion.user_id == person.id)
        )
        == 1
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "path.deleted")).one()
    assert (event.details["path"], event.details["cancelled"], event.details["kept"]) == (
        "Jalur Lurah",
        1,
        1,
    )
    listed = hr.get(done.headers["location"])
    assert listed.context["deleted"] and "Jalur Lurah" not in listed.text


def test_only_hr_may_delete_a_path(client: TestClient, session: Session) -> None:
    path = _path(session)
    session.commit()
    login(client, make_user(session))
    url = f"/pegawai/jalur/{path.id}/hapus"
    response = client.post(url, data={"csrf_token": csrf_token(client, "/"), "konfirmasi": "ya"})
    assert response.status_code == 403
    assert session.get(LearningPath, path.id) is not None
