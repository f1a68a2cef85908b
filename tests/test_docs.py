"""Documentation that drifts from the code is worse than none: these fail when it does."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from app.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TEST_SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))


def test_every_test_cited_in_the_security_model_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for path in re.findall(r"`(tests/[\w/]+\.py)", text):
        assert (ROOT / path).exists(), path
    without_paths = re.sub(r"tests/[\w/]+\.py(::\w+)?", "", text)
    for name in set(re.findall(r"\b(test_\w+)", without_paths)) | set(
        re.findall(r"\.py::(test_\w+)", text)
    ):
        assert f"def {name}(" in TEST_SOURCES, name


def _command_names(app: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or c.callback.__name__.replace('_', '-')}"  # type: ignore[union-attr]
             for c in app.registered_commands]  # fmt: skip
    for group in app.registered_groups:
        assert group.typer_instance is not None
        names += _command_names(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_cli_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _command_names(cli) if f"lentera {name}" not in readme]
    assert missing == []
