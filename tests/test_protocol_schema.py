"""The published protocol schema is generated from the code and kept in the repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from chatsupport.hub import frames
from tests.helpers import running_app

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_matches_the_code() -> None:
    """docs/protocol.schema.json is what `chatsupport protocol-schema` prints now."""
    printed = subprocess.run(
        [sys.executable, "-m", "chatsupport", "protocol-schema"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    committed = (ROOT / "docs" / "protocol.schema.json").read_text()
    assert json.loads(printed) == json.loads(committed), "regenerate docs/protocol.schema.json"


async def test_schema_is_served(settings_values: dict[str, Any]) -> None:
    """GET /api/protocol/schema.json serves the same schema."""
    async with running_app(settings_values) as (client, _):
        served = (await client.get("/api/protocol/schema.json")).json()
    assert served == json.loads(json.dumps(frames.json_schema()))


def test_every_frame_type_is_documented() -> None:
    """docs/protocol.md names every client and server frame type."""
    doc = (ROOT / "docs" / "protocol.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", doc, flags=re.MULTILINE))
    server_types = {
        m.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
        for m in frames.ServerFrame.__args__[0].__args__  # type: ignore[attr-defined]
    }
    assert (frames.YOUTH_TYPES | frames.RESPONDER_TYPES | server_types) - documented == set()
