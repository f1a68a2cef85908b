"""The service worker (served from the root so it can control every page) and the offline page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.web.templating import render

router = APIRouter()


@router.get("/sw.js", include_in_schema=False)
def service_worker(request: Request) -> Response:
    # Always revalidated, so an updated worker reaches phones on their next visit.
    data = (request.app.state.static_dir / "sw.js").read_bytes()
    return Response(
        data,
        media_type="application/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/offline", name="offline_page", include_in_schema=False)
def offline_page(request: Request) -> Response:
    """What the service worker shows for a page that was not saved before going offline."""
    return render(request, "offline.html", {})
