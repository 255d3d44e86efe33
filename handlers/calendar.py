"""/日程: the party calendar (主题党日, 支委会, 党员大会, 党课, 党建星期二…) and the meetings ahead."""

from __future__ import annotations

from bot.contract import ANYWHERE, Int, Scope
from bot.router import Router
from scheduler.party_calendar import upcoming

router = Router("calendar")

HEAD = "🗓 近 {days} 天日程："
LINE = "{when} {title}{place}"
NOTHING = "近 {days} 天没有日程。党建日程在配置文件 [meetings] calendar 中设置。"
WEEKDAYS = "一二三四五六日"


@router.command(
    "日程", aliases=("党建日程",), places=ANYWHERE, scope=Scope.SELF,
    args=(Int("days", "天数", optional=True, default=30, min=1, max=366, unit="天"),),
)
def schedule(message, ctx):
    """查看近期党建日程（主题党日、支委会、党员大会、党课等）
    /日程 —— 近 30 天
    /日程 天数 —— 例如 /日程 90
    """
    days = ctx.params.days
    events = upcoming(ctx.settings.meetings.calendar, ctx.now(), days)
    if not events:
        return NOTHING.format(days=days)
    lines = [HEAD.format(days=days)]
    for start, event in events[:40]:
        when = f"{start:%m-%d}（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}"
        lines.append(LINE.format(when=when, title=event.title, place=f"｜{event.place}" if event.place else ""))
    return "\n".join(lines)
