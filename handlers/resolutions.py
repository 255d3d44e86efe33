"""/决议 (structured), a secretary's pasted meeting text (free text → /确认 or /修改), and /公开."""

from __future__ import annotations

import re

from bot.contract import ANYWHERE, GROUPS, Id, Scope, Text
from bot.errors import UsageError, UserError
from bot.messages import Reply
from bot.router import Router
from handlers import resolution_records as records
from handlers.resolution_parser import ResolutionFields, parse_free_text, parse_structured, set_field
from storage.models import ResolutionDraft, Role
from storage.repositories import OrgRepository, ResolutionRepository

router = Router("resolutions")

SECRETARY, ADMIN = Role.SECRETARY.value, Role.ADMIN.value
MISSING = "🤔 还缺少：{fields}。"
QUESTION = "❓ {question}"
ASK_FIX = "请用 /修改 字段 值 更正（如 /修改 实到 32），再回复 /确认。"
NO_DECISION = "🤔 会上形成决议了吗？有的话，请把决议事项和表决结果一起发上来（如：一致同意修建村道）。"
ASK_CONFIRM = "请核对：无误请回复 /确认；有误请发送 /修改 字段 值（如 /修改 实到 33）。"
ASK_FILL = "请用 /修改 字段 值 补上（如 /修改 开始 19:00），再回复 /确认。"
NO_DRAFT = "没有等您确认的会议决议。把会议情况直接发到群里，或用 /决议 录入。"
CONFIRMED = "✅ 已保存。\n{card}"
NOT_FOUND = "没有找到决议 #{id}。"
NOT_PASSED = "决议 #{id} 没有通过，不能公开。"
ALREADY_PUBLIC = "决议 #{id} 已于 {at} 审核公开。"
PUBLISHED = "✅ 决议 #{id} 已审核公开，已转发到镇干部群（{groups} 个）。"
PUBLIC_CARD = "📢 审核公开\n{card}{link}"

_LOOKS_LIKE_MEETING = re.compile(r"会议|召开|开会|大会|两委会")
_LOOKS_LIKE_VOTE = re.compile(r"同意|通过|表决|赞成")
# A report of a meeting held (asked about its decision), not a notice of one to come.
_LOOKS_LIKE_REPORT = re.compile(r"结束|散会|闭会|实到|到会|参会|出席|与会")
_LOOKS_LIKE_NOTICE = re.compile(r"明天|明晚|后天|下周|将于|准时|请各位|请大家")


def looks_like_resolution(message, ctx) -> bool:
    """Only a secretary's (or admin's) message about a meeting and its vote; ordinary chat is left alone."""
    text = message.text or ""
    return (
        ctx.member is not None
        and ctx.group is not None
        and ctx.member.role in (SECRETARY, ADMIN)
        and ctx.policy is not None
        and ctx.policy.may_act_on(ctx.group.township_id, ctx.group.village_id)
        and len(text) >= 12
        and bool(_LOOKS_LIKE_MEETING.search(text))
        and bool(_LOOKS_LIKE_VOTE.search(text) or _LOOKS_LIKE_REPORT.search(text))
    )


@router.listener(looks_like_resolution)
def read_meeting_text(message, ctx):
    parsed = parse_free_text(message.text)
    if not parsed.decided:  # a report of a meeting gets one question; a notice of one, nothing
        return None if _LOOKS_LIKE_NOTICE.search(message.text) else NO_DECISION
    repository = ResolutionRepository(ctx.session)
    earlier = repository.pending_draft(ctx.group.id, ctx.member.id)
    if earlier is not None:
        earlier.status = "replaced"
    repository.add(
        ResolutionDraft(
            group_id=ctx.group.id, member_id=ctx.member.id, fields=parsed.as_dict(),
            source_text=message.text, created_at=ctx.now(), status="pending",
        )
    )
    return _preview(parsed)


@router.command(
    "决议", roles={SECRETARY}, places=GROUPS, scope=Scope.VILLAGE, args=(Text("fields", "决议内容", max_len=2000),)
)
def record_resolution(message, ctx):
    """录入会议决议，核对票数和法定人数，回复决议卡片
    /决议 主题 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34
    /决议 主题:筹建幼儿园 应到:34 实到:34 同意:34 反对:0 弃权:0 开始:19:00 结束:19:34 类别:项目安排
    """
    ctx.policy.require_village(ctx.group.village_id, ctx.group.township_id)
    fields = parse_structured(ctx.params.fields)
    if fields.missing():
        raise UsageError(MISSING.format(fields="、".join(fields.missing())))
    resolution = records.record(ctx, fields, group=ctx.group, recorded_by_id=ctx.member.id, source="structured")
    return records.card(resolution, records.place(ctx.group))


