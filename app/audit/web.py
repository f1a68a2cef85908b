"""The audit trail's page for admins."""

from fastapi import APIRouter

from app.audit import routes

routers: list[APIRouter] = [routes.router]
