"""A job that cannot do its work says so in chat, to the admins, once a day — not only in the log."""

from datetime import date

import pytest

from scheduler import attendance_jobs, runtime
from tests.attendance_helpers import at, chat


@pytest.fixture
def bound(app):
    runtime.bind(app)
    yield app
    runtime.bind(None)


def test_a_failing_job_tells_the_admins_once_a_day(world, clock, bound, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(attendance_jobs, "month_report", broken)
    at(clock, date(2026, 11, 24), 0, 30)
    attendance_jobs.check_attendance_warnings()
    attendance_jobs.check_attendance_warnings()
    assert chat(world, "wx-zhiying").new_texts() == [
        "❗ 定时任务「考勤预警」今天没有完成：程序出错\n请 @孙丽 检查（运行日志里有详细原因）。"]
    assert "database went away" in caplog.text  # the detail stays in the log, out of the chat
    assert chat(world).new_texts() == []  # village groups are not bothered

    at(clock, date(2026, 11, 25), 0, 30)
    attendance_jobs.check_attendance_warnings()
    assert len(chat(world, "wx-zhiying").new_texts()) == 1  # the next day, once again
