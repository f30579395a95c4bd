"""The Dockerfile's own steps, run here as the image would run them (no Docker engine here).

The test reads the Dockerfile rather than repeating it: the files its build stage copies, its
install command, its environment, its CMD and its HEALTHCHECK. Only the paths change (/src,
/opt/chatsupport and the data directory become temporary folders) and the port (a free one).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
VENV_IN_IMAGE = "/opt/chatsupport"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def build_stage() -> list[tuple[str, str]]:
    steps = instructions()
    starts = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    return steps[starts[0] : starts[1]]


def runtime_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in instructions():
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def exec_form(word: str) -> list[str]:
    (rest,) = [r for w, r in instructions() if w == word]
    if word == "HEALTHCHECK":
        rest = rest[rest.index("CMD") + 3 :]
    parsed: list[str] = json.loads(rest)
    return parsed


def test_image_steps_install_and_serve(tmp_path: Path) -> None:
    """The build stage installs the service and its licence; CMD starts it; HEALTHCHECK passes."""
    src, venv = tmp_path / "src", tmp_path / "opt-chatsupport"
    for word, rest in build_stage():
        if word == "COPY":
            *sources, _target = rest.split()
            for source in sources:
                _copy(ROOT / source, src / source)
    (run,) = [rest for word, rest in build_stage() if word == "RUN"]
    run = run.replace("python -m venv", f"{sys.executable} -m venv").replace(
        VENV_IN_IMAGE, str(venv)
    )
    subprocess.run(run, shell=True, cwd=src, check=True, capture_output=True, timeout=900)  # noqa: S602
    # EUPL art. 5: every copy carries the licence; the image's install holds its text.
    (shipped,) = venv.glob("lib/python*/site-packages/chatsupport-*.dist-info/licenses/LICENSE")
    assert shipped.read_text() == (ROOT / "LICENSE").read_text()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSUPPORT_")}
    env.update(runtime_env())
    env.update(
        PATH=f"{venv / 'bin'}:{env['PATH']}",
        CHATSUPPORT_DATA_DIR=str(tmp_path / "data"),
        CHATSUPPORT_HOST="127.0.0.1",
        CHATSUPPORT_PORT=str(port),
    )
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        exec_form("CMD"), env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
    )
    log.close()  # the child keeps its own descriptor
    try:
        check = [part.replace("8000", str(port)) for part in exec_form("HEALTHCHECK")]
        check[0] = str(venv / "bin" / check[0])
        for _ in range(200):
            if (
                subprocess.run(
                    check, env=env, capture_output=True, timeout=10, check=False
                ).returncode
                == 0
            ):
                break
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        else:
            raise AssertionError("the HEALTHCHECK command never passed")
    finally:
        server.terminate()
        server.wait(15)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(source, target)
