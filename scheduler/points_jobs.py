"""Points jobs: turn the recent settled events of every township that keeps points into ledger
entries (each event once: the entry's `rule_key` is unique), then tell the village's 书记 once when
a member's year colour turns yellow or red.

Safe to run twice and after a restart: it looks back `points.lookback_days` days and skips the keys
already in the ledger; a colour notice has an outbox dedupe key and a stored colour.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.messages import Reply
from handlers.points_rules import collect_awards
from handlers.points_score import COLOUR_LABELS, GREEN, Score, period_bounds, scores
from scheduler.job_failures import tell_admins_on_failure
from scheduler.runtime import job_context
from storage.models import Member, PointsEntry, PointsStatus, Township
from storage.repositories import OrgRepository, PointsRepository

__all__ = ["award_points", "apply_rules", "check_points_colours"]

COLOUR_NOTICE = "📉 积分预警：{name} {year}年积分 {total} 分，{colour}。请 {secretaries} 关注{talk}。"
TALK = "（按规定进行诫勉谈话）"
REVISED = "更正 #{id}（{reason}，记录已变更）"


@tell_admins_on_failure("积分计算")
def award_points() -> int:
    """The recurring job: apply the rules, then check colours. Returns the entries added."""
    with job_context() as ctx:
        added = apply_rules(ctx)
    with job_context() as ctx:
        check_points_colours(ctx)
    return added


def apply_rules(ctx) -> int:
    added = 0
    for township in _keeping_points(ctx):  # a year not yet published counts provisionally, never refuses
        added += _apply_township(ctx, township)
    return added


def _keeping_points(ctx) -> list[Township]:
    townships = ctx.session.scalars(select(Township).order_by(Township.id))
    return [t for t in townships if ctx.settings.points.enabled_for(t.name)]


def _apply_township(ctx, township: Township) -> int:
    points = ctx.settings.points
    rules = {rule_id: rule for rule_id, rule in points.rules_for(township.name).items() if rule.points}
    since = ctx.today() - timedelta(days=points.lookback_days)
    every = list(collect_awards(ctx, township, since))
    repo = PointsRepository(ctx.session)
    _revise(ctx, repo, township, since, {a.key for a in every}, set(rules))
    awards = [a for a in every if a.rule in rules]
    if not awards:
        return 0
    given = repo.existing_keys([a.key for a in awards])
    scored = _scored_members(ctx, {a.member_id for a in awards})
    added = 0
    for award in awards:
        if award.key in given or award.member_id not in scored:
            continue
        rule = rules[award.rule]
        repo.add(PointsEntry(
            township_id=township.id, member_id=award.member_id, points=rule.points, area=rule.area,
            reason=award.reason, source=award.rule, rule_key=award.key, event=award.event, day=award.day,
            created_at=ctx.now(),
        ))
        given.add(award.key)
        added += 1
    return added


def _revise(ctx, repo: PointsRepository, township: Township, since, current: set[str], rules: set[str]) -> None:
    """An event that no longer holds (a 补卡 turned a missed or late day into a check-in, a meeting
    was cancelled) gets a correction entry referring to the rule entry; the entry itself stays."""
    for entry in repo.uncorrected_rule_entries(township.id, since, rules):
        if entry.rule_key not in current:
            repo.add(PointsEntry(
                township_id=entry.township_id, member_id=entry.member_id, points=-entry.points, area=entry.area,
                reason=REVISED.format(id=entry.id, reason=entry.reason), source="correction", day=entry.day,
                created_at=ctx.now(), corrects_id=entry.id,
            ))


def _scored_members(ctx, member_ids: set[int]) -> set[int]:
    roles = ctx.settings.points.roles
    query = select(Member.id).where(Member.id.in_(member_ids), Member.role.in_(roles), Member.active.is_(True))
    return set(ctx.session.scalars(query))


def check_points_colours(ctx) -> None:
    """Compare each scored member's year colour with the one stored; tell a turn to yellow or red once."""
    year = ctx.today().year
    first, last = period_bounds("本年", ctx.today())
    repo = PointsRepository(ctx.session)
    for township in _keeping_points(ctx):
        members = _village_members(ctx, township.id)
        now_scores = scores(ctx.session, ctx.settings.points, [m.id for m in members], first, last)
        stored = repo.statuses([m.id for m in members], year)
        turned = []
        for member in members:
            score, status = now_scores[member.id], stored.get(member.id)
            if status is None:
                status = repo.add_status(PointsStatus(member_id=member.id, year=year, colour=GREEN, updated_at=ctx.now()))
            if score.colour == status.colour:
                continue
            if score.colour != GREEN:
                turned.append((member, score))
            status.colour, status.updated_at = score.colour, ctx.now()
        if turned:
            _tell(ctx, township.id, turned, year)


def _village_members(ctx, township_id: int) -> list[Member]:
    query = select(Member).where(Member.township_id == township_id, Member.village_id.is_not(None),
                                 Member.active.is_(True), Member.role.in_(ctx.settings.points.roles))
    return list(ctx.session.scalars(query.order_by(Member.id)))


def _tell(ctx, township_id: int, turned: list[tuple[Member, Score]], year: int) -> None:
    """Tell each member's 书记 (not the member himself; else the admins) in the village's groups; the
    roster and groups of all the villages concerned are read once."""
    org = OrgRepository(ctx.session)
    villages = {member.village_id for member, _ in turned}
    overseers = org.secretaries_or_admins([township_id], villages)
    groups = org.groups_of_villages(villages)
    for member, score in turned:
        told = overseers.of(township_id, member.village_id, besides=member.id)
        names = "、".join(f"@{m.name}" for m in told) or "书记"
        text = COLOUR_NOTICE.format(name=member.name, year=year, total=score.total, colour=COLOUR_LABELS[score.colour],
                                    secretaries=names, talk=TALK if score.colour == "red" else "")
        key = f"points-colour:{member.id}:{year}:{score.colour}:{ctx.today().isoformat()}"
        ctx.outbox.to_groups(groups.get(member.village_id, []), Reply(text, mentions=tuple(m.id for m in told)),
                             dedupe_key=key)
