"""/打卡: the daily check-in of a cadre, with the day's order and the late flag."""

from datetime import date, datetime

from bot.cards import CHECKIN_CARD
from bot.clock import local
from bot.contract import ANYWHERE, Scope
from bot.messages import Button, Card, Reply
from bot.router import Router
from handlers.dates import show_day
from storage.repositories import CheckinRepository, LeaveRepository, NewCheckin, OrgRepository

router = Router("checkin")

CHECKED_IN = "✅ {name} {time} 打卡成功，今日第 {order} 位"
CHECKED_IN_LATE = "⏰ {name} {time} 打卡成功（迟到），今日第 {order} 位"
ALREADY = "{name}，今天已于 {time} 打卡"
ALREADY_LATE = "{name}，今天已于 {time} 打卡（迟到）"
CARD_TITLE = "今日打卡"
CARD_STATUS = "{day} 已打卡 {done}/{total}"
CHECKIN_BUTTON = Button("打卡", "/打卡")


@router.command("打卡", aliases=("上班打卡",), places=ANYWHERE, scope=Scope.SELF, args=())
def check_in(message, ctx):
    """每天上班打卡，回复打卡时间和今日第几位
    /打卡
    """
    member = ctx.member
    at = local(message.received_at)
    checkins = CheckinRepository(ctx.session)
    late = at.time().replace(tzinfo=None) > ctx.settings.checkin.late_after
    checkin = NewCheckin(member_id=member.id, day=at.date(), checked_at=at, late=late, village_id=member.village_id)
    if not checkins.add_if_first(checkin):  # checked in before, or a double tap got there first
        return _already(member, *checkins.time_of_day(member.id, at.date()))
    template = CHECKED_IN_LATE if late else CHECKED_IN
    return template.format(name=member.name, time=_hhmm(at), order=checkins.order_of(checkin))


def _already(member, checked_at: datetime, late: bool) -> str:
    template = ALREADY_LATE if late else ALREADY
    return template.format(name=member.name, time=_hhmm(checked_at))


def _hhmm(moment) -> str:
    return local(moment).strftime("%H:%M")


# The tap card of the morning reminder ------------------------------------------------------------
def card_key(village_id: int, day: date) -> str:
    return CHECKIN_CARD.build(village_id, day)


def card(village_id: int, day: date) -> Card:
    return Card(card_key(village_id, day), CARD_TITLE, (CHECKIN_BUTTON,))


def due_members(ctx, village_id: int, day: date) -> tuple[list, set[int]]:
    """Who must check in in a village that day (attendance roles, not on leave), and who has."""
    roles = set(ctx.settings.attendance.roles)
    members = [m for m in OrgRepository(ctx.session).members_of_village(village_id) if m.role in roles]
    excused = LeaveRepository(ctx.session).members_on_leave([m.id for m in members], day)
    due = [m for m in members if m.id not in excused]
    return due, CheckinRepository(ctx.session).checked_in_member_ids(day, [m.id for m in due])


def checkin_card(ctx, rest: str) -> Reply | None:
    """The card `checkin_<village id>_<YYYYMMDD>` as it is now: "11月24日 已打卡 12/15"."""
    try:
        village_id, day = CHECKIN_CARD.parse(rest)
    except ValueError:
        return None
    due, done = due_members(ctx, village_id, day)
    text = CARD_STATUS.format(day=show_day(day), done=len(done), total=len(due))
    return Reply(text, card=card(village_id, day))
