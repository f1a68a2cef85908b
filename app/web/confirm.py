"""A confirmation step for destructive actions, on the server (works without JavaScript).

A form whose action cannot be undone in one click (archive a course, deactivate an account,
revoke a token) posts without `konfirmasi`; the route answers with this page, which says what
will happen and posts the same fields again with `konfirmasi=ya`. Only that second post acts.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response

from app.web.templating import render

CONFIRM_FIELD = "konfirmasi"
CONFIRMED = "ya"


def is_confirmed(value: str) -> bool:
    """Whether the form came from the confirmation page."""
    return value == CONFIRMED


def confirmation_page(
    request: Request,
    *,
    title: str,
    consequence: str,
    confirm_label: str,
    cancel_url: str,
    fields: Mapping[str, str] | None = None,
) -> Response:
    """Ask before acting: the page re-posts `fields` to the same URL with the confirmation."""
    context = {
        "title": title,
        "consequence": consequence,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "action": request.url.path,
        "fields": dict(fields or {}),
        "confirm_field": CONFIRM_FIELD,
        "confirmed": CONFIRMED,
    }
    return render(request, "confirm/confirm.html", context)
