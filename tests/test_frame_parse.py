"""frames.parse: the one-pass path gives what the step-by-step path gives, errors keep codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatsupport.hub import frames

VALID = [
    (frames.YOUTH_FRAMES, frames.YOUTH_TYPES, {"type": "open", "lang": "sv", "acks": "resends"}),
    (
        frames.YOUTH_FRAMES,
        frames.YOUTH_TYPES,
        {"v": 1, "type": "send", "client_id": "a", "text": "hei"},
    ),
    (frames.RESPONDER_FRAMES, frames.RESPONDER_TYPES, {"type": "hello", "resume": {"c1": 3}}),
    (frames.RESPONDER_FRAMES, frames.RESPONDER_TYPES, {"type": "claim", "chat_id": "c1"}),
]


@pytest.mark.parametrize(("adapter", "types", "data"), VALID)
def test_valid_frames_parse_as_the_careful_path_does(
    adapter: Any, types: frozenset[str], data: dict[str, Any]
) -> None:
    assert frames.parse(json.dumps(data), adapter, types) == adapter.validate_python(data)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("[1]", "frame.invalid"),
        ('{"type": "open", "v": 2}', "protocol.unsupported_version"),
        ('{"type": "fly"}', "frame.unknown_type"),
        ('{"type": "send", "client_id": "a"}', "frame.invalid"),
        ('{"type": "open", "x": ' + "[" * 50 + "]" * 50 + "}", "frame.invalid"),
        ("{", "frame.invalid"),
    ],
)
def test_bad_frames_keep_their_codes(raw: str, code: str) -> None:
    with pytest.raises(frames.FrameError) as caught:
        frames.parse(raw, frames.YOUTH_FRAMES, frames.YOUTH_TYPES)
    assert caught.value.code == code
