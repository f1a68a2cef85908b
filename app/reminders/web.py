"""The reminders' pages, in the order main.py registers them."""

from fastapi import APIRouter

from app.reminders import routes

routers: list[APIRouter] = [routes.router]
