"""The evaluation pages: reaction surveys, action plans and their follow-up, observation."""

from fastapi import APIRouter

from app.evaluation import observation_routes, routes

routers: list[APIRouter] = [routes.router, observation_routes.router]
