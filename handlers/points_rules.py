"""Rules that turn events the bot already records into points entries (积分).

Each collector looks at one kind of event in a window of recent days and yields `Award`s; the
caller keeps the ones whose rule counts in the township and whose `rule_key` is not in the ledger
yet. A key names the rule and the event ("meeting_late:attendee:7"), so an event gives its points
once however often the job runs. Events are counted only once they are settled: a day after it
closed, a meeting after its sign-in closed, a notebook after its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

from sqlalchemy import select

from bot.clock import local
from bot.context import Context
from handlers.meeting_posts import RelayStates, classify, relay_states
from handlers.attendance_report import start_of
from handlers.workdays import calendar_for
from storage.models import Ballot, Checkin, Meeting, Member, Township, Vote
from storage.repositories import AttendanceRepository, LeaveRepository, OrgRepository, Overseers

__all__ = ["Award", "collect_awards"]

REASONS = {
    "workday_checkin": "工作日打卡 {day}",
    "checkin_late": "打卡迟到 {day}",
    "missed_workday": "缺勤 {day}",
    "meeting_on_time": "「{title}」准时到会",
    "meeting_late": "「{title}」迟到",
    "meeting_absent": "「{title}」缺席",
    "meeting_excused": "「{title}」请假",
    "relay_on_time": "按时传达「{title}」",
    "relay_overdue": "传达「{title}」超时",
    "notes_handed_in": "交了「{title}」会议笔记",
    "notes_missing": "未交「{title}」会议笔记",
    "vote_cast": "参加表决：{title}",
}


@dataclass(frozen=True)
class Award:
    rule: str
    member_id: int
    event: str  # "checkin:12"; with the rule it makes the entry's unique key
    day: date
    reason: str

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.event}"


def collect_awards(ctx: Context, township: Township, since: date) -> Iterator[Award]:
    """Every settled event of the township from `since` on, as awards (rules not yet applied)."""
    yield from _checkins(ctx, township, since)
    yield from _missed_workdays(ctx, township, since)
    signin_closed = ctx.now() - timedelta(minutes=ctx.settings.meetings.signin_close_minutes)
    meetings = _started_meetings(ctx, township, since)
    relays = _RelayBook.load(ctx, township, [m for m in meetings if m.is_township_meeting])
    for meeting in meetings:
        if meeting.starts_at <= signin_closed:  # late sign-ins are no longer taken
            yield from _meeting_attendance(ctx, meeting)
        yield from _notebooks(ctx, meeting)
        if meeting.is_township_meeting:
            yield from _relays(ctx, meeting, relays)
    yield from _ballots(ctx, township, since)


def _reason(rule: str, **fields) -> str:
    return REASONS[rule].format(**fields)


def _show(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _checkins(ctx: Context, township: Township, since: date) -> Iterator[Award]:
    calendar = calendar_for(ctx.settings, township.name)
    query = (select(Checkin).join(Member, Member.id == Checkin.member_id)
             .where(Member.township_id == township.id, Checkin.day >= since, Checkin.day < ctx.today()))
    for checkin in ctx.session.scalars(query):
        if not calendar.is_workday(checkin.day):
            continue
        yield Award("workday_checkin", checkin.member_id, f"checkin:{checkin.id}", checkin.day,
                    _reason("workday_checkin", day=_show(checkin.day)))
        if checkin.late:
            yield Award("checkin_late", checkin.member_id, f"checkin:{checkin.id}", checkin.day,
                        _reason("checkin_late", day=_show(checkin.day)))


def _missed_workdays(ctx: Context, township: Township, since: date) -> Iterator[Award]:
    yesterday = ctx.today() - timedelta(days=1)
    if yesterday < since:
        return
    workdays = calendar_for(ctx.settings, township.name).workdays(since, yesterday)
    roster = AttendanceRepository(ctx.session).roster(township.id, None, ctx.settings.attendance.roles)
    ids = [row.member_id for row in roster]
    if not ids or not workdays:
        return
    starts = {row.member_id: start_of(row) for row in roster}  # days before a member's start never count
    checked = set(ctx.session.execute(
        select(Checkin.member_id, Checkin.day).where(Checkin.member_id.in_(ids), Checkin.day >= since)
    ))
    leave = LeaveRepository(ctx.session)
    for day in workdays:
        excused = leave.members_on_leave(ids, day)
        for member_id in ids:
            started = starts[member_id] is None or day >= starts[member_id]
            if started and (member_id, day) not in checked and member_id not in excused:
                yield Award("missed_workday", member_id, f"member:{member_id}:{day.isoformat()}", day,
                            _reason("missed_workday", day=_show(day)))


def _started_meetings(ctx: Context, township: Township, since: date) -> list[Meeting]:
    """Meetings not cancelled that have begun."""
    # a meeting's 传达 and notebooks settle up to two days after it: look that much further back
    start = datetime.combine(since - timedelta(days=2), datetime.min.time(), tzinfo=ctx.now().tzinfo)
    query = select(Meeting).where(
        Meeting.township_id == township.id, Meeting.status == "scheduled",
        Meeting.starts_at >= start, Meeting.starts_at <= ctx.now(),
    ).order_by(Meeting.starts_at)
    return list(ctx.session.scalars(query))


def _meeting_attendance(ctx: Context, meeting: Meeting) -> Iterator[Award]:
    day = local(meeting.starts_at).date()
    for kind, attendees in classify(ctx, meeting).items():
        rule = f"meeting_{kind}"
        for attendee in attendees:
            yield Award(rule, attendee.member_id, f"attendee:{attendee.id}", day, _reason(rule, title=meeting.title))


def _notebooks(ctx: Context, meeting: Meeting) -> Iterator[Award]:
    settings = ctx.settings.meetings
    deadline = meeting.starts_at + timedelta(minutes=settings.spot_check_after_minutes,
                                             hours=settings.spot_check_hours)
    day = local(meeting.starts_at).date()
    for attendee in meeting.attendees:
        if not attendee.spot_checked:
            continue
        if attendee.notes_ref is not None:
            rule = "notes_handed_in"
        elif ctx.now() >= deadline:
            rule = "notes_missing"
        else:
            continue
        yield Award(rule, attendee.member_id, f"attendee:{attendee.id}", day, _reason(rule, title=meeting.title))


@dataclass(frozen=True)
class _RelayBook:
    """The 传达 of the township meetings looked at, with each village's 书记 (who answers for a 传达
    never posted), loaded once for all the meetings."""

    states: RelayStates
    secretaries: dict[int, list[Member]]

    @classmethod
    def load(cls, ctx: Context, township: Township, meetings: list[Meeting]) -> _RelayBook:
        states = relay_states(ctx, township.id, meetings)
        villages = {village.id for rows in states.values() for village, _ in rows}
        overseers = OrgRepository(ctx.session).secretaries_or_admins((), villages) if villages else Overseers()
        return cls(states, overseers.secretaries)

    def secretary_of(self, village_id: int) -> int | None:
        return next((m.id for m in self.secretaries.get(village_id, [])), None)


def _relays(ctx: Context, meeting: Meeting, book: _RelayBook) -> Iterator[Award]:
    """Each village's 传达: on time or overdue for the one who posted it; not posted by the deadline:
    overdue for the village's 书记."""
    deadline = meeting.starts_at + timedelta(hours=ctx.settings.meetings.relay_hours)
    day = local(meeting.starts_at).date()
    for village, relay in book.states[meeting.id]:
        event = f"meeting:{meeting.id}:village:{village.id}"
        if relay is not None and relay.posted_at <= deadline:
            yield Award("relay_on_time", relay.member_id, event, day, _reason("relay_on_time", title=meeting.title))
        elif relay is not None or ctx.now() >= deadline:
            who = relay.member_id if relay is not None else book.secretary_of(village.id)
            if who is not None:
                yield Award("relay_overdue", who, event, day, _reason("relay_overdue", title=meeting.title))


def _ballots(ctx: Context, township: Township, since: date) -> Iterator[Award]:
    start = datetime.combine(since, datetime.min.time(), tzinfo=ctx.now().tzinfo)
    query = (select(Ballot, Vote.question).join(Vote, Vote.id == Ballot.vote_id)
             .where(Vote.township_id == township.id, Ballot.cast_at >= start))
    for ballot, question in ctx.session.execute(query):
        yield Award("vote_cast", ballot.member_id, f"ballot:{ballot.id}", local(ballot.cast_at).date(),
                    _reason("vote_cast", title=question[:30]))
