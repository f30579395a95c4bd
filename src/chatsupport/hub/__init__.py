"""This process's live WebSocket connections: frames, fan-out, resume."""
