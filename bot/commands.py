"""Reading a command out of chat text: `/打卡`, `／打卡`, bare `打卡`, `@村务助手 /打卡`, with
arguments split on ASCII and full-width spaces."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

SLASHES = ("/", "／")
_SPACES = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class CommandCall:
    name: str
    args: tuple[str, ...]
    arg_text: str  # everything after the command name, trimmed (for free-form arguments)
    explicit: bool  # typed with a slash or addressed to the bot: an unknown name deserves help


def strip_bot_mention(text: str, bot_names: Iterable[str]) -> tuple[str, bool]:
    """Remove leading `@<bot name>` mentions; say whether there was one."""
    text = text.strip().replace("\u2005", " ")  # WeCom puts U+2005 after an @mention
    addressed = False
    changed = True
    while changed:
        changed = False
        for name in bot_names:
            for at in ("@", "＠"):
                prefix = at + name
                if text.startswith(prefix):
                    text = text[len(prefix):].lstrip(" \u3000\t")
                    addressed = changed = True
    return text, addressed


def parse_command(text: str, known: frozenset[str] | set[str], bot_names: Iterable[str] = ()) -> CommandCall | None:
    """Return the command in `text`, or None when it is ordinary chat.

    A slash (ASCII or full-width) or an @-mention of the bot makes any first word a command;
    without them only a known command name counts (`打卡` alone), so chat is left alone.
    """
    body, addressed = strip_bot_mention(text, bot_names)
    slashed = body.startswith(SLASHES)
    if slashed:
        body = body[1:].lstrip()
    parts = _SPACES.split(body.strip(), maxsplit=1)
    if not parts or not parts[0]:
        return None
    name = parts[0]
    if not (slashed or addressed) and name not in known:
        return None
    arg_text = parts[1].strip() if len(parts) > 1 else ""
    args = tuple(a for a in _SPACES.split(arg_text) if a)
    return CommandCall(name=name, args=args, arg_text=arg_text, explicit=slashed or addressed)
