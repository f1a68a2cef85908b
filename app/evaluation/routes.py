"""Evaluation pages (reaction survey, action plan, follow-up, supervisor confirmation)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
