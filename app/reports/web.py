"""The reports' pages and the HR API."""

from fastapi import APIRouter

from app.reports import (
    admin_routes,
    api,
    dashboard_routes,
    evaluation_overview_routes,
    pace_routes,
    routes,
    trainer_report_routes,
)

routers: list[APIRouter] = [
    routes.router,
    admin_routes.router,
    api.router,
    dashboard_routes.router,
    trainer_report_routes.router,
    evaluation_overview_routes.router,
    pace_routes.router,
]
