"""Recording a resolution (from /决议, a confirmed text or a closed vote): arithmetic and quorum
checks, the four steps with their timestamps, the result card and the search index entry."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.clock import local
from bot.contract.hygiene import excerpt
from bot.errors import UserError
from handlers.resolution_parser import ResolutionFields
from handlers.segmenter import search_tokens
from storage.models import MinutesSession, Resolution
from storage.repositories import ResolutionRepository, SearchRepository

__all__ = ["QUORUM_RULES", "check_arithmetic", "record", "card", "understood", "index_minutes"]

STEP_DELIBERATED, STEP_MEETING, STEP_RESOLVED, STEP_PUBLISHED = "论证", "召开会议", "形成决议", "审核公开"

# name -> (test of "present out of expected", how the card says it)
QUORUM_RULES = {
    "过半": lambda n, of: n * 2 > of,
    "三分之二": lambda n, of: n * 3 >= of * 2,
}

BAD_TOTAL = "❌ 数字对不上：同意、反对、弃权合计 {votes} 人，超过实到 {present} 人。请核对后重发。"
BAD_PRESENT = "❌ 数字对不上：实到 {present} 人，超过应到 {expected} 人。请核对后重发。"
BAD_RULE = "⚠️ 配置里的法定人数规则「{rule}」不认识，只能是：过半、三分之二。"
CARD = (
    "📋 决议 #{id} · {place}\n"
    "事项：{subject}\n"
    "{meeting}"
    "应到 {expected} 人，实到 {present} 人（法定人数{rule}：{quorum}）\n"
    "表决：{votes}\n"
    "结果：{result}\n"
    "步骤：{steps}"
)
UNDERSTOOD = (
    "🧾 我读到的会议决议：\n"
    "事项：{subject}\n会议：{meeting}\n时间：{start}–{end}\n"
    "应到 {expected}，实到 {present}\n表决：{votes}"
)
UNKNOWN = "？"
UNANIMOUS_SAID = "一致同意"
EXPECTED_AS_PRESENT = "未说明（按实到计）"
PERCENT_SAID = "同意 {percent:g}%"


def quorum_rule(settings, kind: str | None) -> str:
    rule = settings.resolutions.quorum_by_kind.get(kind or "", settings.resolutions.quorum_rule)
    if rule not in QUORUM_RULES:
        raise UserError(BAD_RULE.format(rule=rule))
    return rule


def check_arithmetic(fields: ResolutionFields) -> None:
    """Votes ≤ present ≤ expected, or a Chinese error saying which does not add up."""
    votes = sum(n for n in (fields.agree, fields.against, fields.abstain) if n is not None)
    if votes > fields.present:
        raise UserError(BAD_TOTAL.format(votes=votes, present=fields.present))
    if fields.expected is not None and fields.present > fields.expected:
        raise UserError(BAD_PRESENT.format(present=fields.present, expected=fields.expected))


def record(
    ctx, fields: ResolutionFields, *, group, recorded_by_id: int, source: str, deliberated_at: datetime | None = None,
    started_at: datetime | None = None, ended_at: datetime | None = None,
) -> Resolution:
    """Save a resolution of `group` (fields complete; arithmetic checked here) and index it."""
    check_bounds(fields)
    check_arithmetic(fields)
    now = ctx.now()
    expected = fields.expected if fields.expected is not None else fields.present
    rule = quorum_rule(ctx.settings, fields.kind)
    quorum_met = QUORUM_RULES[rule](fields.present, expected)
    started_at = started_at or _on_day(now, fields.start)
    ended_at = ended_at or _on_day(now, fields.end, after=started_at)
    repository = ResolutionRepository(ctx.session)
    minutes = repository.open_minutes(group.id)
    resolution = repository.add(
        Resolution(
            township_id=group.township_id, village_id=group.village_id, group_id=group.id,
            minutes_session_id=minutes.id if minutes else None, meeting_id=minutes.meeting_id if minutes else None,
            subject=fields.subject, meeting_name=fields.meeting or "", kind=fields.kind,
            expected=expected, present=fields.present, agree=fields.agree, against=fields.against,
            abstain=fields.abstain, agree_percent=fields.agree_percent, quorum_rule=rule, quorum_met=quorum_met,
            passed=quorum_met and fields.agree * 2 > fields.present, source=source, state=STEP_RESOLVED,
            recorded_by_id=recorded_by_id,
            deliberated_at=_deliberated(deliberated_at or (minutes.opened_at if minutes else None), started_at, now),
            meeting_started_at=started_at, meeting_ended_at=ended_at, resolved_at=now,
        )
    )
    index_resolution(ctx, resolution)
    return resolution


FIELD_LIMITS = {"subject": ("主题", 1000), "meeting": ("会议", 100), "kind": ("类别", 16)}
MAX_COUNT = 100_000
TOO_LONG = "{label}太长了（最多 {max} 个字）。"
TOO_MANY = "人数或票数「{value}」太大了。"


def check_bounds(fields: ResolutionFields) -> None:
    """Text that fits its column and counts a township can have, or a Chinese UserError."""
    for name, (label, limit) in FIELD_LIMITS.items():
        if len(getattr(fields, name) or "") > limit:
            raise UserError(TOO_LONG.format(label=label, max=limit))
    for name in ("expected", "present", "agree", "against", "abstain"):
        value = getattr(fields, name)
        if value is not None and not 0 <= value <= MAX_COUNT:
            raise UserError(TOO_MANY.format(value=excerpt(str(value))))


def index_resolution(ctx, resolution: Resolution) -> None:
    text = " ".join(filter(None, [resolution.subject, resolution.meeting_name, resolution.kind]))
    SearchRepository(ctx.session).index(
        resolution.township_id, "resolution", resolution.id, search_tokens(text), resolution.resolved_at
    )


def index_minutes(ctx, minutes: MinutesSession) -> None:
    SearchRepository(ctx.session).index(
        minutes.township_id, "minutes", minutes.id, search_tokens(minutes.topic), minutes.opened_at
    )


def _deliberated(known: datetime | None, started_at: datetime | None, now: datetime) -> datetime:
    """论证 comes before the meeting: when the bot did not see it happen, date it at the meeting's start."""
    candidates = [at for at in (known, started_at) if at is not None]
    return min(candidates) if candidates else now


