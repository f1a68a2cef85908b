import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from tests.factories import login, make_user

HR_PAGES = ["/pegawai", "/pegawai/impor"]


@pytest.mark.parametrize("path", ["/", "/profil", *HR_PAGES])
def test_anonymous_visitors_are_sent_to_login_with_the_page_remembered(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/masuk")
    if path != "/":
        assert "next=" in response.headers["location"]


@pytest.mark.parametrize("path", HR_PAGES)
@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
def test_hr_pages_are_forbidden_to_learners_and_trainers(
    client: TestClient, session: Session, path: str, role: Role
) -> None:
    login(client, make_user(session, roles={role}))
    response = client.get(path)
    assert response.status_code == 403
    assert "Akses ditolak" in response.text


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_admin_reach_the_people_list(
    client: TestClient, session: Session, role: Role
) -> None:
    login(client, make_user(session, roles={role}))
    assert client.get("/pegawai").status_code == 200


def test_home_shows_a_section_for_each_role_held(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.LEARNER, Role.HR}))
    page = client.get("/")
    assert page.template.name == "home/home.html"
    assert page.context["roles"] == {Role.LEARNER, Role.HR}
    assert "Kepegawaian" in page.text and "Lanjutkan belajar" in page.text
    assert "Administrasi" not in page.text


def test_people_list_searches_by_name(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.HR}))
    make_user(session, full_name="Rahmat Lamakarate")
    make_user(session, full_name="Dewi Sartika Pettalolo")
    page = client.get("/pegawai", params={"q": "lamakarate"})
    assert "Rahmat Lamakarate" in page.text
    assert "Dewi Sartika" not in page.text
