"""The HTTP and WebSocket surface: the only package that imports FastAPI."""
