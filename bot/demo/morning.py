"""Demo scene: a workday morning of check-ins in 雅庄村 and 莲湖村, with the awkward cases
(a platform redelivering a message, a second try, a late arrival, a typo, a newcomer binding)."""

from __future__ import annotations

from typing import TextIO

from bot.adapters.console import ConsoleChat
from bot.app import App
from bot.clock import ManualClock


def run_scene(app: App, clock: ManualClock, out: TextIO) -> None:
    out.write("\n—— 早晨打卡（2026-11-24 周二，迟到线 08:30）——\n")
    yazhuang = ConsoleChat(app, "雅庄村", out=out)
    lianhu = ConsoleChat(app, "莲湖村", out=out)

    def at(hhmm: str) -> None:
        hour, minute = map(int, hhmm.split(":"))
        clock.set(clock.now().replace(hour=hour, minute=minute))

    at("07:52")
    yazhuang.say("/打卡", as_name="应建华")
    at("07:58")
    yazhuang.say("打卡", as_name="楼秀芳")
    at("08:03")
    yazhuang.say("@村务助手 /打卡", as_name="胡国平", message_id="demo-msg-1")
    out.write("        （平台超时重发了同一条消息 demo-msg-1 ↓，机器人不会重复记录或回复）\n")
    yazhuang.say("@村务助手 /打卡", as_name="胡国平", message_id="demo-msg-1")
    at("08:05")
    lianhu.say("／打卡", as_name="刘洋")
    lianhu.say("/打卡", as_name="赵磊")
    at("08:11")
    yazhuang.say("/打卡", as_name="应建华")
    at("08:20")
    yazhuang.say("/打咔", as_name="金丽娟")
    yazhuang.say("/打卡", as_name="金丽娟")
    at("08:42")
    yazhuang.say("/打卡", as_name="陈志强")
    at("08:50")
    yazhuang.say("/打卡", as_name="小周")
    yazhuang.say("/绑定 周敏", as_name="小周")
    township = ConsoleChat(app, "芝英镇", out=out)
    township.say("/绑定 确认 1", as_name="吴晓峰")
    yazhuang.say("/打卡", as_name="小周")
    at("09:00")
    yazhuang.say("/帮助", as_name="徐美玲")
