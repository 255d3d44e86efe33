"""Notice job: re-@ who has not said 收到, report them to the 书记/admins, close at the deadline.

One sweep every minute (and once at start-up) looks at every open notice and sends the latest step
that came due. The steps follow from the notice's time and the settings, so a restart needs no
re-registration; each step has its own outbox dedupe key, so a sweep that runs twice (or again
after a restart) sends it once; a step overtaken by a later one while the bot was down is skipped
rather than sent late. The final list at the deadline is always sent, once.
"""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Reply
from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import job_context
from storage.models import Member, Notice, Role
from storage.repositories import NoticeRepository, OrgRepository

__all__ = ["run_due_notices", "steps", "sweep_notices"]

REALERT = "🔔 通知 #{id} 还有 {n} 人没有回复收到：{names}\n{text}\n请回复 /收到 或点「收到」"
REPORT = "📋 通知 #{id} 发出已 {age}，还有 {n} 人没有回复收到：{names}。请 {bosses} 督促。"
FINAL = "⏹ 通知 #{id} 已截止：{done}/{total} 人收到。未收到：{names}。{bosses}"


@tell_admins_on_failure("通知催收")
def sweep_notices() -> int:
    """The recurring job: send what came due for every open notice; returns how many were sent."""
    with job_context() as ctx:
        return run_due_notices(ctx)


def steps(notice: Notice, settings) -> list[tuple[str, object]]:
    """(kind, due time) of a notice's re-alerts and its report, in time order, before the deadline."""
    created = notice.created_at
    planned = [(f"realert{i}", created + timedelta(minutes=m))
               for i, m in enumerate(sorted(set(settings.realert_minutes)), start=1) if m > 0]
    planned.append(("report", created + timedelta(minutes=settings.report_minutes)))
    return sorted((s for s in planned if s[1] < notice.deadline), key=lambda s: s[1])


def run_due_notices(ctx) -> int:
    now, sent = ctx.now(), 0
    notices = NoticeRepository(ctx.session)
    org = OrgRepository(ctx.session)
    for notice in notices.open_ones():
        acked = notices.acked_ids(notice.id)
        missing = [m for m in _members(ctx, notice.expected_ids) if m.id not in acked]
        if notice.deadline is not None and now >= notice.deadline:
            sent += _send(ctx, notice, "final", _final(ctx, org, notice, missing))
            notice.closed_at = now
            continue
        due = [kind for kind, at in steps(notice, ctx.settings.notices) if at <= now]
        if not due or not missing:
            continue
        kind = due[-1]
        reply = _report(ctx, org, notice, missing) if kind == "report" else _realert(notice, missing)
        sent += _send(ctx, notice, kind, reply)
    ctx.session.flush()
    return sent


def _send(ctx, notice: Notice, kind: str, reply: Reply) -> int:
    row = ctx.outbox.to_group(notice.group, reply, dedupe_key=f"notice:{notice.id}:{kind}")
    return 1 if row is not None else 0


def _realert(notice: Notice, missing: list[Member]) -> Reply:
    names = " ".join(f"@{m.name}" for m in missing)
    text = REALERT.format(id=notice.id, n=len(missing), names=names, text=notice.text)
    return Reply(text, mentions=tuple(m.id for m in missing))


def _report(ctx, org: OrgRepository, notice: Notice, missing: list[Member]) -> Reply:
    bosses = _bosses(org, notice)
    minutes = ctx.settings.notices.report_minutes
    age = f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"
    text = REPORT.format(id=notice.id, age=age, n=len(missing), names="、".join(m.name for m in missing),
                         bosses="、".join(f"@{m.name}" for m in bosses) or "书记")
    return Reply(text, mentions=tuple(m.id for m in bosses))


def _final(ctx, org: OrgRepository, notice: Notice, missing: list[Member]) -> Reply:
    bosses = _bosses(org, notice)
    total = len(notice.expected_ids)
    text = FINAL.format(id=notice.id, done=total - len(missing), total=total,
                        names="、".join(m.name for m in missing) or "无",
                        bosses=" ".join(f"@{m.name}" for m in bosses))
    return Reply(text.rstrip("。 ") + "。" if not bosses else text, mentions=tuple(m.id for m in bosses))


def _bosses(org: OrgRepository, notice: Notice) -> list[Member]:
    """Who hears about those who have not: the village's 书记, else (and for the township) the admins."""
    village_id = notice.group.village_id
    if village_id is not None:
        secretaries = [m for m in org.members_of_village(village_id) if m.role == Role.SECRETARY.value]
        if secretaries:
            return secretaries
    return org.admins(notice.township_id)


def _members(ctx, ids: list[int]) -> list[Member]:
    return [m for m in (ctx.session.get(Member, i) for i in ids) if m is not None]
