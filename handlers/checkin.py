"""/打卡: the daily check-in of a cadre, with the day's order and the late flag."""

from bot.clock import local
from bot.router import Router
from storage.models import Checkin
from storage.repositories import CheckinRepository

router = Router("checkin")

CHECKED_IN = "✅ {name} {time} 打卡成功，今日第 {order} 位"
CHECKED_IN_LATE = "⏰ {name} {time} 打卡成功（迟到），今日第 {order} 位"
ALREADY = "{name}，今天已于 {time} 打卡"
ALREADY_LATE = "{name}，今天已于 {time} 打卡（迟到）"


@router.command("打卡", aliases=("上班打卡",))
def check_in(message, ctx):
    """每天上班打卡，回复打卡时间和今日第几位
    /打卡
    """
    member = ctx.member
    at = local(message.received_at)
    checkins = CheckinRepository(ctx.session)
    late = at.time().replace(tzinfo=None) > ctx.settings.checkin.late_after
    checkin = Checkin(member_id=member.id, day=at.date(), checked_at=at, late=late, village_id=member.village_id)
    if not checkins.add_if_first(checkin):  # checked in before, or a double tap got there first
        return _already(member, checkins.of_member_on(member.id, at.date()))
    template = CHECKED_IN_LATE if late else CHECKED_IN
    return template.format(name=member.name, time=_hhmm(at), order=checkins.order_of(checkin))


def _already(member, earlier: Checkin) -> str:
    template = ALREADY_LATE if earlier.late else ALREADY
    return template.format(name=member.name, time=_hhmm(earlier.checked_at))


def _hhmm(moment) -> str:
    return local(moment).strftime("%H:%M")
