"""Layers point one way: the import graph of `app/` has no cycle, the base layer
(`web/`, `db`, `config`, `clock`, `errors`, `i18n`) imports no domain package, and the
authoring engine (`app/content/format/`) imports no database, web or other domain code.

The graph is read from the source with `ast`. Imports inside functions and under
`if TYPE_CHECKING:` count: a late or type-only import is still a dependency, it only hides the
cycle from Python.
`from app.x import y` counts as an import of the module `app.x.y` when `y` is a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# The base layer: every domain uses it, it uses no domain.
BASE = (
    "app.web",
    "app.db",
    "app.config",
    "app.clock",
    "app.errors",
    "app.i18n",
    "app.metrics",
    "app.observability",
    "app.ops",
)
# The domain packages. In `content/` only the store (database and web) is a domain: its
# authoring engine (parse, check, render) is pure and may be used by the base layer.
DOMAINS = (
    "app.accounts",
    "app.audit",
    "app.classes",
    "app.evaluation",
    "app.learning",
    "app.privacy",
    "app.reports",
    "app.ops_backup",
    "app.reminders",
)
# Every module of `app.content` outside `app.content.format` (filled in below, once the modules
# are known): the content store, which uses the database and the web.
CONTENT_STORE: tuple[str, ...] = ()
ENGINE = "app.content.format"
# What the authoring engine may import besides itself, and why.
ENGINE_MAY_IMPORT = {
    "app.i18n": "messages to trainers are translated",
    "app.reports.siasn": "the SIASN jenis diklat codes, a plain table checked in kursus.yaml",
}
# Libraries that would tie the engine to a server.
SERVER_LIBRARIES = ("sqlalchemy", "fastapi", "starlette", "jinja2", "alembic", "psycopg")

# (importer, imported): each entry says why the base layer may use that domain module.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    # Who is asking is the one question every page's dependency answers: the login session
    # lives in accounts, the base domain every other domain builds on (accounts imports no
    # other domain), so the request dependencies read it there.
    ("app.web.deps", "app.accounts.auth"): "the session user of every request",
    ("app.web.deps", "app.accounts.models"): "roles checked by every route",
    ("app.web.deps", "app.accounts.viewer"): "the viewer handed to every route",
    # NIP display and masking are pure functions (accounts/nip.py imports nothing from app)
    # that every template formats NIPs with.
    ("app.web.templating", "app.accounts.nip"): "pure NIP formatting used by every template",
    # The settings check their values against pure reference tables and rules (neither module
    # imports database or web code, nor the settings).
    ("app.config", "app.reports.siasn"): "SIASN's jenis diklat ids, checked at start-up",
    ("app.config", "app.accounts.nip"): "the signatory's NIP, checked at start-up",
    # Settings resolve the signing key on demand (a late import): the key's format belongs to
    # the certificates, its path and passphrase to the settings.
    ("app.config", "app.learning.signing"): "the configured certificate key, loaded on demand",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(APP.rglob("*.py"))}


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module `name` stands for, or its closest enclosing module in `app`."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> Iterator[str]:
    """Every module of `app` that `path` imports, wherever the import statement sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("app."):
                    target = _resolve(alias.name)
                    if target:
                        yield target
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base != "app" and not base.startswith("app."):
                continue
            for alias in node.names:
                target = _resolve(f"{base}.{alias.name}")
                if target:
                    yield target


CONTENT_STORE = tuple(
    name
    for name in MODULES
    if name.startswith("app.content.") and not (name == ENGINE or name.startswith(ENGINE + "."))
)


def import_graph() -> dict[str, set[str]]:
    """Module name -> the modules of `app` it imports."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        graph[name] = {target for target in _imports(name, path) if target != name}
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle path per strongly connected component with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_path(graph, component) for component in components]


def _cycle_path(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest path from the component's first module back to itself."""
    members = set(component)
    start = component[0]
    parents: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return component


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (importer, imported)
        for importer, targets in graph.items()
        if _in(importer, BASE)
        for imported in targets
        if _in(imported, DOMAINS + CONTENT_STORE)
    )


def test_the_graph_sees_imports_inside_functions() -> None:
    # clock.py reads the settings and main.py imports the content store inside functions.
    graph = import_graph()
    assert "app.config" in graph["app.clock"]
    assert "app.content.store" in graph["app.main"]


def test_app_has_no_import_cycle() -> None:
    cycles = find_cycles(import_graph())
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_base_layer_imports_no_domain_package() -> None:
    upward = upward_imports(import_graph())
    unexplained = [edge for edge in upward if edge not in ALLOWED_UPWARD]
    assert unexplained == [], "\n".join(f"{a} -> {b}" for a, b in unexplained)


def test_the_authoring_engine_uses_no_database_web_or_other_domain() -> None:
    # `lentera content check` runs the engine on a trainer's laptop, without a server.
    graph = import_graph()
    engine = [name for name in graph if name == ENGINE or name.startswith(ENGINE + ".")]
    assert len(engine) > 20, engine
    outside = sorted(
        (name, target)
        for name in engine
        for target in graph[name]
        if not _in(target, (ENGINE,)) and target not in ENGINE_MAY_IMPORT
    )
    assert outside == []
    libraries = sorted(
        (name, imported)
        for name in engine
        for imported in _third_party(MODULES[name])
        if imported.split(".")[0] in SERVER_LIBRARIES
    )
    assert libraries == []


def _third_party(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if not name.startswith("app")}


def test_every_allowed_upward_import_still_exists() -> None:
    # An allow-list entry whose import went away would silently allow it back later.
    upward = set(upward_imports(import_graph()))
    assert [edge for edge in ALLOWED_UPWARD if edge not in upward] == []


if __name__ == "__main__":  # pragma: no cover - prints today's graph problems
    for cycle in find_cycles(import_graph()):
        print("cycle:", " -> ".join(cycle))
    for a, b in upward_imports(import_graph()):
        print("upward:", a, "->", b, "(allowed)" if (a, b) in ALLOWED_UPWARD else "")
