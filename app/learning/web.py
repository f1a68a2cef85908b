"""The learning pages: studying a course, quizzes, certificates, assignments, the offline sync
and the learning record."""

from fastapi import APIRouter

from app.learning import (
    assignment_routes,
    certificate_routes,
    offline,
    path_routes,
    record_routes,
    routes,
)

routers: list[APIRouter] = [
    routes.router,
    certificate_routes.router,
    assignment_routes.router,
    path_routes.router,
    offline.router,
    record_routes.router,
]
