"""Jobs that cannot do their work say so in chat: the township admins are told in the township
group, once per job, township and day (an outbox dedupe key), never only the log.

Wrap a job function with `@tell_admins_on_failure("每日打卡提醒")`. The failed run's transaction
is rolled back; the notice is written in a fresh one.
"""

from __future__ import annotations

import functools
import logging
from typing import Callable

from sqlalchemy import select

from bot.errors import UserError
from bot.messages import Reply
from scheduler.runtime import job_context
from storage.models import Township
from storage.repositories import OrgRepository

log = logging.getLogger(__name__)

__all__ = ["FAILED", "tell_admins", "tell_admins_on_failure"]

FAILED = "❗ 定时任务「{job}」今天没有完成：{reason}\n请 {admins} 检查（运行日志里有详细原因）。"
UNKNOWN_REASON = "程序出错"


def tell_admins_on_failure(job_name: str) -> Callable[[Callable], Callable]:
    """Decorate a job: an exception is logged and told to every township's admins once a day."""

    def decorate(job: Callable) -> Callable:
        @functools.wraps(job)
        def run():
            try:
                return job()
            except Exception as error:  # a job must not die silently; this is its last word
                log.exception("job %s failed", job_name)
                tell_admins(job_name, _reason(error))
                return None

        return run

    return decorate


def tell_admins(job_name: str, reason: str, township_id: int | None = None) -> None:
    """Post the failure notice to the township group(s), @ the admins; once per day and township."""
    try:
        with job_context() as ctx:
            org = OrgRepository(ctx.session)
            query = select(Township).order_by(Township.id)
            if township_id is not None:
                query = query.where(Township.id == township_id)
            for township in ctx.session.scalars(query):
                admins = org.admins(township.id)
                text = FAILED.format(job=job_name, reason=reason,
                                     admins="、".join(f"@{m.name}" for m in admins) or "管理员")
                key = f"job-failed:{job_name}:{township.id}:{ctx.today().isoformat()}"
                ctx.outbox.to_groups(org.township_groups(township.id),
                                     Reply(text, mentions=tuple(m.id for m in admins)), dedupe_key=key)
    except Exception:
        log.exception("could not tell the admins that job %s failed", job_name)


def _reason(error: Exception) -> str:
    """A user-facing error's own Chinese text; anything else is not shown in a chat."""
    return str(error) if isinstance(error, UserError) and str(error) else UNKNOWN_REASON
