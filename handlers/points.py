"""/积分, /加分, /扣分: a member's points by area, a 书记's or admin's manual entries and
corrections within their own scope, and the ranking where the township enabled it.

Declared with the command contract (docs/contract.md): typed arguments, places and scope. The
object checks go through `ctx.policy`: a 书记 acts on members of his own village, an admin on the
township's, and nobody scores or corrects himself (`_may_score`).
"""

from __future__ import annotations

from bot.contract import ANYWHERE, GROUPS, Choice, Id, Int, Name, Scope, Text
from bot.errors import UserError
from bot.router import Router
from bot.routing import may_use
from handlers.board_links import page_line
from handlers.points_score import PERIODS, Score, period_bounds, scores
from storage.models import Member, PointsEntry, Role
from storage.repositories import OrgRepository, PointsRepository

router = Router("points")

LEADERS = frozenset({Role.SECRETARY.value})
RANKING, REVOKE = "排行", "撤销"
MAX_MANUAL = 50
MAX_REASON = 200

DISABLED = "本镇没有开启积分。"
NOT_SCORED = "{name} 不在积分名单上。"
ONLY_LEADERS = "⛔ 查看他人积分、撤销积分只有书记或管理员可以使用。"
OUT_OF_SCOPE = "⛔ {name} 不在您管辖的范围内（书记管本村，管理员管本镇）。"
NOT_SELF = "⛔ 书记不能给自己加分、扣分或撤销自己的积分，请管理员处理。"
NO_MEMBER = "没有找到「{name}」。"
TWO_MEMBERS = "有 {n} 位「{name}」，请在对方所在村的群里操作。"
BAD_AREA = "没有「{area}」这个领域。可选：{areas}"
NO_RANKING = "本镇没有开启积分排行（按规定不强制排名），每人可发送 /积分 查看自己的积分。"
NO_ENTRY = "没有编号为 {id} 的积分记录。"
ALREADY_REVOKED = "积分记录 #{id} 已经撤销过了（#{by}）。"
NOT_REVOCABLE = "#{id} 本身是一条撤销记录，不能再撤销。"
ADDED = "✅ 已记录 #{id}：{name} {points:+d} 分（{area}），理由：{reason}。记录人 {by}。"
REVOKED = "✅ 已撤销 #{id}（{name} {old:+d} 分 {area}），新记录 #{new}：{points:+d} 分，理由：{reason}。"
HEAD = "🏅 {name} 积分（{year}年）：{total} 分 {stars} {colour}"
AREA_HEAD = "领域｜本月｜本季｜本年"
AREA_ROW = "{area}｜{month:+d}｜{quarter:+d}｜{year:+d}"
RECENT = "最近记录："
ENTRY_ROW = "#{id} {day} {points:+d} {area} {reason}"
NO_ENTRIES = "（还没有积分记录）"
RANK_HEAD = "🏆 {place} 积分排行（{period}）"
RANK_ROW = "{n}. {name}｜{value:+d}｜{stars}"
REVOKE_REASON = "撤销 #{id}：{reason}"


def _require_enabled(ctx) -> None:
    if not ctx.settings.points.enabled_for(ctx.member.township.name):
        raise UserError(DISABLED)


@router.command("积分", places=ANYWHERE, scope=Scope.SELF, args=(Name("name", "姓名", optional=True),))
def show_points(message, ctx):
    """查看积分：本月、本季、本年各领域得分，星级和预警颜色
    /积分                 看自己
    书记/管理员：/积分 姓名 ｜ /积分 撤销 编号 理由
    /积分 排行 [本月|本季|本年]（本镇开启排行时）
    """
    _require_enabled(ctx)
    if ctx.params.name is None:
        return _card(ctx, ctx.member) + page_line(ctx, ctx.member.village_id)
    if not may_use(ctx.member.role, LEADERS):
        raise UserError(ONLY_LEADERS)
    member = _find(ctx, ctx.params.name)
    ctx.policy.require_member(member, refusal=OUT_OF_SCOPE.format(name=member.name))
    return _card(ctx, member) + page_line(ctx, member.village_id)


@router.command("积分", sub=RANKING, places=GROUPS, scope=Scope.VILLAGE,
                args=(Choice("period", "时段", values={p: p for p in PERIODS}, optional=True, default="本月"),))
def show_ranking(message, ctx):
    """积分排行（本镇开启排行时；按规定默认不排名）
    /积分 排行 [本月|本季|本年]
    """
    _require_enabled(ctx)
    return _ranking(ctx, ctx.params.period)


@router.command("积分", sub=REVOKE, roles=LEADERS, places=ANYWHERE, scope=Scope.VILLAGE,
                args=(Id("entry", "编号"), Text("reason", "理由", max_len=MAX_REASON)))
def revoke_points(message, ctx):
    """书记/管理员撤销一条积分记录（记为一条新的更正记录，原记录不改）
    /积分 撤销 编号 理由
    """
    _require_enabled(ctx)
    return _revoke(ctx, ctx.params.entry, ctx.params.reason)


MANUAL_ARGS = (
    Name("name", "姓名"),
    Int("points", "分值", min=1, max=MAX_MANUAL, unit="分"),
    Name("area", "领域", max_len=32),
    Text("reason", "理由", max_len=MAX_REASON),
)


@router.command("加分", roles=LEADERS, places=ANYWHERE, scope=Scope.VILLAGE, args=MANUAL_ARGS)
def add_points(message, ctx):
    """书记/管理员为本村（本镇）人员加分，写明领域和理由
    /加分 姓名 分值 领域 理由
    例：/加分 王伟 5 志愿服务 参加防汛值守
    """
    return _manual(ctx, +1)


