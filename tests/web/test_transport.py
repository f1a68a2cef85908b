"""Bytes on the wire: compression, page validators, fingerprinted static files."""

import re

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient


def test_pages_are_brotli_compressed_when_the_client_accepts_it(client: TestClient) -> None:
    response = client.get("/masuk", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["content-encoding"] == "br"
    assert "Accept-Encoding" in response.headers["vary"]
    assert "Masuk ke Lentera" in response.text  # httpx decodes it back


def test_gzip_is_used_when_brotli_is_not_offered(client: TestClient) -> None:
    response = client.get("/masuk", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


def test_compressed_page_is_much_smaller(client: TestClient) -> None:
    plain = client.get("/masuk", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    raw = client.get("/masuk", headers={"Accept-Encoding": "br"}, extensions={})
    assert int(raw.headers["content-length"]) < len(plain.content) / 2


def test_unchanged_page_revalidates_to_an_empty_304(client: TestClient) -> None:
    first = client.get("/masuk")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get("/masuk", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_static_files_have_fingerprinted_immutable_urls(client: TestClient) -> None:
    page = client.get("/masuk")
    match = re.search(r'href="(/static/lentera\.[0-9a-f]{10}\.css)"', page.text)
    assert match, "the stylesheet link is fingerprinted"
    css = client.get(match[1])
    assert css.status_code == 200
    assert "immutable" in css.headers["cache-control"]
    assert css.headers["content-type"].startswith("text/css")
    plain = client.get("/static/lentera.css")
    assert plain.headers["cache-control"].startswith("public, max-age=0")
    assert client.get("/static/tidak-ada.css").status_code == 404
    assert client.get("/static/../app/config.py").status_code == 404


def test_streamed_responses_are_compressed_chunk_by_chunk(app: FastAPI) -> None:
    @app.get("/uji-aliran")
    def stream() -> StreamingResponse:
        return StreamingResponse((f"baris {i};data\n" for i in range(2000)), media_type="text/csv")

    with TestClient(app) as client:
        response = client.get("/uji-aliran", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    assert response.text.count("\n") == 2000


def test_language_choice_is_remembered_in_a_cookie(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk").text)
    assert token
    response = client.post("/bahasa", data={"csrf_token": token[1], "lang": "en", "next": "/masuk"})
    assert response.status_code == 303 and response.headers["location"] == "/masuk"
    assert client.cookies.get("lentera_lang") == "en"
    assert '<html lang="en">' in client.get("/masuk").text
