"""The class pages: the trainer's fixed paths (/kelas/baru) before the learner's /kelas/{id}."""

from fastapi import APIRouter

from app.classes import code_routes, manage_routes, routes

routers: list[APIRouter] = [manage_routes.router, code_routes.router, routes.router]
