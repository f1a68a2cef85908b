"""The evaluation pages: reaction surveys, action plans and their follow-up."""

from fastapi import APIRouter

from app.evaluation import routes

routers: list[APIRouter] = [routes.router]
