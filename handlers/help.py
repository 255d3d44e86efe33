"""/帮助: the command list, generated from each command's own docstring."""

from bot.errors import UsageError
from bot.router import Router

router = Router("help")

HEADER = "📖 村务助手命令（发送「/帮助 命令名」看用法）："
NO_SUCH = "没有「/{name}」这个命令。"
DETAIL = "/{name} — {help}"
ALIASES = "也可以用：{aliases}"


@router.command("帮助", aliases=("help", "菜单"), needs_member=False)
def show_help(message, ctx):
    """列出全部命令，或看某个命令的用法
    /帮助
    /帮助 打卡
    """
    if len(ctx.args) > 1:
        raise UsageError()
    if ctx.args:
        return _command_detail(ctx, ctx.args[0].lstrip("/／"))
    lines = [HEADER] + [f"/{c.name} — {c.help}" for c in ctx.commands.commands]
    return "\n".join(lines)


def _command_detail(ctx, name: str) -> str:
    command = ctx.commands.lookup(name)
    if command is None:
        return NO_SUCH.format(name=name)
    parts = [DETAIL.format(name=command.name, help=command.help)]
    if command.usage:
        parts.append("用法：\n" + command.usage)
    if command.aliases:
        parts.append(ALIASES.format(aliases="、".join("/" + a for a in command.aliases)))
    return "\n".join(parts)
