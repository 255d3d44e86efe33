"""The end of the middleware chain: find the command (or a listener) for a message, check its
declaration (who, where, on what) through the policy, parse its typed arguments, call the handler,
and turn argument and usage errors into one Chinese line plus the command's usage."""

from __future__ import annotations

from bot import texts
from bot.commands import parse_command
from bot.context import Context
from bot.contract import texts as contract_texts
from bot.contract.args import ArgError
from bot.contract.hygiene import excerpt
from bot.contract.parse import parse_args
from bot.contract.policy import Policy
from bot.errors import UsageError
from bot.messages import Reply
from bot.router import Command, as_replies
from storage.models import Role

ADMIN_ROLE = Role.ADMIN.value


def route(ctx: Context) -> list[Reply]:
    message = ctx.message
    call = parse_command(message.text, ctx.commands.names(), ctx.settings.bot_names)
    command = ctx.commands.lookup(call.name) if call else None
    ctx.policy = Policy(ctx.member, ctx.group)
    if command is None:
        listened = _run_listener(ctx)
        if listened is not None or call is None:
            return listened or []
        return [Reply(_unknown_command_text(ctx, call.name))]
    command, call = ctx.commands.resolve(command, call)
    ctx.call = call
    refusal = _refusal(ctx, command)
    if refusal:
        return [Reply(refusal)] if call.explicit else []  # bare words: see reply_on_error
    try:
        ctx.params = parse_args(command.args, call.arg_text, ctx.today())
        return as_replies(command.handler(message, ctx))
    except (UsageError, ArgError) as error:
        if not call.explicit:
            return []  # a bare command word in ordinary chat that does not parse: not meant for the bot
        return [Reply(_with_usage(ctx, command, str(error)))]


def _with_usage(ctx: Context, command: Command, error: str) -> str:
    usage = command.usage or command.signature
    if not usage:
        plain = ctx.commands.lookup(command.name)
        usage = plain.usage if plain else ""
    usage_text = texts.USAGE.format(usage=usage) if usage else ""
    return "\n".join(part for part in (error, usage_text) if part)


def _run_listener(ctx: Context) -> list[Reply] | None:
    for listener in ctx.commands.listeners:
        if listener.accepts(ctx.message, ctx):
            return as_replies(listener.handler(ctx.message, ctx))
    return None


def _refusal(ctx: Context, command: Command) -> str | None:
    """Who, where, on what — from the declaration, in that order; None when allowed."""
    policy = ctx.policy
    if command.needs_member and ctx.member is None:
        return contract_texts.NOT_BOUND.format(name=excerpt(ctx.message.sender_name, 16) or "您好")
    if not command.needs_member and ctx.member is None:
        return policy.refusal_for_place(command.words, command.places)
    return (
        policy.refusal_for_place(command.words, command.places)
        or policy.refusal_for_roles(command.words, command.roles)
        or policy.refusal_for_scope(command.words, command.scope)
    )


def may_use(role: str, roles: frozenset[str]) -> bool:
    """Admins may use every command; others need one of the command's roles."""
    return role == ADMIN_ROLE or role in roles


def _unknown_command_text(ctx: Context, name: str) -> str:
    suggestion = ctx.commands.suggest(name)
    if suggestion:
        return texts.UNKNOWN_COMMAND_SUGGEST.format(name=excerpt(name), suggestion=suggestion)
    return texts.UNKNOWN_COMMAND.format(name=excerpt(name))
