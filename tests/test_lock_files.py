"""The lock files install what pyproject.toml asks for.

`make run`, `make test`, CI and the Dockerfile install exact versions with hashes from
requirements.lock / requirements-dev.lock. A dependency added to pyproject.toml without
running `make lock` would be missing on a fresh machine; these tests catch that offline.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, Version]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): Version(version) for name, version in _PIN.findall(text)}


def _declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    if extra:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", None), ("requirements-dev.lock", "dev")]
)
def test_every_declared_dependency_is_pinned_in_the_lock_within_its_range(
    lock: str, extra: str | None
) -> None:
    pins = _pins(lock)
    problems = []
    for requirement in _declared(extra):
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not in {lock}")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"{requirement.name}=={pinned} does not satisfy {requirement}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_a_hash() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text(encoding="utf-8")
        entries = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text.split("\n", 2)[-1])
        unhashed = [e.split()[0] for e in entries if "==" in e and "--hash=sha256:" not in e]
        assert not unhashed, f"{lock}: pinned without a hash: {unhashed}"
