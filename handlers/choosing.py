"""Small choices several families make the same way: which township a command-line report means,
and when a typed deadline (`截止 30分钟`, `截止 20:00`) falls."""

from __future__ import annotations

from datetime import datetime, timedelta, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.errors import UserError
from storage.models import Township

__all__ = ["township_named", "deadline_from"]

NO_TOWNSHIP = "数据库里没有镇「{name}」。"
WHICH_TOWNSHIP = "数据库里有多个镇（{names}），请用 --township 指定。"
PAST_DEADLINE = "截止时间 {at} 已经过了。"


def township_named(session: Session, name: str | None) -> Township:
    """The township called `name`, or the only one when no name is given (else a Chinese error)."""
    townships = list(session.scalars(select(Township).order_by(Township.id)))
    if name is not None:
        found = [t for t in townships if t.name == name]
        if not found:
            raise UserError(NO_TOWNSHIP.format(name=name))
        return found[0]
    if len(townships) != 1:
        raise UserError(WHICH_TOWNSHIP.format(names="、".join(t.name for t in townships) or "无"))
    return townships[0]


def deadline_from(value: timedelta | time | None, now: datetime) -> datetime | None:
    """A typed deadline as a moment: a duration from now, or a clock time today (not past)."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return now + value
    deadline = local(now).replace(hour=value.hour, minute=value.minute, second=0, microsecond=0)
    if deadline <= now:
        raise UserError(PAST_DEADLINE.format(at=value.strftime("%H:%M")))
    return deadline
