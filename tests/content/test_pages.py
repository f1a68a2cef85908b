"""What a learner sees: catalogue, course, module, simulation, files."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.content import store
from tests.factories import login, make_user
from tests.learning.test_journey import _take_quiz, enrol

MODULE = "/kursus/PPP-101/modul/02-standar-dan-maklumat-pelayanan"
SIMULATION = "/kursus/PPP-101/modul/06-simulasi-loket-disdukcapil"


def _learner(client: TestClient, session: Session) -> None:
    login(client, make_user(session))


def test_catalogue_lists_courses_and_filters_by_category_and_title(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    page = client.get("/kursus")
    assert [c.code for c in page.context["courses"]] == ["KOM-101", "MWK-201", "PPP-101", "PDP-101"]
    teknis = client.get("/kursus", params={"kategori": "teknis"})
    assert [c.code for c in teknis.context["courses"]] == ["PPP-101", "PDP-101"]
    search = client.get("/kursus", params={"q": "waktu"})
    assert [c.code for c in search.context["courses"]] == ["MWK-201"]
    nothing = client.get("/kursus", params={"q": "'; DROP TABLE courses; --"})
    assert nothing.status_code == 200 and "Tidak ada kursus yang cocok." in nothing.text


def test_course_page_shows_jp_modules_tests_and_prerequisites(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    page = client.get("/kursus/MWK-201")
    assert page.status_code == 200
    assert "6 JP (270 menit)" in page.text
    assert 'href="/kursus/KOM-101"' in page.text  # prerequisite, by title
    assert "Tes awal" in page.text and "Tes akhir" in page.text


def test_module_page_has_content_and_previous_next_links(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    enrol(client)
    # PPP-101 asks for its pre-test before the modules open.
    assert client.get(MODULE).headers["location"] == "/kursus/PPP-101/tes/tes-awal"
    _take_quiz(client, session, "tes-awal", correct=False)
    page = client.get(MODULE)
    assert page.status_code == 200
    assert page.context["before"].slug == "01-dasar-hukum-dan-asas"
    assert page.context["after"].slug == "03-pengaduan-dan-skm"
    assert 'rel="next" href="/kursus/PPP-101/modul/03-pengaduan-dan-skm"' in page.text
    assert "<script>" not in page.text  # scripts only as files, never inline


def test_simulation_walks_from_a_situation_to_the_outcome_of_a_choice(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    start = client.get(f"{SIMULATION}/situasi/mulai")
    assert start.status_code == 200
    situation = start.context["situation"]
    choice = situation["choices"][0]
    outcome = client.get(f"{SIMULATION}/situasi/mulai/{choice['id']}")
    assert outcome.status_code == 200
    assert "Umpan balik" in outcome.text
    assert client.get(f"{SIMULATION}/situasi/tidak-ada").status_code == 404
    assert client.get(f"{SIMULATION}/situasi/mulai/tidak-ada").status_code == 404


def test_course_files_are_served_with_type_validators_and_safe_headers(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    url = "/kursus/PPP-101/berkas/gambar/alur-pengaduan.svg"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    etag = response.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_course_sources_and_traversal_are_not_served(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    assert client.get("/kursus/PPP-101/berkas/kursus.yaml").status_code == 404
    assert client.get("/kursus/PPP-101/berkas/../../etc/passwd.png").status_code == 404
    assert client.get("/kursus/PPP-101/berkas/gambar/tidak-ada.png").status_code == 404


def test_unknown_course_module_and_test_are_404(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    _learner(client, session)
    assert client.get("/kursus/XYZ-999").status_code == 404
    assert client.get("/kursus/PPP-101/modul/99-tidak-ada").status_code == 404
    assert client.get("/kursus/PPP-101/tes/tidak-ada").status_code == 404


def test_content_pages_need_a_login(client: TestClient, demo_content: store.ImportReport) -> None:
    assert client.get(MODULE).status_code == 303
    assert client.get("/kursus/PPP-101/berkas/gambar/alur-pengaduan.svg").status_code == 303
