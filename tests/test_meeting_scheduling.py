"""Scheduling of meeting sends: a restart in the middle of the cycle (missed sends fire once if
still meaningful, else are dropped), and the sweep job persisted in APScheduler's SQLAlchemy store."""

import threading
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import select

from bot.app import build_app
from bot.clock import TZ
from scheduler import runtime
from scheduler.wiring import JOB_TABLE, build_scheduler
from storage.models import MeetingSend
from tests.factories import outbox_rows
from tests.meeting_helpers import at, sweep

NEW = "/会议 新建 2026-11-28 14:30 两委例会 主题：安全生产 地点：镇三楼会议室"


def statuses(app) -> dict[str, str]:
    with app.unit_of_work() as uow:
        return dict(uow.session.execute(select(MeetingSend.kind, MeetingSend.status)).all())


def firsts(app) -> list[str]:
    return [row.text.split("\n")[0] for row in outbox_rows(app, "wecom", "wx-zhiying")]


def test_restart_mid_cycle_neither_loses_nor_duplicates(world, clock, settings):
    world.chat("wx-zhiying").reply(NEW, "sunli")
    clock.set(at("2026-11-25 14:30"))
    sweep(world.app)
    # the bot goes down before the 1-day reminder and comes back 50 minutes before the start
    world.app.close()
    clock.set(at("2026-11-28 13:40"))
    restarted = build_app(settings, clock=clock, migrate_db=False)
    try:
        sweep(restarted)
        sweep(world.app)  # the old process's last run racing the new one changes nothing
        assert statuses(restarted)["remind_1440m"] == "dropped"
        assert statuses(restarted)["remind_60m"] == "done"
        # down again over the start: the sign-in close is pointless now, the roll call is not
        clock.set(at("2026-11-28 15:00"))
        sweep(restarted)
        sweep(restarted)
        assert statuses(restarted)["signin_close"] == "dropped"
        assert firsts(restarted) == [
            "✅ 已安排会议 #1「两委例会」",
            "📅 会议提醒：3 天后召开「两委例会」",
            "📅 会议提醒：1 小时后召开「两委例会」",
            "📋「两委例会」点名（2026-11-28 14:30）",
        ]
    finally:
        restarted.close()


def test_reminder_missed_entirely_is_not_sent_after_the_start(world, clock):
    world.chat("wx-zhiying").reply(NEW, "sunli")
    clock.set(at("2026-11-28 14:35"))  # down from creation until after the start
    sweep(world.app)
    assert [text for text in firsts(world.app) if "会议提醒" in text] == []
    assert {k: v for k, v in statuses(world.app).items() if k.startswith("remind")} == {
        "remind_4320m": "dropped", "remind_1440m": "dropped", "remind_60m": "dropped"
    }


def test_meeting_created_within_a_day_gets_only_the_reminders_still_ahead(world, clock):
    clock.set(at("2026-11-28 09:00"))
    world.chat("wx-zhiying").reply(NEW, "sunli")
    assert sorted(k for k in statuses(world.app) if k.startswith("remind")) == ["remind_1440m", "remind_60m"]
    sweep(world.app)  # the 1-day reminder is due already and still before the next one: sent now
    assert firsts(world.app)[-1] == "📅 会议提醒：1 天后召开「两委例会」"


def test_sweep_job_is_persisted_in_the_job_store_and_restored(app, clock):
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
    # a new process: a scheduler on the same database that adds nothing finds the job there
    store = SQLAlchemyJobStore(engine=app.engine, tablename=JOB_TABLE)
    restored = BackgroundScheduler(jobstores={"default": store}, timezone=TZ)
    restored.start(paused=True)
    try:
        job = restored.get_job("meetings-sweep")
        assert job is not None and job.func_ref == "scheduler.meeting_jobs:sweep"
        assert job.next_run_time.tzinfo is not None
    finally:
        restored.shutdown(wait=False)


def test_real_scheduler_runs_the_sweep_and_sends_a_due_reminder(world, clock):
    world.chat("wx-zhiying").reply(NEW, "sunli")
    clock.set(at("2026-11-25 14:30"))
    done = threading.Event()
    outcome = {}

    def listen(event):
        outcome["error"] = getattr(event, "exception", None)
        done.set()

    runtime.bind(world.app)
    scheduler = build_scheduler(world.app)
    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    try:
        # the job came due while "the bot was down" (wall time: APScheduler does not know our clock)
        scheduler.modify_job("meetings-sweep", next_run_time=datetime.now(TZ) - timedelta(minutes=5))
        scheduler.resume()
        assert done.wait(timeout=20), "the sweep job did not run"
    finally:
        scheduler.shutdown(wait=True)
        runtime.bind(None)
    assert outcome["error"] is None
    assert firsts(world.app)[-1] == "📅 会议提醒：3 天后召开「两委例会」"


def test_a_failing_send_is_retried_later_without_holding_back_others(world, clock, monkeypatch):
    from handlers import meeting_posts

    world.chat("wx-zhiying").reply(NEW, "sunli")
    world.chat("wx-yazhuang").reply("/会议 新建 2026-11-28 09:00 村两委会", "zhangjg")
    real_post = meeting_posts.post

    def flaky(ctx, send):
        if send.meeting_id == 1:
            raise RuntimeError("platform hiccup")
        real_post(ctx, send)

    monkeypatch.setattr("scheduler.meeting_jobs.post", flaky)
    clock.set(at("2026-11-25 14:30"))
    sweep(world.app)
    assert [t.split("\n")[0] for t in world.chat("wx-yazhuang").new_texts()][-1] == "📅 会议提醒：3 天后召开「村两委会」"
    assert not any("两委例会」" in t and "会议提醒" in t for t in firsts(world.app))
    monkeypatch.setattr("scheduler.meeting_jobs.post", real_post)
    clock.set(at("2026-11-25 14:31"))
    sweep(world.app)
    assert firsts(world.app)[-1] == "📅 会议提醒：3 天后召开「两委例会」"
