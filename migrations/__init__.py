"""Alembic migrations, shipped inside the package as ``chatsupport.migrations``."""
