"""`INSERT … ON CONFLICT DO NOTHING` on SQLite and PostgreSQL: the one statement that both claims a
unique key and tells whether it was new, with no read first. Statements are built and compiled once
per table, dialect and set of columns, and run on the driver's cursor (storage/driver.py)."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Connection, Integer, Table, Text, TypeDecorator, bindparam, cast, column, func, select
from sqlalchemy.orm import Session
from sqlalchemy.dialects import postgresql, sqlite

from storage.driver import DriverStatement

__all__ = ["core_connection", "insert_if_new", "insert_many", "insert_many_if_new"]

_CONNECTION = "core_connection"  # session.info: this transaction's connection

_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_statements: dict[tuple, DriverStatement] = {}
_ROW_ORDER = "row_order"  # PostgreSQL: each row's place in the list, so serial ids follow it
_ROWS_PER_STATEMENT = 100  # well under SQLite's limit of bound variables, and few statement shapes


def core_connection(session: Session) -> Connection:
    """The connection of the session's current transaction, for Core statements on the hot path.

    `Session.connection()` walks the transaction stack on every call; this asks once per
    (sub)transaction. It must ask again in a new savepoint: the ORM emits SAVEPOINT lazily, on the
    first `Session.connection()` inside `begin_nested()`. Each (sub)transaction's answer is kept
    until the outer transaction ends (`forget_connection`), so returning to the outer transaction
    after a savepoint asks nothing."""
    current = session.get_nested_transaction() or session.get_transaction()
    known = session.info.get(_CONNECTION)
    if known is None:
        known = session.info[_CONNECTION] = {}
    connection = known.get(current)
    if connection is None or connection.closed:
        connection = known[current] = session.connection()
    return connection


def forget_connection(session: Session) -> None:
    session.info.pop(_CONNECTION, None)


def insert_if_new(connection: Connection, table: Table, values: dict[str, Any], unique: tuple[str, ...]) -> int | None:
    """Insert one row unless a row with the same `unique` columns exists; return the new id or None.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction: if that one
    commits this returns None, if it rolls back this row goes in.
    """
    dialect = connection.dialect.name
    key = (dialect, table.name, unique, tuple(values))
    statement = _statements.get(key)
    if statement is None:
        insert = _DIALECT_INSERT[dialect](table).on_conflict_do_nothing(index_elements=list(unique))
        statement = _statements[key] = DriverStatement(insert.returning(table.c.id), column_keys=list(values))
    return statement.scalar(connection, values)


def insert_many_if_new(
    connection: Connection, table: Table, rows: list[dict[str, Any]], unique: tuple[str, ...]
) -> list[tuple]:
    """Insert the rows whose `unique` columns are new; return the `unique` values of the rows
    inserted. A key given twice is inserted once. Every row has the same columns."""
    return [key for chunk in _chunks(connection, rows) for key in _insert_rows(connection, table, chunk, unique, unique)]


def insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows; their new ids, in the order of `rows` (a serial key is drawn row by row, in the
    order the rows are given). Every row has the same columns."""
    return [
        row_id for chunk in _chunks(connection, rows)
        for row_id in sorted(row_id for (row_id,) in _insert_rows(connection, table, chunk, ("id",)))
    ]


def _chunks(connection: Connection, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """PostgreSQL takes any number of rows in one statement (one JSON document); SQLite's VALUES lists are cut
    into pieces well under its limit of bound variables."""
    if connection.dialect.name == "postgresql":
        return [rows] if rows else []
    return [rows[start:start + _ROWS_PER_STATEMENT] for start in range(0, len(rows), _ROWS_PER_STATEMENT)]


def _insert_rows(
    connection: Connection, table: Table, rows: list[dict[str, Any]], returning: tuple[str, ...],
    unique: tuple[str, ...] | None = None,
) -> list[tuple]:
    if not rows:
        return []
    dialect, columns = connection.dialect.name, tuple(rows[0])
    if dialect == "postgresql":
        key = (dialect, table.name, unique, returning, columns)
        statement = _statements.get(key) or _statements.setdefault(key, _recordset_insert(table, columns, returning, unique))
        return statement.all(connection, {"rows": _recordset(table, columns, rows, connection.dialect)})
    key = (dialect, table.name, unique, returning, columns, len(rows))
    statement = _statements.get(key) or _statements.setdefault(key, _values_insert(table, columns, len(rows), returning, unique))
    return statement.all(connection, {f"{c}_{i}": row[c] for i, row in enumerate(rows) for c in columns})


def _values_insert(table: Table, columns: tuple[str, ...], count: int, returning, unique) -> DriverStatement:
    """SQLite: `INSERT … VALUES (…), (…), …` with one set of binds per row."""
    _check_defaults_given(table, columns)
    values = [{c: bindparam(f"{c}_{i}", type_=table.c[c].type) for c in columns} for i in range(count)]
    insert = sqlite.insert(table).values(values)
    if unique is not None:
        insert = insert.on_conflict_do_nothing(index_elements=list(unique))
    return DriverStatement(insert.returning(*(table.c[c] for c in returning)))


def _recordset_insert(table: Table, columns: tuple[str, ...], returning, unique) -> DriverStatement:
    """PostgreSQL: `INSERT … SELECT … FROM json_to_recordset(:rows) AS r(a type, b type, …)`: every
    row travels in ONE parameter, a JSON document that Python's C encoder writes, so the statement's
    text is the same for 1 row or 500 — psycopg converts it once (it re-parses a text with more than
    50 parameters on every call) and the server prepares it once. Arrays per column (`unnest`) did
    that too, but psycopg dumps arrays element by element in Python: 12 % of a web worker's CPU."""
    _check_defaults_given(table, columns)
    fields = [column(c, table.c[c].type) for c in columns] + [column(_ROW_ORDER, Integer)]
    given = func.json_to_recordset(cast(bindparam("rows", type_=Text), JSON)).table_valued(*fields)
    given = given.render_derived(with_types=True)
    rows = select(*(given.c[c] for c in columns)).order_by(given.c[_ROW_ORDER])  # serial ids in the given order
    insert = postgresql.insert(table).from_select(list(columns), rows, include_defaults=False)
    if unique is not None:
        insert = insert.on_conflict_do_nothing(index_elements=list(unique))
    return DriverStatement(insert.returning(*(table.c[c] for c in returning)))


def _recordset(table: Table, columns: tuple[str, ...], rows: list[dict[str, Any]], dialect) -> str:
    """The rows as the JSON document `_recordset_insert` reads: each value as its column's type
    would bind it (our aware datetimes as naive Shanghai time), dates and times in ISO format."""
    convert = [_to_json_value(table.c[c].type, dialect) for c in columns]
    records = [
        {**{c: (value if to is None or value is None else to(value)) for c, to, value in zip(columns, convert, map(row.get, columns))},
         _ROW_ORDER: order}
        for order, row in enumerate(rows)
    ]
    return json.dumps(records, ensure_ascii=False, default=_iso)


def _to_json_value(type_, dialect):
    if isinstance(type_, TypeDecorator):
        return lambda value: type_.process_bind_param(value, dialect)
    return None


def _iso(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into a JSON recordset")


def _check_defaults_given(table: Table, columns: tuple[str, ...]) -> None:
    """A multi-row insert applies no Python-side column default: a caller that leaves such a
    column out is told so, instead of the rows silently getting NULL."""
    missing = [c.name for c in table.columns if c.default is not None and c.name not in columns]
    if missing:
        raise ValueError(f"rows for {table.name} must give {', '.join(missing)} (a Python-side default)")
