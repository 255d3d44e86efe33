"""APScheduler 3 wiring: one BackgroundScheduler, its SQLAlchemy job store on the bot's database,
Asia/Shanghai time, and the fixed list of recurring jobs (explicit ids, replaced on every start)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.clock import TZ

if TYPE_CHECKING:
    from bot.app import App

JOB_TABLE = "apscheduler_jobs"


@dataclass(frozen=True)
class RecurringJob:
    id: str
    func: str  # "module:function", so the job store can persist it
    trigger: str  # "cron" | "interval"
    # fixed arguments, or a function of the app's settings (for times read from the configuration)
    trigger_args: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)
    misfire_grace_time: int = 300


def _daily_at(setting: str) -> Callable[[Any], dict[str, Any]]:
    """Cron arguments for every day at the attendance setting `setting` (a time of day)."""

    def trigger_args(settings) -> dict[str, Any]:
        moment = getattr(settings.attendance, setting)
        return {"hour": moment.hour, "minute": moment.minute}

    return trigger_args


# Recurring jobs of every family, in one visible list.
RECURRING_JOBS: list[RecurringJob] = [
    # attendance: the 09:00 reminder on workdays; the nightly colour check of the day that closed
    RecurringJob("attendance.reminder", "scheduler.attendance_jobs:send_checkin_reminders", "cron",
                 _daily_at("reminder_time")),
    RecurringJob("attendance.warnings", "scheduler.attendance_jobs:check_attendance_warnings", "cron",
                 _daily_at("warning_time")),
    # national calendar: the weekly notice while a year's official schedule is missing (from 1 December)
    RecurringJob("calendar.missing_schedule", "scheduler.calendar_jobs:remind_missing_schedule", "cron",
                 {"hour": 9, "minute": 5}),
    # meetings: runs the planned sends that came due; after a restart it runs once and catches up
    RecurringJob("meetings-sweep", "scheduler.meeting_jobs:sweep", "interval", {"minutes": 1}, 24 * 3600),
    # votes: closes live votes whose deadline passed
    RecurringJob("votes.close_due", "scheduler.vote_jobs:close_due_votes", "interval", {"seconds": 60}, 60),
    # points: turns the settled events of the last days into ledger entries; tells colour changes once
    RecurringJob("points.award", "scheduler.points_jobs:award_points", "interval", {"minutes": 10}, 3600),
    # notices: re-@ who has not said 收到, report to the 书记/admins, final list at the deadline
    RecurringJob("notices.sweep", "scheduler.notice_jobs:sweep_notices", "interval", {"minutes": 1}, 24 * 3600),
    # retention: delivery bookkeeping older than [retention] days (never the township's records)
    RecurringJob("retention.prune", "scheduler.retention_jobs:prune_old_rows", "cron", {"hour": 3, "minute": 30},
                 6 * 3600),
]


def build_scheduler(app: App) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.engine, tablename=JOB_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=TZ,
    )
    for job in RECURRING_JOBS:
        trigger_args = job.trigger_args(app.settings) if callable(job.trigger_args) else job.trigger_args
        scheduler.add_job(
            job.func,
            job.trigger,
            id=job.id,
            replace_existing=True,
            misfire_grace_time=job.misfire_grace_time,
            **trigger_args,
        )
    return scheduler
