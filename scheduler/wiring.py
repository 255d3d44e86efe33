"""APScheduler 3 wiring: one BackgroundScheduler, its SQLAlchemy job store on the bot's database,
Asia/Shanghai time, and the fixed list of recurring jobs (explicit ids, replaced on every start)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    trigger_args: dict[str, Any] = field(default_factory=dict)
    misfire_grace_time: int = 300


# Recurring jobs of every family, in one visible list (families append theirs here).
RECURRING_JOBS: list[RecurringJob] = [
    # meetings: runs the planned sends that came due; after a restart it runs once and catches up
    RecurringJob("meetings-sweep", "scheduler.meeting_jobs:sweep", "interval", {"minutes": 1}, 24 * 3600),
]


def build_scheduler(app: App) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=app.engine, tablename=JOB_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=TZ,
    )
    for job in RECURRING_JOBS:
        scheduler.add_job(
            job.func,
            job.trigger,
            id=job.id,
            replace_existing=True,
            misfire_grace_time=job.misfire_grace_time,
            **job.trigger_args,
        )
    return scheduler
