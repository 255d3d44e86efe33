"""Meeting jobs. Each meeting's sends are planned as rows (`MeetingSend`) with a due time and an
expiry; one sweep job (every minute, and once at startup) runs the rows that came due.

Why rows and a sweep rather than one APScheduler date job per send: the plan lives in the same
transaction as the meeting (a cancelled meeting cancels its rows with it), a restart needs no
re-registration, and the rule for sends missed while the bot was down is explicit here: a row
looked at after its `expires_at` is dropped (no "meeting in 1 hour" after the start), otherwise it
is sent once. The outbox dedupe key per meeting and kind makes a send run twice queue once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config import MeetingSettings
from handlers.meeting_posts import post
from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import job_context
from storage.models import Meeting, MeetingSend
from storage.repositories import MeetingRepository

log = logging.getLogger(__name__)

__all__ = ["cancel_sends", "plan_sends", "sweep"]


def plan_sends(meeting: Meeting, settings: MeetingSettings, now: datetime) -> list[MeetingSend]:
    """The sends of a meeting, each with its due time and the time after which it is pointless."""
    start = meeting.starts_at
    plan: list[tuple[str, datetime, datetime | None]] = []
    reminders = sorted({m for m in settings.reminder_minutes if m > 0}, reverse=True)
    due_times = [start - timedelta(minutes=m) for m in reminders]
    for index, minutes in enumerate(reminders):
        # a reminder stops meaning anything once the next one (or the meeting) is due
        expires = due_times[index + 1] if index + 1 < len(due_times) else start
        if expires > now:
            plan.append((f"remind_{minutes}m", due_times[index], expires))
    grace = start + timedelta(minutes=settings.grace_minutes)
    plan.append(("signin_close", start, grace))
    plan.append(("roll_call", grace, start + timedelta(hours=12)))
    drawn = start + timedelta(minutes=settings.spot_check_after_minutes)
    deadline = drawn + timedelta(hours=settings.spot_check_hours)
    plan.append(("spot_check", drawn, deadline))
    plan.append(("spot_remind", drawn + timedelta(hours=settings.spot_check_remind_hours), deadline))
    if meeting.is_township_meeting:
        relay_deadline = start + timedelta(hours=settings.relay_hours)
        plan.append(("relay_remind", start + timedelta(hours=settings.relay_remind_hours), relay_deadline))
        plan.append(("relay_overdue", relay_deadline, relay_deadline + timedelta(days=3)))
    return [MeetingSend(kind=kind, due_at=due, expires_at=expires, status="planned") for kind, due, expires in plan]


def cancel_sends(repo: MeetingRepository, meeting: Meeting) -> int:
    """Cancel a meeting's planned sends; returns how many were still to come."""
    cancelled = 0
    for send in repo.sends(meeting.id):
        if send.status == "planned":
            send.status = "cancelled"
            cancelled += 1
    return cancelled


@tell_admins_on_failure("会议提醒与点名")
def sweep() -> int:
    """Run every planned send that is due (the recurring job, and the catch-up at startup).

    Returns how many were sent. Party-calendar meetings for the coming days are created first.
    """
    from scheduler.party_calendar import create_calendar_meetings

    with job_context() as ctx:
        create_calendar_meetings(ctx)
    with job_context() as ctx:
        return run_due(ctx)


def run_due(ctx) -> int:
    now = ctx.now()
    sent = 0
    for send in MeetingRepository(ctx.session).due_sends(now):
        if send.meeting.cancelled:
            send.status = "cancelled"
        elif send.expires_at is not None and now >= send.expires_at:
            log.info("dropping %s of meeting %s: due %s, expired %s", send.kind, send.meeting_id, send.due_at, send.expires_at)
            send.status = "dropped"
        else:
            try:
                with ctx.session.begin_nested():  # one broken send must not hold back the others
                    post(ctx, send)
            except Exception:
                log.exception("meeting %s: %s failed; retried next sweep until it expires", send.meeting_id, send.kind)
                continue
            send.status = "done"
            sent += 1
        send.done_at = now
    ctx.session.flush()
    return sent
