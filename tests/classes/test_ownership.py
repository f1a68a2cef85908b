"""Who manages a class: HR and admins every one, a trainer only the sessions they are
responsible for. Every page that changes a session, or shows its roll or its code, is in
`WRITE_ROUTES`; a test keeps that table equal to the routes that check it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit import sentences
from app.audit.models import AuditEvent
from app.classes.manage_routes import managed_class
from app.classes.models import ClassRegistration, ClassSession
from tests.classes.test_routes import _client, _form, _schedule
from tests.factories import csrf_token, make_user
from tests.test_route_security import _calls, _routes

NOT_YOURS = "dikelola oleh pelatih lain"

# Every route of one session for those who manage it: (method, path, form fields). `{nip}`
# and `{learner}` are a seated learner's NIP and id.
WRITE_ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/kelas/{id}/kelola", {}),
    ("GET", "/kelas/{id}/ubah", {}),
    ("POST", "/kelas/{id}/ubah", _form(title="Diubah pelatih lain", capacity="9")),
    ("GET", "/kelas/{id}/kode", {}),
    ("POST", "/kelas/{id}/presensi", {"user_id": "{learner}", "mark": "absent"}),
    ("POST", "/kelas/{id}/peserta", {"nips": "{nip}"}),
    ("POST", "/kelas/{id}/batalkan", {"reason": "Bukan kelas saya", "konfirmasi": "ya"}),
    ("POST", "/kelas/{id}/finalkan", {"konfirmasi": "ya"}),
    ("POST", "/kelas/{id}/perilaku", {"behaviours": "Menyapa warga dengan ramah di loket"}),
]
# HR (and admins) only: naming the responsible trainer.
HR_ROUTES = [("POST", "/kelas/{id}/pelatih", {"trainer_id": ""})]


def _route_key(method: str, path: str) -> tuple[str, str]:
    return method, path.replace("{id}", "{class_id}")


def test_the_write_route_table_is_every_route_that_checks_the_manager(app: FastAPI) -> None:
    checked = {
        (method, route.path)
        for route in _routes(app)
        if managed_class in _calls(route.dependant)
        for method in route.methods or ()
    }
    assert checked == {_route_key(m, p) for m, p, _ in WRITE_ROUTES}
    # Every other route of one session is the learner's own (routes.py) or HR's.
    others = {
        (method, route.path)
        for route in _routes(app)
        if route.path.startswith("/kelas/{class_id}")
        and route.endpoint.__module__ != "app.classes.routes"
        for method in route.methods or ()
    } - checked
    assert others == {_route_key(m, p) for m, p, _ in HR_ROUTES}


def _state(session: Session, class_id: int) -> tuple[Any, ...]:
    session.expire_all()
    row = session.get(ClassSession, class_id)
    assert row is not None
    regs = session.execute(
        select(ClassRegistration.user_id, ClassRegistration.status, ClassRegistration.attendance)
        .where(ClassRegistration.session_id == class_id)
        .order_by(ClassRegistration.id)
    ).all()
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    return (
        row.title, row.capacity, row.status, row.trainer_id, row.observed_behaviours,
        tuple(regs), events,
    )  # fmt: skip


def _send(
    client: TestClient, method: str, path: str, fields: dict[str, str], class_id: int, learner: User
) -> Any:
    url = path.format(id=class_id)
    if method == "GET":
        return client.get(url)
    token = csrf_token(client, "/kelas")
    data = {k: v.format(nip=learner.nip, learner=learner.id) for k, v in fields.items()}
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def foreign_case(client: TestClient, session: Session) -> tuple[int, User, TestClient]:
    """A class scheduled by one trainer with a seated learner, and another trainer's client."""
    owner = _client(client, make_user(session, roles={Role.TRAINER}))
    class_id = _schedule(owner, capacity="3")
    learner = make_user(session)
    own = _client(client, learner)
    own.post(f"/kelas/{class_id}/daftar", data={"csrf_token": csrf_token(own, "/kelas")})
    other = _client(client, make_user(session, roles={Role.TRAINER}))
    return class_id, learner, other


@pytest.mark.parametrize(("method", "path", "fields"), WRITE_ROUTES + HR_ROUTES)
def test_a_trainer_cannot_manage_another_trainers_class(
    session: Session,
    foreign_case: tuple[int, User, TestClient],
    method: str,
    path: str,
    fields: dict[str, str],
) -> None:
    class_id, learner, other = foreign_case
    before = _state(session, class_id)
    response = _send(other, method, path, fields, class_id, learner)
    assert response.status_code == 403
    if path not in [p for _m, p, _f in HR_ROUTES]:
        assert NOT_YOURS in response.text
    assert _state(session, class_id) == before


