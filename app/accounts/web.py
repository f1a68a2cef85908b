"""The accounts' pages, in the order main.py registers them.

`/pegawai/{nip}` (person_routes) is registered after every other package: it would otherwise
answer `/pegawai/impor`, `/pegawai/penugasan` and the other fixed `/pegawai/...` pages.
"""

from fastapi import APIRouter

from app.accounts import language, people_routes, person_routes, routes

routers: list[APIRouter] = [routes.router, people_routes.router, language.router]
last_routers: list[APIRouter] = [person_routes.router]
