"""A group the configuration does not know yet. README tells the operator to copy its chat id into
`[[groups]]`: the id is logged once per process with the lines to add, and an admin who @s the bot
there gets the same hint in Chinese (other members get nothing from an unbound group's bot)."""

from __future__ import annotations

import logging
import threading

from bot.messages import Reply
from bot.middleware import Next
from storage.models import Role

log = logging.getLogger(__name__)

GROUP_LINES = '[[groups]]\nplatform = "{platform}"\nchat_id = "{chat_id}"\ntownship = "乡镇名"\nvillage = "村名"  # 镇级群删去这一行'
HINT = "本群还没有登记，机器人暂不在这里工作。请在配置文件 cadrebot.toml 中加入：\n{lines}\n保存后重启机器人（cadrebot serve）。"

_logged: set[tuple[str, str]] = set()
_lock = threading.Lock()


def hint_unknown_group(ctx, call_next: Next):
    message = ctx.message
    if not message.is_group or ctx.group is not None:
        return call_next(ctx)
    lines = GROUP_LINES.format(platform=message.platform, chat_id=message.chat_id)
    with _lock:
        first = (message.platform, message.chat_id) not in _logged
        _logged.add((message.platform, message.chat_id))
    if first:
        log.warning("message from an unknown %s group %s; to serve it, add to the config:\n%s",
                    message.platform, message.chat_id, lines)
    if ctx.member is not None and ctx.member.role == Role.ADMIN.value:
        return [Reply(HINT.format(lines=lines))]
    return call_next(ctx)
