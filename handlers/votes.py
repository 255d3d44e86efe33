"""/表决: a live vote in a group — /同意 /反对 /弃权 (changeable until it closes), closed by the
deadline sweep, by the last expected voter, or early by the opener or an admin; the result is
recorded as a resolution."""

from __future__ import annotations

import re

from bot.cards import VOTE_CARD
from bot.clock import local
from bot.contract import GROUPS, AnyOf, Duration, Scope, Text, Time
from bot.errors import UserError
from bot.messages import Button, Card, Reply
from bot.router import Router
from handlers.choosing import deadline_from
from handlers import resolution_records as records
from handlers.resolution_parser import ResolutionFields
from storage.models import Ballot, Member, Role, Vote
from storage.repositories import OrgRepository, VoteRepository

router = Router("votes")

SECRETARY = Role.SECRETARY.value
OPENED = "🗳 表决 #{id}：{question}\n应参加表决 {count} 人：{names}\n请回复 /同意、/反对 或 /弃权{deadline}。截止前可以改票，以最后一次为准。"
DEADLINE = "（{at} 截止）"
ALREADY_OPEN = "本群还有进行中的表决 #{id}：{question}。请先结束它（/结束表决）。"
NO_VOTERS = "本群没有可以参加表决的人员，请先导入花名册。"
NO_OPEN = "本群现在没有进行中的表决。"
NOT_A_VOTER = "{name}，您不在表决 #{id} 的名单中。"
CAST = "✅ {name}：{choice}（已投 {cast}/{count}）"
CHANGED = "🔄 {name}：由「{old}」改为「{choice}」（已投 {cast}/{count}）"
SAME = "{name}，您已经投了「{choice}」。"
ONLY_OPENER = "⛔ 只有发起人{opener}或管理员可以提前结束表决 #{id}。"
CLOSED = "🗳 表决 #{id} 已结束（{why}）\n{question}\n同意 {agree}，反对 {against}，弃权 {abstain}，未投 {absent}\n{card}"
WHY_ALL, WHY_DEADLINE, WHY_EARLY = "全部已投", "截止时间到", "{name}提前结束"

VOTE_BUTTONS = (Button("同意", "/同意"), Button("反对", "/反对"), Button("弃权", "/弃权"))
CARD_TITLE = "表决 #{id}"
CARD_OPEN = "{question}\n同意 {agree} · 反对 {against} · 弃权 {abstain}（已投 {cast}/{count}）"
CARD_CLOSED = "{question}\n已结束：同意 {agree}，反对 {against}，弃权 {abstain}，未投 {absent}"
DEADLINE_ARG = AnyOf(
    "deadline", "截止时间", key=("截止时间", "截止"), optional=True,
    choices=(Time("at"), Duration("span", max_minutes=7 * 24 * 60)), hint_text="，请写成 20:00 或 30分钟（最长 7 天）",
)
IN_GROUP = dict(places=GROUPS, scope=Scope.VILLAGE, args=())


@router.command(
    "表决", roles={SECRETARY}, places=GROUPS, scope=Scope.VILLAGE,
    args=(Text("question", "表决事项", max_len=500), DEADLINE_ARG),
)
def open_vote(message, ctx):
    """发起表决，群里应到人员用 /同意 /反对 /弃权 投票
    /表决 是否同意将3000平方米集体土地用于筹建公办幼儿园
    /表决 是否同意修建村道 截止 20:00
    /表决 是否同意修建村道 截止 30分钟
    """
    ctx.policy.require_village(ctx.group.village_id, ctx.group.township_id)
    question, deadline = ctx.params.question, _deadline(ctx)
    votes = VoteRepository(ctx.session)
    running = votes.open_in_group(ctx.group.id)
    if running is not None:
        raise UserError(ALREADY_OPEN.format(id=running.id, question=running.question))
    voters = _expected_voters(ctx)
    if not voters:
        raise UserError(NO_VOTERS)
    vote = votes.add(
        Vote(
            township_id=ctx.group.township_id, group_id=ctx.group.id, question=question,
            voter_ids=[m.id for m in voters], opened_by_id=ctx.member.id, opened_at=ctx.now(), deadline=deadline,
        )
    )
    shown = DEADLINE.format(at=local(deadline).strftime("%H:%M")) if deadline else ""
    names = "、".join(f"@{m.name}" for m in voters)
    text = OPENED.format(id=vote.id, question=question, count=len(voters), names=names, deadline=shown)
    return Reply(text, mentions=tuple(m.id for m in voters), card=_card(vote))


@router.command("同意", aliases=("赞成",), **IN_GROUP)
def vote_agree(message, ctx):
    """在进行中的表决里投同意票
    /同意
    """
    return _cast(ctx, "同意")


@router.command("反对", **IN_GROUP)
def vote_against(message, ctx):
    """在进行中的表决里投反对票
    /反对
    """
    return _cast(ctx, "反对")


