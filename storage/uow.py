"""The unit of work: one transaction per inbound message or per job, committed explicitly."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork:
    """`with UnitOfWork(factory) as uow: ...; uow.commit()` — anything not committed is rolled back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(self, *exc_info) -> None:
        # close() rolls back whatever was not committed and keeps loaded objects readable
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
