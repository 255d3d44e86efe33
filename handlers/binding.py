"""/绑定: link a platform account the roster lacks to a roster member, confirmed by an admin of
the member's township.

Only an admin confirms: a 书记's second account asking to be bound to a colleague's roster entry
looks exactly like a newcomer, so letting the village's own 书记 confirm let him vote twice.
Nobody confirms a request naming himself, and a member has at most one account per platform
(the identities table's unique (member_id, platform) constraint)."""

from __future__ import annotations

from bot.contract import ANYWHERE, GROUPS, Id, Name, Scope
from bot.errors import UserError
from bot.messages import Reply
from bot.router import Router
from storage.models import BindingRequest, Member, Role
from storage.repositories import OrgRepository

router = Router("binding")

ALREADY_BOUND = "您的账号已绑定为 {name}（{place}）。"
NOT_ON_ROSTER = "花名册里没有「{name}」，请核对姓名，或请管理员先导入花名册。"
AMBIGUOUS = "花名册里有多位「{name}」（{places}），请发送「/绑定 {name} 村名」。"
TAKEN = "{name} 已绑定了另一个账号，如需更换请联系管理员。"
PENDING = "您已有待确认的绑定申请 #{id}（{name}），请等待管理员确认。"
REQUESTED = "📝 已提交绑定申请 #{id}：{name}（{place}）。请管理员发送「/绑定 确认 {id}」。"
NO_REQUEST = "没有待处理的绑定申请 #{id}。"
NOT_YOUR_TOWNSHIP = "⛔ 只有{name}所在乡镇的管理员可以处理这条绑定申请。"
OWN_REQUEST = "⛔ 这条绑定申请与您本人有关，不能自己确认，请其他管理员处理。"
CONFIRMED = "✅ 绑定申请 #{id} 已确认：{name}（{place}）现在可以使用村务助手了。"
REJECTED = "绑定申请 #{id}（{name}）已被拒绝。"

ADMIN = Role.ADMIN.value
DISPLAY_NAME_MAX = 64  # binding_requests.display_name: a platform nickname can be longer
REQUEST_ID = (Id("request", "编号"),)


@router.command(
    "绑定", places=GROUPS, scope=Scope.PUBLIC,
    args=(Name("name", "姓名"), Name("village", "村名", optional=True, max_len=64)),
)
def bind(message, ctx):
    """把您的账号绑定到花名册上的姓名（管理员确认后生效）
    /绑定 姓名
    /绑定 姓名 村名
    管理员：/绑定 确认 编号 ｜ /绑定 拒绝 编号
    """
    return _request(message, ctx, ctx.params.name, ctx.params.village)


@router.command(
    "绑定", sub="确认", sub_aliases=("同意",), roles={ADMIN}, places=ANYWHERE, scope=Scope.TOWNSHIP, args=REQUEST_ID
)
def confirm_binding(message, ctx):
    """管理员确认绑定申请
    /绑定 确认 编号
    """
    return _decide(ctx, "approved")


@router.command(
    "绑定", sub="拒绝", sub_aliases=("驳回",), roles={ADMIN}, places=ANYWHERE, scope=Scope.TOWNSHIP, args=REQUEST_ID
)
def reject_binding(message, ctx):
    """管理员拒绝绑定申请
    /绑定 拒绝 编号
    """
    return _decide(ctx, "rejected")


def _request(message, ctx, name: str, village_name: str | None):
    org = OrgRepository(ctx.session)
    if ctx.member is not None:
        return ALREADY_BOUND.format(name=ctx.member.name, place=ctx.member.place)
    pending = org.pending_binding_request(message.platform, message.sender_id)
    if pending is not None:
        return PENDING.format(id=pending.id, name=pending.member.name)
    member = _pick_member(org, ctx.group, name, village_name)
    if org.identity_of(member.id, message.platform) is not None:
        raise UserError(TAKEN.format(name=member.name))
    request = org.add_binding_request(
        BindingRequest(
            platform=message.platform,
            user_id=message.sender_id,
            display_name=message.sender_name[:DISPLAY_NAME_MAX],
            member_id=member.id,
            status="pending",
            requested_at=ctx.now(),
        )
    )
    approvers = [m.id for m in org.admins(member.township_id)]
    return Reply(REQUESTED.format(id=request.id, name=member.name, place=member.place), mentions=tuple(approvers))


def _pick_member(org: OrgRepository, group, name: str, village_name: str | None) -> Member:
    village_id = None
    if village_name:
        village = org.village_named(village_name, group.township_id)
        if village is None:
            raise UserError(NOT_ON_ROSTER.format(name=f"{village_name}{name}"))
        village_id = village.id
    candidates = org.member_named(name, township_id=group.township_id, village_id=village_id)
    in_group_village = [m for m in candidates if group.village_id and m.village_id == group.village_id]
    if len(in_group_village) == 1:
        return in_group_village[0]
    if not candidates:
        raise UserError(NOT_ON_ROSTER.format(name=name))
    if len(candidates) > 1:
        raise UserError(AMBIGUOUS.format(name=name, places="、".join(m.place for m in candidates)))
    return candidates[0]


def _decide(ctx, status: str):
    org = OrgRepository(ctx.session)
    request_id = ctx.params.request
    request = org.binding_request(request_id)
    if request is None or request.status != "pending":
        raise UserError(NO_REQUEST.format(id=request_id))
    member = request.member
    ctx.policy.require_member(member, refusal=NOT_YOUR_TOWNSHIP.format(name=member.name))
    ctx.policy.require_not_party(member.id, refusal=OWN_REQUEST)
    request.status = status
    request.decided_at = ctx.now()
    request.decided_by_id = ctx.member.id
    if request.status == "rejected":
        return REJECTED.format(id=request.id, name=member.name)
    if org.identity(request.platform, request.user_id) is not None or org.identity_of(member.id, request.platform):
        raise UserError(TAKEN.format(name=member.name))
    if not any(org.identity_of(member.id, platform) for platform in ("wecom", "dingtalk")):
        # first account: counting starts today at the earliest (fair start, issue 11)
        member.start_date = max(member.start_date or ctx.today(), ctx.today())
    org.set_identity(member, request.platform, request.user_id)
    return CONFIRMED.format(id=request.id, name=member.name, place=member.place)