@pytest.mark.parametrize(("method", "path", "fields"), WRITE_ROUTES)
@pytest.mark.parametrize("role", [Role.TRAINER, Role.HR])
def test_the_responsible_trainer_and_hr_manage_the_class(
    client: TestClient,
    session: Session,
    method: str,
    path: str,
    fields: dict[str, str],
    role: Role,
) -> None:
    responsible = make_user(session, roles={Role.TRAINER})
    class_id = _schedule(_client(client, responsible), capacity="3")
    learner = make_user(session)
    own = _client(client, learner)
    own.post(f"/kelas/{class_id}/daftar", data={"csrf_token": csrf_token(own, "/kelas")})
    manager = responsible if role is Role.TRAINER else make_user(session, roles={Role.HR})
    response = _send(_client(client, manager), method, path, fields, class_id, learner)
    assert response.status_code in (200, 303), response.text
    assert NOT_YOURS not in response.text


def test_the_class_list_marks_a_trainers_own_classes_and_links_only_those(
    client: TestClient, session: Session
) -> None:
    mine_trainer, other_trainer = (make_user(session, roles={Role.TRAINER}) for _ in range(2))
    mine = _schedule(_client(client, mine_trainer), title="Kelas Milik Saya")
    theirs = _schedule(_client(client, other_trainer), title="Kelas Pelatih Lain")
    page = _client(client, mine_trainer).get("/kelas")
    assert page.context["managed"] == {mine}
    assert f'/kelas/{mine}/kelola"' in page.text and f"/kelas/{theirs}/kelola" not in page.text
    assert "Kelas Anda: Anda pelatih penanggung jawab" in page.text
    assert "Kelas Pelatih Lain" in page.text  # read-only, still listed
    # The class page offers managing only to those who may.
    assert (
        f"/kelas/{theirs}/kelola" not in _client(client, mine_trainer).get(f"/kelas/{theirs}").text
    )
    hr_page = _client(client, make_user(session, roles={Role.HR})).get("/kelas")
    assert hr_page.context["managed"] == {mine, theirs}
    assert "Kelas Anda" not in hr_page.text


def test_hr_hands_a_class_over_to_another_trainer_audited(
    client: TestClient, session: Session
) -> None:
    first, second = (make_user(session, roles={Role.TRAINER}) for _ in range(2))
    hr_user = make_user(session, roles={Role.HR})
    hr = _client(client, hr_user)
    class_id = _schedule(hr)  # scheduled by HR: no responsible trainer yet
    row = session.get(ClassSession, class_id)
    assert row is not None and row.trainer_id is None
    a, b = _client(client, first), _client(client, second)
    assert a.get(f"/kelas/{class_id}/kelola").status_code == 403
    manage = hr.get(f"/kelas/{class_id}/kelola")
    assert "belum ada (dikelola BKPSDM)" in manage.text
    assert f'<option value="{first.id}"' in manage.text
    token = csrf_token(hr, f"/kelas/{class_id}/kelola")

    def hand_to(user_id: int | str) -> Any:
        return hr.post(
            f"/kelas/{class_id}/pelatih", data={"csrf_token": token, "trainer_id": str(user_id)}
        )

    assert hand_to(first.id).status_code == 303
    assert a.get(f"/kelas/{class_id}/kelola").status_code == 200
    assert hand_to(second.id).status_code == 303
    # The handover is complete: the previous trainer no longer manages it.
    assert a.get(f"/kelas/{class_id}/kelola").status_code == 403
    assert b.get(f"/kelas/{class_id}/kelola").status_code == 200
    assert second.full_name in hr.get(f"/kelas/{class_id}/kelola").text
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "class.trainer_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.details["user_id"], e.details["previous_user_id"]) for e in events] == [
        (first.id, None),
        (second.id, first.id),
    ]
    sentence = sentences.sentence(
        sentences.Event(
            action=events[1].action, actor=hr_user.full_name, target_type="class_session",
            target_id=str(class_id), details=events[1].details,
            names=sentences.Names(users={second.id: second.full_name}),
        )
    )  # fmt: skip
    assert sentence == (
        f"{hr_user.full_name} menetapkan {second.full_name} sebagai pelatih penanggung jawab "
        f"kelas #{class_id}"
    )


@pytest.mark.parametrize("bad", ["learner", "inactive", "abc"])
def test_hr_can_only_name_an_active_trainer(client: TestClient, session: Session, bad: str) -> None:
    hr = _client(client, make_user(session, roles={Role.HR}))
    class_id = _schedule(hr)
    chosen = {
        "learner": str(make_user(session).id),
        "inactive": str(make_user(session, roles={Role.TRAINER}, is_active=False).id),
        "abc": "abc",
    }[bad]
    before = _state(session, class_id)
    token = csrf_token(hr, f"/kelas/{class_id}/kelola")
    response = hr.post(
        f"/kelas/{class_id}/pelatih", data={"csrf_token": token, "trainer_id": chosen}
    )
    assert response.status_code == 400
    assert response.context["error"] == "Pilih pengguna aktif yang memiliki peran pelatih."
    assert _state(session, class_id) == before
