"""How the app holds its routes: the routers' own routes, in order, behind the NUL guard.

`create_app` puts each router's routes into the app as they are instead of `include_router`,
whose per-app rebuild of every route cost ~0.3 s per app (main.py says why). These tests keep
what that choice relies on: no router adds a prefix or dependency at inclusion that would be
lost, every route is served, and the NUL check the former global dependency made still holds.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from app.main import routers
from app.web.nul_guard import NulGuard

NUL_MESSAGE = "Alamat halaman memuat karakter yang tidak diizinkan."


def test_every_router_route_is_served_in_router_order_after_the_nul_guard(app: FastAPI) -> None:
    served: list[BaseRoute] = app.router.routes
    own = [route for router in routers() for route in router.routes]
    assert isinstance(served[0], NulGuard)
    assert [route for route in served if isinstance(route, APIRoute)] == own
    # Nothing else but FastAPI's schema route and the static files (an included router would
    # be rebuilt for each app).
    others = [r for r in served[1:] if not isinstance(r, APIRoute)]
    assert sorted((type(r).__name__, getattr(r, "name", "")) for r in others) == [
        ("Mount", "static"),
        ("Route", "openapi"),
    ]


def test_no_router_relies_on_inclusion_for_prefix_or_dependencies() -> None:
    for router in routers():
        for route in router.routes:
            assert isinstance(route, APIRoute), f"{route!r}: include it, or add its routes"
            if router.prefix:
                assert route.path.startswith(router.prefix), route.path


def test_a_nul_byte_in_path_or_query_is_a_400_page_that_says_why(client: TestClient) -> None:
    for url in ("/kursus?q=%00", "/kursus/%00", "/masuk?next=a%00b"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert NUL_MESSAGE in response.text, url
        assert response.headers["content-type"].startswith("text/html")


def test_a_nul_byte_in_an_api_query_answers_json(client: TestClient) -> None:
    response = client.get("/api/v1/users?unit_id=%00")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert NUL_MESSAGE in response.text


def test_an_ordinary_url_is_not_caught_by_the_guard(client: TestClient) -> None:
    assert client.get("/masuk?next=%2Fkursus").status_code == 200