# /确认 and /修改 carry no role list: only a secretary's (or admin's) pasted text makes a draft,
# and a draft belongs to its sender. Without one, a bare 确认 is ordinary chat and gets no answer.
@router.command("确认", places=ANYWHERE, scope=Scope.VILLAGE, args=())
def confirm_draft(message, ctx):
    """确认保存刚才发的会议决议
    /确认
    """
    draft = _draft_or_none(ctx)
    if draft is None:
        return _no_draft(ctx)
    fields = ResolutionFields.from_dict(draft.fields)
    if fields.questions():
        raise UserError(_questions(fields))
    if fields.missing():
        raise UserError(MISSING.format(fields="、".join(fields.missing())) + ASK_FILL)
    resolution = records.record(
        ctx, fields, group=ctx.group, recorded_by_id=ctx.member.id, source="text"
    )
    draft.status = "confirmed"
    return CONFIRMED.format(card=records.card(resolution, records.place(ctx.group)))


@router.command(
    "修改", places=ANYWHERE, scope=Scope.VILLAGE,
    args=(Text("label", "字段", word=True, max_len=10), Text("value", "值", max_len=2000)),
)
def amend_draft(message, ctx):
    """修改待确认的会议决议中的一项
    /修改 实到 33
    /修改 开始 19:00
    /修改 主题 将3000平方米集体土地用于筹建公办幼儿园
    """
    draft = _draft_or_none(ctx)
    if draft is None:
        return _no_draft(ctx)
    label, value = ctx.params.label, ctx.params.value
    try:
        fields = set_field(ResolutionFields.from_dict(draft.fields), label, value)
    except ValueError as error:
        raise UserError(str(error)) from error
    draft.fields = fields.as_dict()
    return _preview(fields)


@router.command("公开", roles={ADMIN}, places=ANYWHERE, scope=Scope.TOWNSHIP, args=(Id("resolution", "决议编号"),))
def publish(message, ctx):
    """审核通过决议并公开，转发到镇干部群
    /公开 决议编号
    """
    resolution_id = ctx.params.resolution
    resolution = ResolutionRepository(ctx.session).resolution(resolution_id, ctx.member.township_id)
    if resolution is None:  # another township's resolution is not found: the admin's own township only
        raise UserError(NOT_FOUND.format(id=resolution_id))
    if resolution.published_at is not None:
        raise UserError(ALREADY_PUBLIC.format(id=resolution.id, at=resolution.published_at.strftime("%m-%d %H:%M")))
    if not resolution.passed:
        raise UserError(NOT_PASSED.format(id=resolution.id))
    resolution.published_at, resolution.published_by_id = ctx.now(), ctx.member.id
    resolution.state = records.STEP_PUBLISHED
    base = ctx.settings.resolutions.public_url.rstrip("/")
    link = f"\n公开栏：{base}/resolutions/{resolution.id}" if base else ""
    text = PUBLIC_CARD.format(card=records.card(resolution, records.place(resolution.group)), link=link)
    groups = OrgRepository(ctx.session).township_groups(resolution.township_id)
    ctx.outbox.to_groups(groups, Reply(text), dedupe_key=f"resolution:{resolution.id}:published")
    return PUBLISHED.format(id=resolution.id, groups=len(groups))


def _preview(fields: ResolutionFields) -> str:
    """The card of what was read, then either the contradictions, the missing fields or /确认."""
    missing = fields.missing()
    if fields.questions():
        tail = _questions(fields)
    elif missing:
        tail = MISSING.format(fields="、".join(missing)) + ASK_FILL
    else:
        tail = ASK_CONFIRM
    return records.understood(fields) + "\n" + tail


def _questions(fields: ResolutionFields) -> str:
    return "\n".join(QUESTION.format(question=q) for q in fields.questions()) + "\n" + ASK_FIX


def _draft_or_none(ctx) -> ResolutionDraft | None:
    if ctx.group is None:
        return None
    return ResolutionRepository(ctx.session).pending_draft(ctx.group.id, ctx.member.id)


def _no_draft(ctx) -> str | None:
    return NO_DRAFT if ctx.call is None or ctx.call.explicit else None

