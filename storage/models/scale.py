"""Bookkeeping for running many workers on one database: the roster version that tells every
process when its cached member and group look-ups are stale."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class RosterVersion(Base):
    """One row (id 1) whose number grows with every change to townships, villages, groups, members
    or their accounts, so a worker can check its cache with one primary-key read."""

    __tablename__ = "roster_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, default=0)
