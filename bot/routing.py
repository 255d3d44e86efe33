"""The end of the middleware chain: find the command (or a listener) for a message, check that
the sender may use it, call the handler, and turn usage errors into the command's usage text."""

from __future__ import annotations

from bot import texts
from bot.commands import parse_command
from bot.context import Context
from bot.errors import UsageError
from bot.messages import Reply
from bot.router import Command, as_replies
from storage.models import Role

ADMIN_ROLE = Role.ADMIN.value


def route(ctx: Context) -> list[Reply]:
    message = ctx.message
    call = parse_command(message.text, ctx.commands.names(), ctx.settings.bot_names)
    command = ctx.commands.lookup(call.name) if call else None
    if command is None:
        listened = _run_listener(ctx)
        if listened is not None or call is None:
            return listened or []
        return [Reply(_unknown_command_text(ctx, call.name))]
    ctx.call = call
    refusal = _refusal(ctx, command)
    if refusal:
        return [Reply(refusal)]
    try:
        return as_replies(command.handler(message, ctx))
    except UsageError as error:
        usage = texts.USAGE.format(usage=command.usage) if command.usage else ""
        return [Reply("\n".join(part for part in (str(error), usage) if part))]


def _run_listener(ctx: Context) -> list[Reply] | None:
    for listener in ctx.commands.listeners:
        if listener.accepts(ctx.message, ctx):
            return as_replies(listener.handler(ctx.message, ctx))
    return None


def _refusal(ctx: Context, command: Command) -> str | None:
    if not command.needs_member:
        return None
    if ctx.member is None:
        return texts.NOT_BOUND.format(name=ctx.message.sender_name or "您好")
    if command.needs_group and ctx.group is None:
        return texts.NEEDS_GROUP.format(command=command.name)
    if command.roles is not None and not may_use(ctx.member.role, command.roles):
        return texts.NOT_ALLOWED.format(command=command.name, roles="、".join(sorted(command.roles | {ADMIN_ROLE})))
    return None


def may_use(role: str, roles: frozenset[str]) -> bool:
    """Admins may use every command; others need one of the command's roles."""
    return role == ADMIN_ROLE or role in roles


def _unknown_command_text(ctx: Context, name: str) -> str:
    suggestion = ctx.commands.suggest(name)
    if suggestion:
        return texts.UNKNOWN_COMMAND_SUGGEST.format(name=name, suggestion=suggestion)
    return texts.UNKNOWN_COMMAND.format(name=name)
