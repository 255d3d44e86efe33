"""Find who is speaking (the roster member behind the platform account) and in which group."""

from bot.middleware import Next
from storage.repositories import OrgRepository


def resolve_member_and_group(ctx, call_next: Next):
    org = OrgRepository(ctx.session)
    message = ctx.message
    ctx.group = org.group(message.platform, message.chat_id)
    ctx.member = org.member_by_identity(message.platform, message.sender_id)
    return call_next(ctx)
