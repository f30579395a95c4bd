"""chatsupport: anonymous, rota-aware chat support for children and young people."""

__version__ = "0.1.0"