@router.command("弃权", **IN_GROUP)
def vote_abstain(message, ctx):
    """在进行中的表决里投弃权票
    /弃权
    """
    return _cast(ctx, "弃权")


@router.command("结束表决", aliases=("关闭表决",), **IN_GROUP)
def close_early(message, ctx):
    """提前结束本群进行中的表决（发起人或管理员）
    /结束表决
    """
    vote = _open_vote(ctx)
    if vote.opened_by_id != ctx.member.id and not ctx.member.is_admin:
        opener = OrgRepository(ctx.session).names([vote.opened_by_id]).get(vote.opened_by_id, "")
        raise UserError(ONLY_OPENER.format(opener=opener, id=vote.id))
    return close_vote(ctx, vote, WHY_EARLY.format(name=ctx.member.name))


def close_vote(ctx, vote: Vote, why: str) -> str:
    """Close a vote, record its resolution and return the result text (the caller sends it)."""
    vote.closed_at = ctx.now()
    counts = {choice: sum(1 for b in vote.ballots if b.choice == choice) for choice in ("同意", "反对", "弃权")}
    fields = ResolutionFields(
        subject=_subject(vote.question), meeting="表决", expected=len(vote.voter_ids), present=len(vote.ballots),
        agree=counts["同意"], against=counts["反对"], abstain=counts["弃权"],
    )
    resolution = records.record(
        ctx, fields, group=vote.group, recorded_by_id=vote.opened_by_id, source="vote",
        deliberated_at=vote.opened_at, started_at=vote.opened_at, ended_at=vote.closed_at,
    )
    vote.resolution_id = resolution.id
    return CLOSED.format(
        id=vote.id, why=why, question=vote.question, agree=counts["同意"], against=counts["反对"],
        abstain=counts["弃权"], absent=len(vote.voter_ids) - len(vote.ballots),
        card=records.card(resolution, records.place(vote.group)),
    )


def _cast(ctx, choice: str):
    vote = _open_vote(ctx)
    member = ctx.member
    if member.id not in vote.voter_ids:
        raise UserError(NOT_A_VOTER.format(name=member.name, id=vote.id))
    votes = VoteRepository(ctx.session)
    ballot = votes.ballot(vote.id, member.id)
    count = len(vote.voter_ids)
    if ballot is not None and ballot.choice == choice:
        return SAME.format(name=member.name, choice=choice)
    if ballot is None:
        votes.cast(Ballot(vote_id=vote.id, member_id=member.id, choice=choice, cast_at=ctx.now()))
        ctx.session.refresh(vote, ["ballots"])
        said = CAST.format(name=member.name, choice=choice, cast=len(vote.ballots), count=count)
    else:
        old, ballot.choice, ballot.cast_at = ballot.choice, choice, ctx.now()
        said = CHANGED.format(name=member.name, old=old, choice=choice, cast=len(vote.ballots), count=count)
    if len(vote.ballots) == count:
        return [said, close_vote(ctx, vote, WHY_ALL)]
    return said


def _open_vote(ctx) -> Vote:
    vote = VoteRepository(ctx.session).open_in_group(ctx.group.id, lock=True) if ctx.group else None
    if vote is None:
        raise UserError(NO_OPEN)
    return vote


def _deadline(ctx):
    return deadline_from(ctx.params.deadline, ctx.now())


def _expected_voters(ctx) -> list[Member]:
    """A village group's active members; in a township group, the township's own staff."""
    if ctx.group.village_id is not None:
        return OrgRepository(ctx.session).members_of_village(ctx.group.village_id)
    return VoteRepository(ctx.session).township_staff(ctx.group.township_id)


def _subject(question: str) -> str:
    return re.sub(r"^(是否)?(同意)?", "", question).rstrip("？?。") or question


def _card(vote: Vote) -> Card:
    return Card(VOTE_CARD.build(vote.id), CARD_TITLE.format(id=vote.id), VOTE_BUTTONS)


def vote_card(ctx, rest: str) -> Reply | None:
    """The card `vote_<id>` as it is now: running counts, never names (a vote may be secret)."""
    (vote_id,) = VOTE_CARD.parse(rest)
    vote = ctx.session.get(Vote, vote_id)
    if vote is None:
        return None
    ctx.session.refresh(vote, ["ballots"])
    counts = {choice: sum(1 for b in vote.ballots if b.choice == choice) for choice in ("同意", "反对", "弃权")}
    template = CARD_CLOSED if vote.closed_at else CARD_OPEN
    text = template.format(question=vote.question, agree=counts["同意"], against=counts["反对"],
                           abstain=counts["弃权"], cast=len(vote.ballots), count=len(vote.voter_ids),
                           absent=len(vote.voter_ids) - len(vote.ballots))
    return Reply(text, card=_card(vote))
