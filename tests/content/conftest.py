"""Fixtures for the database half of the content tests: the demo courses, imported once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.content import loader, store

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="session")
def demo_library() -> loader.Library:
    """The demo content, parsed and rendered once for the whole run (it is pure)."""
    return loader.load_library(CONTENT_DIR)


@pytest.fixture
def demo_content(session: Session, demo_library: loader.Library) -> store.ImportReport:
    """The demo courses published in this test's database."""
    report = store.import_library(session, CONTENT_DIR, library=demo_library)
    session.commit()
    return report


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo content folder."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target
