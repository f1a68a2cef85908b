import re

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    headers = client.get("/masuk").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in headers  # plain http: HSTS would be ignored


def test_hsts_is_sent_over_https(app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as client:
        assert "max-age=" in client.get("/masuk").headers["strict-transport-security"]


def test_error_pages_and_api_errors_carry_the_headers_too(client: TestClient) -> None:
    assert "content-security-policy" in client.get("/tidak-ada").headers
    assert client.get("/api/v1/users").headers["x-frame-options"] == "DENY"


def test_stylesheets_and_scripts_carry_only_what_applies_to_them(client: TestClient) -> None:
    """Document policies mean nothing on a CSS or JS file; documents, SVGs and the service
    worker keep them all."""
    page = client.get("/masuk").text
    for asset in re.findall(r'(?:href|src)="(/static/lentera\.[0-9a-f]+\.(?:css|js))"', page):
        headers = client.get(asset).headers
        assert headers["x-content-type-options"] == "nosniff", asset
        assert "content-security-policy" not in headers and "x-frame-options" not in headers
    assert len(re.findall(r"/static/lentera\.[0-9a-f]+\.(?:css|js)", page)) == 2
    for kept in ("/static/favicon.svg", "/sw.js"):
        assert "frame-ancestors 'none'" in client.get(kept).headers["content-security-policy"]
