"""Explicit routers: each handlers module owns one and declares its commands with a decorator.

A command's docstring is its help: the first line is the one-line description `/帮助` lists, the
rest (usage lines) is what a user gets after using it wrongly or asking `/帮助 打卡`. What the
command takes, who may use it, where and on what is its declaration (`bot.contract`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from bot.commands import CommandCall
from bot.contract.args import Arg
from bot.contract.declaration import Command, Handler, HandlerResult, doc_lines
from bot.contract.places import Place, Scope
from bot.messages import InboundMessage, Reply

if TYPE_CHECKING:
    from bot.context import Context

Accepts = Callable[[InboundMessage, "Context"], bool]

__all__ = ["Command", "CommandTable", "Listener", "Router", "as_replies"]


@dataclass(frozen=True)
class Listener:
    """A handler for messages that are not commands (images, free text); `accepts` decides."""

    name: str
    accepts: Accepts
    handler: Handler
    family: str


class Router:
    def __init__(self, family: str) -> None:
        self.family = family
        self.commands: list[Command] = []
        self.listeners: list[Listener] = []

    def command(
        self,
        name: str,
        *,
        args: Sequence[Arg],
        places: Iterable[Place],
        scope: Scope,
        aliases: Iterable[str] = (),
        roles: Iterable[str] | None = None,
        needs_member: bool | None = None,
        sub: str | None = None,
        sub_aliases: Iterable[str] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare a command (or, with `sub`, one subcommand of `/name`). See docs/contract.md.

        `args` (typed; `()` for none), `places` and `scope` are required: the router enforces
        them, so a command without them is refused here, when its module is imported."""
        args, places = _declared(f"{name} {sub}" if sub else name, args, places, scope)
        if needs_member is None:
            needs_member = scope is not Scope.PUBLIC

        def register(handler: Handler) -> Handler:
            if not doc_lines(handler)[0]:
                raise ValueError(f"command /{name} needs a docstring: its first line is the help text")
            self.commands.append(
                Command(
                    name=name,
                    aliases=tuple(aliases),
                    handler=handler,
                    roles=frozenset(roles) if roles is not None else None,
                    family=self.family,
                    needs_member=needs_member,
                    sub=sub,
                    sub_aliases=tuple(sub_aliases),
                    args=args,
                    places=places,
                    scope=scope,
                )
            )
            return handler

        return register

    def listener(self, accepts: Accepts) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.listeners.append(Listener(handler.__name__, accepts, handler, self.family))
            return handler

        return register


def _declared(words: str, args, places, scope) -> tuple[tuple[Arg, ...], frozenset[Place]]:
    """The declaration's args and places as stored; refuses one the router could not enforce:
    untyped arguments, no place to be used in, no scope."""
    if args is None:
        raise ValueError(f"/{words} must declare its arguments (args=(...), or args=() for none)")
    places = frozenset(places) if places is not None else frozenset()
    if not places:
        raise ValueError(f"/{words} must declare where it may be used (places=...)")
    if not isinstance(scope, Scope):
        raise ValueError(f"/{words} must declare its scope (scope=Scope....)")
    return tuple(args), places


class CommandTable:
    """All commands of the included routers, looked up by name or alias."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self._by_name: dict[str, Command] = {}
        self._subs: dict[tuple[str, str], Command] = {}
        self.commands: list[Command] = []
        self.listeners: list[Listener] = []
        for router in routers:
            self.listeners.extend(router.listeners)
            for command in router.commands:
                self.commands.append(command)
                if command.sub is None:
                    self._add_name(command)
                else:
                    for word in (command.sub, *command.sub_aliases):
                        if (command.name, word) in self._subs:
                            raise ValueError(f"subcommand /{command.name} {word} is declared twice")
                        self._subs[(command.name, word)] = command
        for name, word in self._subs:
            if name not in self._by_name:
                raise ValueError(f"/{name} {word} needs a plain /{name} declared too (its usage)")
        self._names = frozenset(self._by_name)

    def _add_name(self, command: Command) -> None:
        for key in (command.name, *command.aliases):
            if key in self._by_name:
                raise ValueError(f"command name /{key} is declared twice")
            self._by_name[key] = command

    def lookup(self, name: str) -> Command | None:
        """The plain command of a name or alias (a subcommand is found by `resolve`)."""
        return self._by_name.get(name)

    def resolve(self, command: Command, call: CommandCall) -> tuple[Command, CommandCall]:
        """The subcommand the call's first word names (its call without that word), else the plain one."""
        if not call.args:
            return command, call
        sub = self._subs.get((command.name, call.args[0]))
        if sub is None:
            return command, call
        rest = call.arg_text[len(call.args[0]):].strip()
        return sub, replace(call, args=call.args[1:], arg_text=rest)

    def subcommands(self, command: Command) -> list[Command]:
        return [c for c in self.commands if c.sub is not None and c.name == command.name]

    def names(self) -> frozenset[str]:
        """Every name and alias (asked once per message, so built once)."""
        return self._names

    def suggest(self, name: str) -> str | None:
        close = difflib.get_close_matches(name, list(self._by_name), n=1, cutoff=0.5)
        return self._by_name[close[0]].name if close else None


def as_replies(result: HandlerResult) -> list[Reply]:
    """Normalise what a handler returned into a list of replies."""
    if result is None:
        return []
    if isinstance(result, (Reply, str)):
        result = [result]
    return [Reply(item) if isinstance(item, str) else item for item in result]
