"""/请假, /批准, /驳回: a member asks for days off with a reason; the village's 书记 (or an admin)
approves or rejects. Approved leave days are not missed days."""

from __future__ import annotations

from bot.contract import ANYWHERE, Date, Id, Scope, Text
from bot.errors import UserError
from bot.messages import Reply
from bot.router import Router
from handlers.dates import show_day
from handlers.workdays import calendar_for
from storage.models import LeaveRequest, Member, Role
from storage.repositories import LeaveRepository, OrgRepository

router = Router("leave")

MAX_DAYS = 31
MAX_REASON = 200

BACKWARDS = "结束日期 {end} 早于开始日期 {start}。"
TOO_LONG = "一次请假最多 {n} 天，请分开申请。"
OVERLAP = "您在这几天已有请假申请 #{id}（{span}，{status}）。"
STATUS = {"pending": "待审批", "approved": "已批准", "rejected": "已驳回"}
REQUESTED = "📝 请假申请 #{id}：{name} {span}（{workdays} 个工作日），事由：{reason}\n请{approvers}审批：/批准 {id} 或 /驳回 {id} 理由"
APPROVERS_NONE = "管理员"
NO_REQUEST = "没有待审批的请假申请 #{id}。"
NOT_YOURS = "⛔ 只有{name}所在村的书记或管理员可以审批这条请假。"
OWN_REQUEST = "⛔ 不能审批自己的请假，请管理员审批。"
APPROVED = "✅ 请假 #{id} 已批准：@{name} {span}，批准人 {by}。"
REJECTED = "❌ 请假 #{id} 已驳回：@{name} {span}，理由：{note}（{by}）。"


@router.command(
    "请假", places=ANYWHERE, scope=Scope.SELF,
    args=(
        Date("start", "开始日期", past_days=62, future_days=366),
        Date("end", "结束日期", optional=True, past_days=62, future_days=400),
        Text("reason", "事由", max_len=MAX_REASON),
    ),
)
def request_leave(message, ctx):
    """请假：写明日期和事由，由本村书记审批
    /请假 日期 事由
    /请假 开始日期 结束日期 事由
    例：/请假 11-25 11-26 参加县里培训
    """
    start, end, reason = ctx.params.start, ctx.params.end or ctx.params.start, ctx.params.reason
    if end < start:
        raise UserError(BACKWARDS.format(start=show_day(start), end=show_day(end)))
    if (end - start).days + 1 > MAX_DAYS:
        raise UserError(TOO_LONG.format(n=MAX_DAYS))
    leave = LeaveRepository(ctx.session)
    clash = leave.overlapping(ctx.member.id, start, end)
    if clash is not None:
        raise UserError(OVERLAP.format(id=clash.id, span=_span(clash), status=STATUS[clash.status]))
    calendar = calendar_for(ctx.settings, ctx.member.township.name)
    workdays = calendar.workdays(start, end)
    request = leave.add(
        LeaveRequest(
            member_id=ctx.member.id, start_day=start, end_day=end, reason=reason,
            status="pending", requested_at=ctx.now(),
        )
    )
    approvers = _approvers(ctx, ctx.member)
    names = "、".join(f"@{m.name}" for m in approvers) or APPROVERS_NONE
    text = REQUESTED.format(
        id=request.id, name=ctx.member.name, span=_span(request), workdays=len(workdays),
        reason=request.reason, approvers=names,
    ) + calendar.mark(start, end)
    return Reply(text, mentions=tuple(m.id for m in approvers))


@router.command(
    "批准", roles={Role.SECRETARY.value}, places=ANYWHERE, scope=Scope.VILLAGE, args=(Id("request", "编号"),)
)
def approve_leave(message, ctx):
    """书记批准请假申请
    /批准 编号
    """
    request = _pending(ctx, ctx.params.request)
    _decide(ctx, request, "approved", None)
    text = APPROVED.format(id=request.id, name=request.member.name, span=_span(request), by=ctx.member.name)
    return Reply(text, mentions=(request.member_id,))


@router.command(
    "驳回", roles={Role.SECRETARY.value}, places=ANYWHERE, scope=Scope.VILLAGE,
    args=(Id("request", "编号"), Text("note", "理由", max_len=MAX_REASON)),
)
def reject_leave(message, ctx):
    """书记驳回请假申请，需写明理由
    /驳回 编号 理由
    """
    request = _pending(ctx, ctx.params.request)
    note = ctx.params.note
    _decide(ctx, request, "rejected", note)
    text = REJECTED.format(id=request.id, name=request.member.name, span=_span(request), note=note, by=ctx.member.name)
    return Reply(text, mentions=(request.member_id,))


def _span(request: LeaveRequest) -> str:
    if request.start_day == request.end_day:
        return show_day(request.start_day)
    return f"{show_day(request.start_day)}—{show_day(request.end_day)}"


def _approvers(ctx, member: Member) -> list[Member]:
    """The village's 书记 (not the requester), else the township's admins."""
    org = OrgRepository(ctx.session)
    secretaries = []
    if member.village_id is not None:
        secretaries = [
            m for m in org.members_of_village(member.village_id)
            if m.role == Role.SECRETARY.value and m.id != member.id
        ]
    return secretaries or org.admins(member.township_id)


def _pending(ctx, request_id: int) -> LeaveRequest:
    """The pending request, if the sender may decide it (his village's, not his own)."""
    request = LeaveRepository(ctx.session).get(request_id)
    if request is None or request.status != "pending" or request.member.township_id != ctx.member.township_id:
        raise UserError(NO_REQUEST.format(id=request_id))
    ctx.policy.require_not_party(request.member_id, refusal=OWN_REQUEST)
    ctx.policy.require_member(request.member, refusal=NOT_YOURS.format(name=request.member.name))
    return request


def _decide(ctx, request: LeaveRequest, status: str, note: str | None) -> None:
    request.status = status
    request.decided_at = ctx.now()
    request.decided_by_id = ctx.member.id
    request.decision_note = note
