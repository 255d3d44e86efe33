"""`INSERT … ON CONFLICT DO NOTHING` on SQLite and PostgreSQL: the one statement that both claims a
unique key and tells whether it was new, with no read first. Statements are built once per table
and dialect; the values go in as parameters, so SQLAlchemy's compiled cache serves every call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_if_new"]

_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_statements: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def insert_if_new(connection: Connection, table: Table, values: dict[str, Any], unique: tuple[str, ...]) -> int | None:
    """Insert one row unless a row with the same `unique` columns exists; return the new id or None.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction: if that one
    commits this returns None, if it rolls back this row goes in.
    """
    dialect = connection.dialect.name
    key = (dialect, table.name, unique)
    statement = _statements.get(key)
    if statement is None:
        statement = (
            _DIALECT_INSERT[dialect](table).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)
        )
        _statements[key] = statement
    return connection.execute(statement, values).scalar()
