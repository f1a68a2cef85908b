"""The class pages: the trainer's fixed paths (/kelas/baru) before the learner's /kelas/{id}."""

from fastapi import APIRouter

from app.classes import manage_routes, routes

routers: list[APIRouter] = [manage_routes.router, routes.router]
