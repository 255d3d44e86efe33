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
from storage.models import Member, Notice
from storage.repositories import NoticeRepository, OrgRepository, Overseers

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
    """Send the step that came due of every open notice. The notices, who was asked and who said
    收到 are loaded for all of them at once, and only for those with a step due."""
    now, sent = ctx.now(), 0
    notices = NoticeRepository(ctx.session)
    due = [(n, kind) for n in notices.open_ones() if (kind := _step_due(n, ctx.settings.notices, now))]
    if not due:
        return 0
    acked = notices.acked_ids_of([notice.id for notice, _ in due])
    members = OrgRepository(ctx.session).members_by_id(i for notice, _ in due for i in notice.expected_ids)
    todo = []  # (notice, step, who has not said 收到)
    for notice, kind in due:
        missing = [members[i] for i in notice.expected_ids if i in members and i not in acked.get(notice.id, ())]
        if missing or kind == "final":  # the final list goes even when everyone answered
            todo.append((notice, kind, missing))
    overseers = _overseers(ctx, [notice for notice, kind, _ in todo if kind in ("report", "final")])
    for notice, kind, missing in todo:
        if kind == "final":
            reply = _final(notice, missing, _bosses(overseers, notice))
            notice.closed_at = now
        elif kind == "report":
            reply = _report(ctx, notice, missing, _bosses(overseers, notice))
        else:
            reply = _realert(notice, missing)
        sent += _send(ctx, notice, kind, reply)
    ctx.session.flush()
    return sent


def _step_due(notice: Notice, settings, now) -> str | None:
    """The latest step of the notice that came due by `now` ("final" once past its deadline)."""
    if notice.deadline is not None and now >= notice.deadline:
        return "final"
    came = [kind for kind, at in steps(notice, settings) if at <= now]
    return came[-1] if came else None


def _send(ctx, notice: Notice, kind: str, reply: Reply) -> int:
    row = ctx.outbox.to_group(notice.group, reply, dedupe_key=f"notice:{notice.id}:{kind}")
    return 1 if row is not None else 0


def _realert(notice: Notice, missing: list[Member]) -> Reply:
    names = " ".join(f"@{m.name}" for m in missing)
    text = REALERT.format(id=notice.id, n=len(missing), names=names, text=notice.text)
    return Reply(text, mentions=tuple(m.id for m in missing))


def _report(ctx, notice: Notice, missing: list[Member], bosses: list[Member]) -> Reply:
    minutes = ctx.settings.notices.report_minutes
    age = f"{minutes // 60} 小时" if minutes % 60 == 0 else f"{minutes} 分钟"
    text = REPORT.format(id=notice.id, age=age, n=len(missing), names="、".join(m.name for m in missing),
                         bosses="、".join(f"@{m.name}" for m in bosses) or "书记")
    return Reply(text, mentions=tuple(m.id for m in bosses))


def _final(notice: Notice, missing: list[Member], bosses: list[Member]) -> Reply:
    total = len(notice.expected_ids)
    text = FINAL.format(id=notice.id, done=total - len(missing), total=total,
                        names="、".join(m.name for m in missing) or "无",
                        bosses=" ".join(f"@{m.name}" for m in bosses))
    return Reply(text.rstrip("。 ") + "。" if not bosses else text, mentions=tuple(m.id for m in bosses))


def _overseers(ctx, notices: list[Notice]) -> Overseers:
    """The 书记 and admins of every notice that reports this sweep, in one query (none if none does)."""
    if not notices:
        return Overseers()
    org = OrgRepository(ctx.session)
    return org.secretaries_or_admins({n.township_id for n in notices}, {n.group.village_id for n in notices})


def _bosses(overseers: Overseers, notice: Notice) -> list[Member]:
    """Who hears about those who have not: the village's 书记, else (and for the township) the admins."""
    return overseers.of(notice.township_id, notice.group.village_id)
