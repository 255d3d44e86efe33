"""The README's command reference, generated from the declarations so it cannot drift from the
code: one row per command with its usage, who may use it and where (and on what).

Regenerate with `python -m bot.contract.doc_table` (rewrites the block between the markers in
README.md); `tests/test_command_docs.py` fails when the block is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

from bot.contract import texts
from bot.contract.declaration import Command
from bot.contract.places import Place, Scope

START, END = "<!-- commands:start -->", "<!-- commands:end -->"
HEADER = (
    "| 命令 Command | 说明 | 谁可以用 / 在哪里用 Who / where |",
    "|---|---|---|",
)
EVERYONE = "花名册上的人"
ANYONE = "任何人（含未绑定）"
SCOPE_TEXT = {
    Scope.PUBLIC: "",
    Scope.SELF: "本人的事",
    Scope.VILLAGE: "本村（管理员：本镇各村）",
    Scope.TOWNSHIP: "本镇",
}
ADMIN = "管理员"


def render_table(commands: Iterable[Command]) -> str:
    rows = [*HEADER]
    for command in commands:
        rows.append(f"| `/{command.words}` | {_cell(command.help)} | {who_and_where(command)} |")
    return "\n".join(rows)


def who_and_where(command: Command) -> str:
    """`书记、管理员 · 村工作群、镇工作群、私聊 · 本村（管理员：本镇各村）`."""
    if not command.needs_member:
        who = ANYONE
    elif command.roles is None:
        who = EVERYONE
    else:
        who = "、".join([*sorted(command.roles - {ADMIN}), ADMIN])
    places = "、".join(texts.PLACE_NAMES[p.value] for p in Place if p in command.places)
    scope = SCOPE_TEXT[command.scope]
    return " · ".join(part for part in (who, places, scope) if part)


def update_readme(path: Path, table: str) -> bool:
    """Write the table between the markers; return True when the file changed."""
    text = path.read_text(encoding="utf-8")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    new = f"{before}{START}\n{table}\n{END}{after}"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def current_block(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.partition(START)[2].partition(END)[0].strip("\n")


def _cell(text: str) -> str:
    return text.replace("|", "｜")


def main() -> int:
    from bot.app import build_command_table

    readme = Path(__file__).resolve().parents[2] / "README.md"
    changed = update_readme(readme, render_table(build_command_table().commands))
    print("README.md 命令表已更新" if changed else "README.md 命令表已是最新")
    return 0


if __name__ == "__main__":
    sys.exit(main())
