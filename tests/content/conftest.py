"""The demo-content fixtures live in tests/conftest.py; re-exported for older imports."""

from tests.conftest import CONTENT_DIR, content_copy, demo_content, demo_library

__all__ = ["CONTENT_DIR", "content_copy", "demo_content", "demo_library"]
