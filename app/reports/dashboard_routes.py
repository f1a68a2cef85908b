"""Report pages (see the module's own docstring once written)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
