"""Explicit routers: each handlers module owns one and declares its commands with a decorator.

A command's docstring is its help: the first line is the one-line description `/帮助` lists, the
rest (usage lines) is what a user gets after using it wrongly or asking `/帮助 打卡`.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Union

from bot.messages import InboundMessage, Reply

if TYPE_CHECKING:
    from bot.context import Context

HandlerResult = Union[Reply, str, Iterable[Union[Reply, str]], None]
Handler = Callable[[InboundMessage, "Context"], HandlerResult]
Accepts = Callable[[InboundMessage, "Context"], bool]

__all__ = ["Command", "CommandTable", "Listener", "Router", "as_replies"]


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    handler: Handler
    roles: frozenset[str] | None  # None: anyone on the roster; else only these roles
    family: str
    needs_member: bool = True  # False: also for senders the roster does not know yet
    needs_group: bool = False  # True: only in a group chat bound to a village or the township

    @property
    def help(self) -> str:
        return _doc_lines(self.handler)[0]

    @property
    def usage(self) -> str:
        return "\n".join(_doc_lines(self.handler)[1:]).strip()


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
        aliases: Iterable[str] = (),
        roles: Iterable[str] | None = None,
        needs_member: bool = True,
        needs_group: bool = False,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if not _doc_lines(handler)[0]:
                raise ValueError(f"command /{name} needs a docstring: its first line is the help text")
            self.commands.append(
                Command(
                    name=name,
                    aliases=tuple(aliases),
                    handler=handler,
                    roles=frozenset(roles) if roles is not None else None,
                    family=self.family,
                    needs_member=needs_member,
                    needs_group=needs_group,
                )
            )
            return handler

        return register

    def listener(self, accepts: Accepts) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.listeners.append(Listener(handler.__name__, accepts, handler, self.family))
            return handler

        return register


class CommandTable:
    """All commands of the included routers, looked up by name or alias."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self._by_name: dict[str, Command] = {}
        self.commands: list[Command] = []
        self.listeners: list[Listener] = []
        for router in routers:
            self.listeners.extend(router.listeners)
            for command in router.commands:
                self.commands.append(command)
                for key in (command.name, *command.aliases):
                    if key in self._by_name:
                        raise ValueError(f"command name /{key} is declared twice")
                    self._by_name[key] = command
        self._names = frozenset(self._by_name)

    def lookup(self, name: str) -> Command | None:
        return self._by_name.get(name)

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


def _doc_lines(handler: Handler) -> list[str]:
    doc = inspect.getdoc(handler) or ""
    lines = doc.splitlines() or [""]
    return [line.rstrip() for line in lines]
