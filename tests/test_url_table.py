"""The README's table of URL prefixes says which package and modules serve each one; it is
compared with the routes the app registers, so it cannot drift.

Print the table the routes give today with `python -m tests.test_url_table`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute

from app.config import Settings
from app.main import create_app

README = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "### URL prefixes"


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _routes(nested.routes)
        elif isinstance(route, APIRoute):
            yield route


def served() -> dict[tuple[str, str], set[str]]:
    """(URL prefix, package) -> the modules whose routes serve it."""
    app = create_app(Settings(database_url="sqlite://", load_content_on_start=False))
    table: dict[tuple[str, str], set[str]] = defaultdict(set)
    for route in _routes(app.router.routes):
        module = route.endpoint.__module__
        assert module.startswith("app."), (route.path, module)
        *package, name = module.removeprefix("app.").split(".")
        prefix = "/" + route.path.split("/")[1]
        table[(prefix, "/".join(package) + "/" if package else "app/")].add(f"{name}.py")
    return dict(table)


def render(table: dict[tuple[str, str], set[str]]) -> str:
    """The table as the README writes it, rows sorted by prefix then package."""
    lines = ["| URL prefix | package | modules |", "| --- | --- | --- |"]
    for (prefix, package), modules in sorted(table.items()):
        lines.append(f"| `{prefix}` | `{package}` | {', '.join(sorted(modules))} |")
    return "\n".join(lines)


def documented() -> dict[tuple[str, str], set[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split(HEADING, 1)[1].split("\n#", 1)[0]
    table: dict[tuple[str, str], set[str]] = {}
    for prefix, package, modules in re.findall(
        r"^\| `(/[^`]*)` \| `([^`]+)` \| ([^|]+) \|$", section, re.MULTILINE
    ):
        table[(prefix, package)] = {m.strip() for m in modules.split(",")}
    return table


def test_the_readme_url_table_matches_the_routes() -> None:
    assert documented() == served(), "README table should be:\n" + render(served())


def test_every_url_prefix_of_a_page_is_listed() -> None:
    # The parser above must find rows at all (a changed heading would make both sides empty).
    prefixes = {prefix for prefix, _package in documented()}
    assert {"/kursus", "/pegawai", "/laporan", "/api", "/admin"} <= prefixes


if __name__ == "__main__":  # pragma: no cover
    print(render(served()))