@router.command("扣分", roles=LEADERS, places=ANYWHERE, scope=Scope.VILLAGE, args=MANUAL_ARGS)
def deduct_points(message, ctx):
    """书记/管理员为本村（本镇）人员扣分，写明领域和理由
    /扣分 姓名 分值 领域 理由
    例：/扣分 王伟 2 日常行为规范 无故不参加值班
    """
    return _manual(ctx, -1)


def _manual(ctx, sign: int) -> str:
    _require_enabled(ctx)
    params = ctx.params
    areas = ctx.settings.points.areas
    if params.area not in areas:
        raise UserError(BAD_AREA.format(area=params.area, areas="、".join(areas)))
    member = _find(ctx, params.name)
    _may_score(ctx, member)
    entry = PointsRepository(ctx.session).add(PointsEntry(
        township_id=member.township_id, member_id=member.id, points=sign * params.points, area=params.area,
        reason=params.reason, source="manual", day=ctx.today(), created_by_id=ctx.member.id, created_at=ctx.now(),
    ))
    return ADDED.format(id=entry.id, name=member.name, points=entry.points, area=params.area, reason=params.reason,
                        by=ctx.member.name)


def _revoke(ctx, entry_id: int, reason: str) -> str:
    repo = PointsRepository(ctx.session)
    entry = repo.get(entry_id, ctx.member.township_id)
    if entry is None:
        raise UserError(NO_ENTRY.format(id=entry_id))
    _may_score(ctx, entry.member)
    if entry.corrects_id is not None:
        raise UserError(NOT_REVOCABLE.format(id=entry.id))
    if (earlier := repo.correction_of(entry.id)) is not None:
        raise UserError(ALREADY_REVOKED.format(id=entry.id, by=earlier.id))
    correction = repo.add(PointsEntry(
        township_id=entry.township_id, member_id=entry.member_id, points=-entry.points, area=entry.area,
        reason=REVOKE_REASON.format(id=entry.id, reason=reason), source="correction", day=entry.day,
        created_by_id=ctx.member.id, created_at=ctx.now(), corrects_id=entry.id,
    ))
    return REVOKED.format(id=entry.id, name=entry.member.name, old=entry.points, area=entry.area, new=correction.id,
                          points=correction.points, reason=reason)


def _ranking(ctx, period: str) -> str:
    if not ctx.settings.points.rankings_for(ctx.member.township.name):
        raise UserError(NO_RANKING)
    village_id = (ctx.group.village_id if ctx.group else None) or ctx.member.village_id
    members = _scored(ctx, ctx.member.township_id, village_id)
    first, last = period_bounds(period, ctx.today())
    found = scores(ctx.session, ctx.settings.points, [m.id for m in members], first, last)
    ranked = sorted(members, key=lambda m: (-found[m.id].change, m.id))
    place = ranked[0].place if village_id and ranked else ctx.member.township.name
    lines = [RANK_HEAD.format(place=place, period=period)]
    lines += [RANK_ROW.format(n=n, name=m.name, value=found[m.id].change, stars=found[m.id].star_text)
              for n, m in enumerate(ranked, 1)]
    return "\n".join(lines) + page_line(ctx, village_id)


def _card(ctx, member: Member) -> str:
    if member.role not in ctx.settings.points.roles:
        raise UserError(NOT_SCORED.format(name=member.name))
    today = ctx.today()
    by_period: dict[str, Score] = {
        period: scores(ctx.session, ctx.settings.points, [member.id], *period_bounds(period, today))[member.id]
        for period in PERIODS
    }
    year = by_period["本年"]
    lines = [HEAD.format(name=member.name, year=today.year, total=year.total, stars=year.star_text,
                         colour=year.colour_label), AREA_HEAD]
    for area in ctx.settings.points.areas:
        month, quarter, whole = (by_period[p].areas.get(area, 0) for p in PERIODS)
        lines.append(AREA_ROW.format(area=area, month=month, quarter=quarter, year=whole))
    recent = PointsRepository(ctx.session).recent(member.id)
    lines.append(RECENT)
    lines += [ENTRY_ROW.format(id=e.id, day=f"{e.day:%m-%d}", points=e.points, area=e.area, reason=e.reason)
              for e in recent] or [NO_ENTRIES]
    return "\n".join(lines)


def _find(ctx, name: str) -> Member:
    """The named member: in the chat's village first, else anywhere in the township."""
    org = OrgRepository(ctx.session)
    village_id = ctx.group.village_id if ctx.group else None
    found = org.member_named(name, township_id=ctx.member.township_id, village_id=village_id) if village_id else []
    found = found or org.member_named(name, township_id=ctx.member.township_id)
    if not found:
        raise UserError(NO_MEMBER.format(name=name))
    if len(found) > 1:
        raise UserError(TWO_MEMBERS.format(n=len(found), name=name))
    return found[0]


def _may_score(ctx, member: Member) -> None:
    """Scoring or correcting: the member's village (admins: township), and never oneself."""
    ctx.policy.require_member(member, refusal=OUT_OF_SCOPE.format(name=member.name))
    ctx.policy.require_not_party(member.id, refusal=NOT_SELF)


def _scored(ctx, township_id: int, village_id: int | None) -> list[Member]:
    org = OrgRepository(ctx.session)
    villages = [village_id] if village_id else [v.id for v in org.villages(township_id)]
    roles = ctx.settings.points.roles
    return [m for v in villages for m in org.members_of_village(v) if m.role in roles]
