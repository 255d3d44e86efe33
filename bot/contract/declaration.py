"""One declaration per command: its words, typed arguments, roles, places and scope, and the
handler. The router reads it; /帮助, the README table and the permission-matrix test read it too."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Union

from bot.contract.args import Arg
from bot.contract.parse import usage_line
from bot.contract.places import Place, Scope

if TYPE_CHECKING:
    from bot.context import Context
    from bot.messages import InboundMessage, Reply

HandlerResult = Union["Reply", str, Iterable[Union["Reply", str]], None]
Handler = Callable[["InboundMessage", "Context"], HandlerResult]

__all__ = ["Command", "Handler", "HandlerResult"]


@dataclass(frozen=True)
class Command:
    """A declared command (or subcommand: `/会议 新建` is `name="会议", sub="新建"`).

    roles:  None → anyone on the roster; else only these roles (admins may always)
    args:   the typed specs, parsed into `ctx.params` before the handler runs (`()`: none)
    places: where it may be used; scope: on what it acts (see `bot.contract.places`)
    All three are required (`Router.command` refuses a declaration without them).
    """

    name: str
    aliases: tuple[str, ...]
    handler: Handler
    roles: frozenset[str] | None
    family: str
    args: tuple[Arg, ...]
    places: frozenset[Place]
    scope: Scope
    needs_member: bool = True  # False: also for senders the roster does not know yet
    sub: str | None = None
    sub_aliases: tuple[str, ...] = ()

    @property
    def help(self) -> str:
        return doc_lines(self.handler)[0]

    @property
    def usage(self) -> str:
        return "\n".join(doc_lines(self.handler)[1:]).strip()

    @property
    def words(self) -> str:
        """How it is typed: `会议 新建`."""
        return f"{self.name} {self.sub}" if self.sub else self.name

    @property
    def signature(self) -> str:
        """The usage line derived from the typed specs."""
        return usage_line(self.name, self.sub, self.args)


def doc_lines(handler: Handler) -> list[str]:
    doc = inspect.getdoc(handler) or ""
    lines = doc.splitlines() or [""]
    return [line.rstrip() for line in lines]
