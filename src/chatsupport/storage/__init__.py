"""Storage: the only package that imports SQLAlchemy.

Repository functions take an ``AsyncSession`` and keyword-only values, and return plain
dataclasses or table rows; transactions are opened by the caller with ``Database.read()`` or
``Database.write()``.
"""
