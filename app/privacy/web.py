"""The admin's personal-data pages (UU PDP): export and anonymise one person."""

from fastapi import APIRouter

from app.privacy import routes

routers: list[APIRouter] = [routes.router]
