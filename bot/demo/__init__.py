"""`cadrebot demo`: a made-up township replayed through the real router on embedded SQLite.

No credentials, no network: the console adapter carries the messages, a manual clock moves time.
Scenes run in order, each printing its part of the transcript.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.app import build_app
from bot.clock import TZ, ManualClock
from bot.config import Settings
from bot.demo import attendance, board, meetings, morning, resolutions
from bot.demo.township import seed_month_history, seed_township

DEMO_DAY = datetime(2026, 11, 24, 7, 50, tzinfo=TZ)  # a Tuesday, a workday

# Each scene: run_scene(app, clock, out), after the township is seeded.
SCENES = [morning.run_scene, attendance.run_scene, resolutions.run_scene, meetings.run_scene]  # meetings moves days on
SCENES.append(board.run_scene)  # 积分 and the 公开栏 pages, after the days the meetings scene moved on


def run_demo(db_path: str | Path, out: TextIO) -> Path:
    path = Path(db_path).resolve()
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    clock = ManualClock(DEMO_DAY)
    settings = Settings(database_url=f"sqlite:///{path}", data_dir=path.parent)
    app = build_app(settings, clock=clock)
    try:
        counts = seed_township(app)
        history = seed_month_history(app, clock.today())
        out.write(f"🏘  演示乡镇：芝英镇，{counts['villages']} 个村，{counts['members']} 位成员（姓名均为虚构）；")
        out.write(f"本月此前的 {history} 条打卡记录已导入\n")
        for scene in SCENES:
            scene(app, clock, out)
    finally:
        app.close()
    out.write(f"\n📁 演示数据保存在：{path}\n")
    out.write(f"   想自己试试：cadrebot console --group 雅庄村  （设置 CADREBOT_DATABASE_URL=sqlite:///{path}）\n")
    return path
