"""What the 公开栏 pages show, gathered from the database: plain view objects with names and
figures only (never phone numbers, platform ids, ID or bank numbers), and only resolutions that
passed /公开. The templates render these; nothing here knows HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from bot.clock import local
from bot.context import Context
from handlers.attendance_report import month_report
from handlers.attendance_views import status_label
from handlers.meeting_posts import classify, relay_states
from handlers.points_score import period_bounds, scores
from handlers.resolution_records import votes_text
from storage.models import Meeting, MinutesSession, Resolution, Township, Village
from storage.repositories import OrgRepository, PointsRepository

__all__ = ["MeetingRow", "PointsRow", "ResolutionView", "TownshipPage", "VillagePage", "ledgers_of_township",
           "township_page", "village_page", "resolution_view"]


@dataclass(frozen=True)
class MeetingRow:
    id: int
    title: str
    starts_at: str
    place: str
    present: int
    late: int
    absent: int
    excused: int
    relayed: list[str] = field(default_factory=list)  # township meetings: villages that did 传达
    pending: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PointsRow:
    rank: int | None
    name: str
    role: str
    total: int
    stars: str
    colour: str
    colour_label: str


@dataclass(frozen=True)
class Photo:
    url: str
    thumb_url: str


@dataclass(frozen=True)
class ResolutionView:
    id: int
    place: str
    subject: str
    meeting_name: str
    resolved_on: str
    published_on: str
    expected: int
    present: int
    votes: str
    result: str
    photos: list[Photo]


@dataclass
class VillagePage:
    township: str
    township_id: int
    village: str
    village_id: int
    month: str
    attendance: list  # MemberMonth rows (names and figures)
    required: int
    chart: list[tuple[str, float | None]]  # (month label, attendance rate) oldest first
    meetings: list[MeetingRow]
    points: list[PointsRow] | None  # None: the township keeps no points
    resolutions: list[ResolutionView]
    updated: str
    ledger: list = field(default_factory=list)  # admin view only


@dataclass
class TownshipPage:
    township: str
    township_id: int
    month: str
    villages: list[tuple[int, str, int, int]]  # id, name, members counted, missed days this month
    meetings: list[MeetingRow]
    resolutions: list[ResolutionView]
    updated: str
    ledger: list = field(default_factory=list)


def _updated(ctx: Context) -> str:
    return f"{ctx.now():%Y-%m-%d %H:%M}"


def _month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def village_page(ctx: Context, village: Village, months_in_chart: int) -> VillagePage:
    township = village.township
    today = ctx.today()
    report = _report(ctx, township, today.year, today.month, village.id)
    return VillagePage(
        township=township.name, township_id=township.id, village=village.name, village_id=village.id,
        month=_month_label(today) + report.mark, attendance=[(row, status_label(row)) for row in report.members],
        required=report.required, chart=_chart(ctx, township, village.id, months_in_chart, report),
        meetings=_meetings(ctx, township.id, village.id), points=_points(ctx, township, village.id),
        resolutions=_resolutions(ctx, township.id, village.id), updated=_updated(ctx),
    )


def township_page(ctx: Context, township: Township) -> TownshipPage:
    today = ctx.today()
    report = _report(ctx, township, today.year, today.month, None)
    rows = report.by_village()
    villages = [
        (v.id, v.name, len(rows.get(v.name, [])), sum(r.missed for r in rows.get(v.name, [])))
        for v in OrgRepository(ctx.session).villages(township.id)
    ]
    return TownshipPage(
        township=township.name, township_id=township.id, month=_month_label(today) + report.mark, villages=villages,
        meetings=_meetings(ctx, township.id, None), resolutions=_resolutions(ctx, township.id, None),
        updated=_updated(ctx),
    )


def _report(ctx: Context, township: Township, year: int, month: int, village_id: int | None):
    return month_report(ctx.session, ctx.settings, township, year, month, ctx.today(), village_id=village_id)


def _chart(ctx: Context, township: Township, village_id: int, months: int, this_month) -> list[tuple[str, float | None]]:
    """The village's attendance rate (days checked in or on leave / required) of the last months;
    `this_month` is the report the page already built for the current month."""
    today = ctx.today()
    points = []
    for back in range(months - 1, -1, -1):
        index = today.year * 12 + today.month - 1 - back
        year, month = divmod(index, 12)
        report = this_month if back == 0 else _report(ctx, township, year, month + 1, village_id)
        required = sum(r.required for r in report.members)
        done = sum(r.checked + r.leave for r in report.members)
        # a month without a single record (before the bot was used) shows "—", not 0 %
        points.append((f"{month + 1}月", round(100 * done / required, 1) if required and done else None))
    return points


def _meetings(ctx: Context, township_id: int, village_id: int | None) -> list[MeetingRow]:
    """This month's meetings up to now: of the township (and, for a village, its own), with counts."""
    first, last = period_bounds("本月", ctx.today())
    start = datetime.combine(first, datetime.min.time(), tzinfo=ctx.now().tzinfo)
    query = select(Meeting).where(Meeting.township_id == township_id, Meeting.status == "scheduled",
                                  Meeting.starts_at >= start, Meeting.starts_at <= ctx.now())
    query = query.where(Meeting.village_id.is_(None) | (Meeting.village_id == village_id)) if village_id else \
        query.where(Meeting.village_id.is_(None))
    meetings = list(ctx.session.scalars(query.order_by(Meeting.starts_at)))
    relays = relay_states(ctx, township_id, [m for m in meetings if m.is_township_meeting])
    rows = []
    for meeting in meetings:
        groups = classify(ctx, meeting)
        if village_id:  # a village sees its own members' attendance
            groups = {k: [a for a in v if a.member.village_id == village_id] for k, v in groups.items()}
        states = relays.get(meeting.id, [])
        relayed = [village.name for village, relay in states if relay is not None]
        pending = [village.name for village, relay in states if relay is None]
        rows.append(MeetingRow(
            id=meeting.id, title=meeting.title, starts_at=f"{local(meeting.starts_at):%m-%d %H:%M}", place=meeting.place,
            present=len(groups["on_time"]) + len(groups["late"]), late=len(groups["late"]),
            absent=len(groups["absent"]), excused=len(groups["excused"]), relayed=relayed, pending=pending,
        ))
    return rows


