"""Storage: SQLAlchemy 2.0 models, repositories, the unit of work and migrations.

Everything that knows about tables lives here. Repositories take a session and never commit;
`UnitOfWork` owns the transaction. Engines are made by `make_engine` in the composition root.
"""

from storage.db import make_engine, make_session_factory, migrate
from storage.uow import UnitOfWork

__all__ = ["UnitOfWork", "make_engine", "make_session_factory", "migrate"]
