"""deploy/constraints.txt pins every runtime dependency, so the image is reproducible."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_runtime_dependency_is_pinned() -> None:
    """Each package in pyproject's dependencies has an exact version in the constraints."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {
        _name(line): line.split("==", 1)[1]
        for line in (ROOT / "deploy" / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    missing = {_name(r) for r in project["dependencies"]} - set(pinned)
    assert not missing, f"regenerate deploy/constraints.txt (see its header): {sorted(missing)}"
