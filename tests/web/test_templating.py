"""Template helpers: memoised url_for gives exactly the router's URLs."""

from __future__ import annotations

from fastapi import FastAPI
from jinja2 import Template

from app.web import templating
from app.web.templating import templates


def _render(app: FastAPI, source: str) -> str:
    from starlette.requests import Request

    request = Request({"type": "http", "app": app, "method": "GET", "path": "/", "headers": []})
    template: Template = templates.env.from_string(source)
    with templating.rendering(request):
        return template.render(request=request)


def test_url_for_memoises_per_name_and_parameters(app: FastAPI) -> None:
    first = _render(app, "{{ url_for('course', code='PPP-101') }}")
    second = _render(app, "{{ url_for('course', code='KOM-101') }}")
    again = _render(app, "{{ url_for('course', code='PPP-101') }}")

    assert (first, second, again) == ("/kursus/PPP-101", "/kursus/KOM-101", "/kursus/PPP-101")
    assert app.url_path_for("course", code="KOM-101") == second
    assert ("course", (("code", "PPP-101"),)) in app.state.url_paths


def test_url_for_cache_is_bounded(app: FastAPI, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(templating, "_URL_CACHE_SIZE", 2)
    urls = [_render(app, f"{{{{ url_for('course', code='K-{n}') }}}}") for n in range(5)]

    assert urls == [f"/kursus/K-{n}" for n in range(5)]
    assert len(app.state.url_paths) == 2
