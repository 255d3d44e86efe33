"""Alembic migrations for CadreBot's schema (run by `storage.migrate`)."""
