"""/帮助: the command list, generated from each command's own docstring.

The list names the commands family by family, one line each, so it stays one short message on a
phone (and within one platform message) however many commands there are; `/帮助 命令名` gives a
command's description, usage, subcommands and aliases."""

from bot.contract import ANYWHERE, Scope, Text, excerpt
from bot.router import Router

router = Router("help")

HEADER = "📖 村务助手命令（发送「/帮助 命令名」看说明和用法，例如 /帮助 打卡）："
FAMILY_LINE = "{label}：{names}"
# How the families are shown; a family not listed here is shown under its own name.
FAMILY_LABELS = {
    "checkin": "考勤", "attendance": "考勤", "leave": "考勤", "binding": "账号",
    "meetings": "会议", "notes": "会议", "calendar": "会议", "minutes": "决议", "resolutions": "决议",
    "votes": "表决", "search": "决议", "points": "积分", "notices": "通知", "help": "帮助",
}
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
    return "\n".join([HEADER] + _family_lines(ctx.commands.commands))


def _family_lines(commands) -> list[str]:
    """One line per family label, its top-level commands in declaration order."""
    by_label: dict[str, list[str]] = {}
    for command in commands:
        if command.sub is None:
            label = FAMILY_LABELS.get(command.family, command.family)
            by_label.setdefault(label, []).append("/" + command.name)
    return [FAMILY_LINE.format(label=label, names=" ".join(names)) for label, names in by_label.items()]


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
