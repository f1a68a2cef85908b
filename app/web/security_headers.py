"""Security headers on every response: a strict Content-Security-Policy and friends.

No inline script or style exists in Lentera (the one script and the stylesheet are files), so
the policy can forbid both. Course SVGs get their own, stricter policy where they are served.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# Stylesheets and scripts are not documents: browsers apply a CSP, a frame or referrer policy
# and an opener policy to documents and workers only (the service worker is served at /sw.js,
# outside /static/, and keeps them). Leaving them off the files under /static/ saves ~470
# bytes per file on a learner's first visit, on a phone that pays for every byte.
_SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/javascript")


def apply(headers: MutableHeaders, *, path: str, over_https: bool) -> None:
    """Add the headers to a response's, unless its route already set its own (e.g. a
    stricter CSP for SVG). Called by app.web.edge as each response starts."""
    subresource = path.startswith("/static/") and headers.get("content-type", "").startswith(
        _SUBRESOURCE_TYPES
    )
    if subresource:
        headers.setdefault("x-content-type-options", "nosniff")
    else:
        for name, value in HEADERS.items():
            headers.setdefault(name, value)
        headers.setdefault("content-security-policy", CSP)
    if over_https:
        headers.setdefault("strict-transport-security", HSTS)
    if path.startswith("/api/"):
        # Personal data for HR systems, errors included: never cached anywhere.
        headers["cache-control"] = "no-store"
