"""Find who is speaking (the roster member behind the platform account) and in which group.
Both answers come from the process's roster cache (storage/roster_cache.py): no query while the
roster is unchanged."""

from bot.middleware import Next


def resolve_member_and_group(ctx, call_next: Next):
    message = ctx.message
    ctx.group = ctx.roster.group(ctx.session, message.platform, message.chat_id)
    village_id = ctx.group.village_id if ctx.group else None
    ctx.member = ctx.roster.member(ctx.session, message.platform, message.sender_id, village_id)
    return call_next(ctx)
