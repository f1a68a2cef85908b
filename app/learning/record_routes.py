"""The learner's learning record (riwayat belajar) and external learning, and HR's queue."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
