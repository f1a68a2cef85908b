"""The content store's pages: the course catalogue under /kursus and the trainers' /pengajar."""

from fastapi import APIRouter

from app.content import routes, trainer_routes

routers: list[APIRouter] = [routes.router, trainer_routes.router]
