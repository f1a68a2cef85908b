"""Prometheus metrics at /metrics, when LENTERA_METRICS is on.

Per process: with several workers, each answers for itself (scrape each, or front them with the
reverse proxy's own metrics). Request labels use the route template (/kursus/{code}), never the
raw path, so the number of series stays bounded whatever the URLs.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.orm import Session
from starlette.types import Scope

from app.errors import NotFound

# Counts the unexpired login sessions (app.accounts.auth.active_session_count, handed in by
# main.py so that this module imports no domain).
SessionCounter = Callable[[Session], int]


class Metrics:
    """The collectors of one application."""

    def __init__(self, count_sessions: SessionCounter) -> None:
        self.count_sessions = count_sessions
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lentera_http_requests_total",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lentera_http_request_duration_seconds",
            "HTTP request duration by route template.",
            ["route", "method"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.sessions = Gauge(
            "lentera_active_sessions", "Unexpired login sessions.", registry=self.registry
        )
        self.pool_checked_out = Gauge(
            "lentera_db_pool_checked_out",
            "Database connections in use (this process).",
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "lentera_db_pool_size", "Database pool size (this process).", registry=self.registry
        )

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """Count a finished request (app.web.edge calls this for each one)."""
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope["method"]
        self.requests.labels(template, method, str(status)).inc()
        self.latency.labels(template, method).observe(seconds)


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics_endpoint(request: Request) -> Response:
    """Prometheus text format; 404 unless LENTERA_METRICS is on."""
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if metrics is None:
        raise NotFound()
    engine = request.app.state.engine
    with request.app.state.sessionmaker() as session:
        metrics.sessions.set(metrics.count_sessions(session))
    pool = engine.pool
    if hasattr(pool, "checkedout"):
        metrics.pool_checked_out.set(pool.checkedout())
        metrics.pool_size.set(pool.size())
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