def _points(ctx: Context, township: Township, village_id: int) -> list[PointsRow] | None:
    rules = ctx.settings.points
    if not rules.enabled_for(township.name):
        return None
    members = [m for m in OrgRepository(ctx.session).members_of_village(village_id) if m.role in rules.roles]
    found = scores(ctx.session, rules, [m.id for m in members], *period_bounds("本年", ctx.today()))
    ranked = rules.rankings_for(township.name)
    if ranked:
        members.sort(key=lambda m: (-found[m.id].total, m.id))
    return [PointsRow(n if ranked else None, m.name, m.role, found[m.id].total, found[m.id].star_text,
                      found[m.id].colour, found[m.id].colour_label) for n, m in enumerate(members, 1)]


def _resolutions(ctx: Context, township_id: int, village_id: int | None, limit: int = 20) -> list[ResolutionView]:
    query = select(Resolution).where(Resolution.township_id == township_id, Resolution.published_at.is_not(None))
    if village_id:
        query = query.where(Resolution.village_id == village_id)
    found = ctx.session.scalars(query.order_by(Resolution.published_at.desc()).limit(limit))
    return [resolution_view(ctx, r) for r in found]


def published_resolution(ctx: Context, resolution_id: int) -> Resolution | None:
    resolution = ctx.session.get(Resolution, resolution_id)
    return resolution if resolution is not None and resolution.published_at is not None else None


def resolution_view(ctx: Context, resolution: Resolution) -> ResolutionView:
    place = resolution.group.village.name if resolution.group.village else resolution.group.township.name
    if not resolution.quorum_met:
        result = "未达到法定人数，决议无效"
    else:
        result = "通过" if resolution.passed else "未通过"
    return ResolutionView(
        id=resolution.id, place=place, subject=resolution.subject, meeting_name=resolution.meeting_name,
        resolved_on=f"{local(resolution.resolved_at):%Y-%m-%d}", published_on=f"{local(resolution.published_at):%Y-%m-%d}",
        expected=resolution.expected, present=resolution.present,
        votes=votes_text(resolution.agree, resolution.against, resolution.abstain, resolution.agree_percent),
        result=result, photos=_photos(ctx, resolution),
    )


def _photos(ctx: Context, resolution: Resolution) -> list[Photo]:
    if resolution.minutes_session_id is None:
        return []
    minutes = ctx.session.get(MinutesSession, resolution.minutes_session_id)
    return [Photo(f"/media/{i.media.path}", f"/media/{i.media.thumbnail_path}") for i in minutes.images]


def ledgers_of_township(ctx: Context, township: Township) -> list[tuple[str, list[tuple]]]:
    """Admin view: (village name, its entries) for every village: this year's entries, newest
    first, with who scored them. One query for the whole township."""
    first, last = period_bounds("本年", ctx.today())
    ledger = PointsRepository(ctx.session).ledger_of_township(township.id, first, last)
    return [(village.name, [_ledger_row(e) for e in ledger.get(village.id, [])])
            for village in OrgRepository(ctx.session).villages(township.id)]


def _ledger_row(e) -> tuple:
    return (e.id, f"{e.day:%m-%d}", e.member.name, e.points, e.area, e.reason, e.source,
            e.created_by.name if e.created_by else "规则", e.corrects_id)


def village_of(ctx: Context, village_id: int) -> Village | None:
    return ctx.session.get(Village, village_id)


def township_of(ctx: Context, township_id: int) -> Township | None:
    return ctx.session.get(Township, township_id)