def _on_day(now: datetime, moment: time | None, after: datetime | None = None) -> datetime | None:
    if moment is None:
        return None
    at = local(now).replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)
    return at + timedelta(days=1) if after is not None and at < after else at


def place(group) -> str:
    """The village's name, or the township's for a township group."""
    return group.village.name if group.village else group.township.name


def votes_text(agree, against, abstain, percent=None) -> str:
    if against is None or abstain is None:
        shown = f"同意 {agree}，反对、弃权未说明"
    else:
        shown = f"同意 {agree}，反对 {against}，弃权 {abstain}"
    return shown + (f"（同意 {percent:g}%）" if percent is not None else "")


def card(resolution: Resolution, place: str) -> str:
    """The result card a group (and the township group, once published) sees."""
    hhmm = lambda at: local(at).strftime("%H:%M") if at else UNKNOWN  # noqa: E731
    meeting = ""
    if resolution.meeting_started_at or resolution.meeting_name:
        meeting = f"会议：{resolution.meeting_name or '会议'} {hhmm(resolution.meeting_started_at)}–{hhmm(resolution.meeting_ended_at)}\n"
    if not resolution.quorum_met:
        result = "❌ 未达到法定人数，决议无效"
    else:
        result = "✅ 通过" if resolution.passed else "❌ 未通过（同意未过半）"
    steps = [
        (STEP_DELIBERATED, resolution.deliberated_at),
        (STEP_MEETING, resolution.meeting_started_at),
        (STEP_RESOLVED, resolution.resolved_at),
        (STEP_PUBLISHED, resolution.published_at),
    ]
    return CARD.format(
        id=resolution.id, place=place, subject=resolution.subject, meeting=meeting,
        expected=resolution.expected, present=resolution.present, rule=resolution.quorum_rule,
        quorum="✅ 达到" if resolution.quorum_met else "❌ 未达到",
        votes=votes_text(resolution.agree, resolution.against, resolution.abstain, resolution.agree_percent),
        result=result,
        steps=" → ".join(f"{name} {local(at).strftime('%m-%d %H:%M') + ' ✅' if at else '⏳'}" for name, at in steps),
    )


def understood(fields: ResolutionFields) -> str:
    """What the reader made of a text, for the sender to check before /确认: what arithmetic
    filled says how, what is unknown shows as ？."""
    show = lambda value: UNKNOWN if value is None else value  # noqa: E731
    hhmm = lambda t: t.strftime("%H:%M") if t else UNKNOWN  # noqa: E731
    expected = _count(fields, "expected")
    if fields.expected is None and fields.present is not None:
        expected = EXPECTED_AS_PRESENT
    return UNDERSTOOD.format(
        subject=show(fields.subject), meeting=fields.meeting or UNKNOWN, start=hhmm(fields.start),
        end=hhmm(fields.end), expected=expected, present=_count(fields, "present"),
        votes=_votes_read(fields),
    )


def _count(fields: ResolutionFields, name: str) -> str:
    value, reason = getattr(fields, name), fields.inferred.get(name)
    if value is None:
        return UNKNOWN
    return f"{value}（{reason}）" if reason else str(value)


def _votes_read(fields: ResolutionFields) -> str:
    if fields.agree is None and (fields.unanimous or fields.agree_percent is not None):
        said = UNANIMOUS_SAID if fields.unanimous else PERCENT_SAID.format(percent=fields.agree_percent)
        return said + ("，按实到人数计" if fields.present is None else "")
    if fields.agree is None and fields.agree_percent is None and not fields.unanimous:
        return UNKNOWN
    names = {"agree": "同意", "against": "反对", "abstain": "弃权"}
    shared: dict[str, list[str]] = {}
    for name in names:
        shared.setdefault(fields.inferred.get(name), []).append(name)
    shown = []
    for name, label in names.items():
        value, reason = getattr(fields, name), fields.inferred.get(name)
        inline = reason is not None and len(shared[reason]) == 1
        shown.append(f"{label} {UNKNOWN if value is None else value}" + (f"（{reason}）" if inline else ""))
    notes = [
        f"{'、'.join(names[n] for n in group)}：{reason}" for reason, group in shared.items() if reason and len(group) > 1
    ]
    return "，".join(shown) + "".join(f"（{note}）" for note in notes)
