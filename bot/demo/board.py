"""Demo scene for 积分 and the 公开栏: the points job turns the demo's events into ledger entries,
a 书记 adds and an admin corrects an entry, and the township's and villages' pages are written
to files (and their addresses under `cadrebot serve` printed) so a newcomer can open them."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from bot.adapters.console import ConsoleChat
from bot.web.routes import Board
from scheduler.points_jobs import apply_rules, check_points_colours
from scheduler.runtime import job_context
from storage.models import Member, Role, Township

SERVE_URL = "http://127.0.0.1:{port}"


def run_scene(app, clock, out: TextIO) -> None:
    out.write("\n—— 积分与公开栏 ——\n")
    with job_context(app) as ctx:
        added = apply_rules(ctx)
    with job_context(app) as ctx:
        check_points_colours(ctx)
    out.write(f"（积分任务：把打卡、会议、传达、表决等记录折算成 {added} 条积分记录，每件事只计一次）\n")
    secretary, cadre = _cast(app, "雅庄村")
    village = ConsoleChat(app, "雅庄村", out=out)
    village.say(f"/加分 {cadre} 5 志愿服务 参加冬季防火巡查", as_name=secretary)
    village.say("/积分", as_name=cadre)
    village.say("/积分 排行", as_name=cadre)
    _write_pages(app, out)


def _cast(app, village_name: str) -> tuple[str, str]:
    with app.unit_of_work() as uow:
        members = list(uow.session.scalars(
            select(Member).join(Member.village).where(Member.village.has(name=village_name)).order_by(Member.id)))
        secretary = next(m.name for m in members if m.role == Role.SECRETARY.value)
        cadre = next(m.name for m in members if m.role == Role.CADRE.value)
        return secretary, cadre


def _write_pages(app, out: TextIO) -> None:
    board = Board(app)
    folder = Path(app.settings.data_dir) / "board"
    folder.mkdir(parents=True, exist_ok=True)
    base = SERVE_URL.format(port=app.settings.web.port)
    with app.unit_of_work() as uow:
        townships = [(t.id, t.name, [(v.id, v.name) for v in t.villages])
                     for t in uow.session.scalars(select(Township).order_by(Township.id))]
    out.write(f"\n🌐 公开栏页面已写成文件（用浏览器打开）；运行 cadrebot serve 时的地址：\n")
    for township_id, name, villages in townships:
        _write(folder / f"township-{township_id}.html", board.township_html(township_id), out,
               f"{name}", f"{base}/board/t/{township_id}")
        for village_id, village_name in villages:
            _write(folder / f"village-{village_id}.html", board.village_html(village_id), out,
                   f"  {village_name}", f"{base}/board/v/{village_id}")


def _write(path: Path, html: str | None, out: TextIO, label: str, url: str) -> None:
    path.write_text(html or "", encoding="utf-8")
    out.write(f"   {label}：{path}  ←→  {url}\n")
