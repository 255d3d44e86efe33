"""Statements of the hot path, compiled once per dialect by SQLAlchemy and run on the driver's cursor.

A burst of `/打卡` runs the same few statements thousands of times: mark the message id, insert the
check-in, count the day's order, queue the reply, and a savepoint around the handler. SQLAlchemy's
Core spends about 0.1 ms of bookkeeping on each execution (and compiles every SAVEPOINT anew), six
to eight times what SQLite itself needs for the statement. Here SQLAlchemy still writes the SQL
from the table definitions and supplies each column's bind processor (our aware-datetime type,
booleans on SQLite); only the execution goes straight to the DBAPI cursor of the transaction's
own connection, so it commits and rolls back with everything else. Driver errors are raised as
SQLAlchemy's exceptions, as Core would raise them.

Rows come back as tuples. The columns of a SELECT, and those a write RETURNs, go through their
types' result processors (an aware Asia/Shanghai datetime, JSON decoded, as the ORM would give).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

__all__ = ["DriverStatement", "run_on_driver", "use_driver_savepoints"]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    keys: tuple[str, ...]  # bind names, in the order a positional paramstyle needs them
    processors: tuple[Callable[[Any], Any] | None, ...]
    kinds: tuple[type, ...]  # each bind's type class: equal classes convert a value alike
    defaults: dict[str, Any]  # values given in the statement, and an INSERT's scalar column defaults
    positional: bool
    results: tuple[Callable[[Any], Any] | None, ...] | None  # result processors of the returned columns


class DriverStatement:
    """A Core statement executed with the driver's cursor; compiled on first use per dialect.

    `column_keys` names the columns an INSERT is given (as `Connection.execute` would infer from
    the values); other statements take their bind names from the statement itself."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}

    def first(self, connection: Connection, values: dict[str, Any]) -> tuple | None:
        """The first row of the result as a tuple, or None."""
        compiled = self._compiled_for(connection.dialect)
        row = run_on_driver(connection, compiled.sql, _parameters(compiled, values), fetch=True)
        return _processed(compiled, row) if row is not None else None

    def all(self, connection: Connection, values: dict[str, Any]) -> list[tuple]:
        """Every row of the result, as tuples."""
        compiled = self._compiled_for(connection.dialect)
        rows = run_on_driver(connection, compiled.sql, _parameters(compiled, values), fetch="all")
        return [_processed(compiled, row) for row in rows]

    def scalar(self, connection: Connection, values: dict[str, Any]) -> Any:
        row = self.first(connection, values)
        return row[0] if row else None

    def _compiled_for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self._statement, dialect, self._column_keys)
        return compiled


def _compile(statement: ClauseElement, dialect: Dialect, column_keys: list[str] | None) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    keys = tuple(compiled.positiontup) if compiled.positional else tuple(compiled.binds)
    processors = tuple(compiled.binds[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys)
    kinds = tuple(type(compiled.binds[key].type) for key in keys)
    defaults = {  # values written into the statement (`.values(status="handled")`), then column defaults
        key: bind.effective_value for key, bind in compiled.binds.items() if not bind.required and not bind.callable
    } | {
        column.key: column.default.arg
        for column in getattr(compiled, "insert_prefetch", ())
        if column.default is not None and column.default.is_scalar
    }
    selected = getattr(statement, "exported_columns", None)  # a SELECT's columns, or a write's RETURNING
    results = (
        tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected)
        if selected else None
    )
    if results is not None and not any(results):
        results = None
    return _Compiled(compiled.string, keys, processors, kinds, defaults, compiled.positional, results)


def _processed(compiled: _Compiled, row) -> tuple:
    if compiled.results is None:
        return tuple(row)
    return tuple(process(value) if process is not None else value for process, value in zip(compiled.results, row))


def _parameters(compiled: _Compiled, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
    """The bound values, each through its type's bind processor. The rows of a multi-row INSERT
    share their instants (a batch's `now`): each distinct datetime is converted once per call."""
    if compiled.defaults:
        values = {**compiled.defaults, **values}
    converted: dict[tuple, Any] = {}
    processed = []
    for key, process, kind in zip(compiled.keys, compiled.processors, compiled.kinds):
        value = values[key]
        if process is None or value is None:
            processed.append(value if process is None else process(value))
        elif value.__class__ is datetime:
            memo = (kind, value)
            if memo not in converted:
                converted[memo] = process(value)
            processed.append(converted[memo])
        else:
            processed.append(process(value))
    return processed if compiled.positional else dict(zip(compiled.keys, processed))


def run_on_driver(connection: Connection, sql: str, parameters=(), *, fetch: bool | str = False):
    """Run one statement on the DBAPI connection of `connection` (inside its transaction); return
    nothing, the first row (`fetch=True`) or every row (`fetch="all"`)."""
    dialect = connection.dialect
    dbapi_connection = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql, parameters)
        if fetch == "all":
            return cursor.fetchall()
        return cursor.fetchone() if fetch else None
    except dialect.loaded_dbapi.Error as error:
        disconnected = dialect.is_disconnect(error, dbapi_connection, cursor)
        if disconnected:  # as Core does: this connection is dropped, the pool hands out new ones
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql, parameters, error, dialect.loaded_dbapi.Error, connection_invalidated=disconnected
        ) from error
    finally:
        try:
            cursor.close()
        except dialect.loaded_dbapi.Error:
            pass  # a cursor of a connection that broke


def use_driver_savepoints(engine: Engine) -> None:
    """SAVEPOINT, RELEASE and ROLLBACK TO through the driver's cursor, for every connection of the
    engine. SQLAlchemy (2.x) compiles a fresh SAVEPOINT clause and runs it through the full Core
    path each time — about 0.2 ms per handler for a statement whose text never changes; the ORM's
    nested transactions (`Session.begin_nested`) keep working as before on top of these hooks."""
    dialect = engine.dialect
    dialect.do_savepoint = lambda connection, name: run_on_driver(connection, f"SAVEPOINT {name}")
    dialect.do_release_savepoint = lambda connection, name: run_on_driver(connection, f"RELEASE SAVEPOINT {name}")
    dialect.do_rollback_to_savepoint = (
        lambda connection, name: run_on_driver(connection, f"ROLLBACK TO SAVEPOINT {name}")
    )
