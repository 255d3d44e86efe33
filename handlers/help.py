"""/帮助: the command list, generated from each command's own docstring."""

from bot.contract import ANYWHERE, Scope, Text, excerpt
from bot.router import Router

router = Router("help")

HEADER = "📖 村务助手命令（发送「/帮助 命令名」看用法）："
NO_SUCH = "没有「/{name}」这个命令。"
DETAIL = "/{name} — {help}"
ALIASES = "也可以用：{aliases}"


@router.command(
    "帮助", aliases=("help", "菜单"), places=ANYWHERE, scope=Scope.PUBLIC,
    args=(Text("name", "命令名", word=True, optional=True, max_len=20),),
)
def show_help(message, ctx):
    """列出全部命令，或看某个命令的用法
    /帮助
    /帮助 打卡
    """
    if ctx.params.name:
        return _command_detail(ctx, ctx.params.name.lstrip("/／"))
    lines = [HEADER] + [f"/{c.name} — {c.help}" for c in ctx.commands.commands if c.sub is None]
    return "\n".join(lines)


def _command_detail(ctx, name: str) -> str:
    command = ctx.commands.lookup(name)
    if command is None:
        return NO_SUCH.format(name=excerpt(name))
    parts = [DETAIL.format(name=command.name, help=command.help)]
    if command.usage:
        parts.append("用法：\n" + command.usage)
    for sub in ctx.commands.subcommands(command):
        parts.append(DETAIL.format(name=sub.words, help=sub.help))
    if command.aliases:
        parts.append(ALIASES.format(aliases="、".join("/" + a for a in command.aliases)))
    return "\n".join(parts)
