"""What a job runs against. `serve` binds the running app once; a job function (module level, with
only ids and strings as arguments, so APScheduler's SQLAlchemy job store can persist it) opens a
`job_context()` — the same typed Context handlers get, with its own unit of work."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from bot.context import Context

if TYPE_CHECKING:
    from bot.app import App

_app: App | None = None

__all__ = ["bind", "current_app", "job_context"]


def bind(app: App | None) -> None:
    """Make `app` the one jobs run against (None unbinds, e.g. at shutdown or between tests)."""
    global _app
    _app = app


def current_app() -> App:
    if _app is None:
        raise RuntimeError("no app is bound for scheduled jobs; call scheduler.runtime.bind(app)")
    return _app


@contextmanager
def job_context(app: App | None = None) -> Iterator[Context]:
    """A Context for one job run; committed when the block ends without an exception."""
    app = app or current_app()
    with app.unit_of_work() as uow:
        ctx = Context.for_job(app, uow.session)
        yield ctx
        uow.commit()
