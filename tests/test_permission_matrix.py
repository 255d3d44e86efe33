"""Every registered command × 7 actors × 4 places: the router allows or refuses exactly as the
command's declaration and the small table below say, and a refused call stores nothing.

The expected table is written out by hand (not computed by the policy under test): for each actor
and place, which scopes the actor may act on there. Roles and places come from the declaration.
"""

from __future__ import annotations

import pytest

from bot.app import ROUTERS, build_command_table
from bot.contract import Place, Scope
from bot.contract import texts as contract_texts
from bot.contract.hygiene import excerpt
from tests.factories import message
from tests.matrix_world import ACTORS, PLACES, build_matrix_world, changed_tables, snapshot

ALL = {Scope.PUBLIC, Scope.SELF, Scope.VILLAGE, Scope.TOWNSHIP}
NOT_VILLAGE = {Scope.PUBLIC, Scope.SELF, Scope.TOWNSHIP}
PUBLIC = {Scope.PUBLIC}

# actor -> place -> scopes the actor may act on there ("own village" is 雅庄村, the actors' village)
SCOPES_ALLOWED = {
    "member": {"own_village": ALL, "other_village": NOT_VILLAGE, "township": ALL, "private": ALL},
    "cadre": {"own_village": ALL, "other_village": NOT_VILLAGE, "township": ALL, "private": ALL},
    "secretary": {"own_village": ALL, "other_village": NOT_VILLAGE, "township": ALL, "private": ALL},
    "other_secretary": {"own_village": NOT_VILLAGE, "other_village": ALL, "township": ALL, "private": ALL},
    "admin": {"own_village": ALL, "other_village": ALL, "township": ALL, "private": ALL},
    "other_admin": {"own_village": PUBLIC, "other_village": PUBLIC, "township": PUBLIC, "private": ALL},
    "unbound": {"own_village": ALL, "other_village": ALL, "township": ALL, "private": ALL},
}
ROLE = {
    "member": "党员", "cadre": "村干部", "secretary": "书记", "other_secretary": "书记",
    "admin": "管理员", "other_admin": "管理员", "unbound": None,
}
PLACE_KIND = {
    "own_village": Place.VILLAGE_GROUP, "other_village": Place.VILLAGE_GROUP,
    "township": Place.TOWNSHIP_GROUP, "private": Place.PRIVATE,
}
# A valid call for commands whose bare form would not reach their handler; the others are sent as
# `/<words>` (the router decides before arguments are read, so the bare form tests it just as well).
SAMPLES = {
    "补卡": "/补卡 王伟 11-23 开会忘了",
    "请假": "/请假 11-30 参加培训",
    "批准": "/批准 1",
    "驳回": "/驳回 1 要迎检",
    "绑定": "/绑定 周敏",
    "绑定 确认": "/绑定 确认 1",
    "绑定 拒绝": "/绑定 拒绝 1",
    "会议 新建": "/会议 新建 12-05 14:30 例会",
    "会议 取消": "/会议 取消 1",
    "传达": "/传达 已传达",
    "纪要 开始": "/纪要 开始 两委会",
    "决议": "/决议 修路 | 应到10 实到9 | 同意9 反对0 弃权0 | 19:00-19:30",
    "修改": "/修改 实到 9",
    "公开": "/公开 1",
    "表决": "/表决 是否同意修建村道",
    "查": "/查 幼儿园",
}
COMMANDS = build_command_table().commands


def expected_allowed(command, actor: str, place: str) -> bool:
    role = ROLE[actor]
    if role is None:
        return not command.needs_member and PLACE_KIND[place] in command.places
    return (
        PLACE_KIND[place] in command.places
        and (command.roles is None or role == "管理员" or role in command.roles)
        and command.scope in SCOPES_ALLOWED[actor][place]
    )


def router_refusals(command, sender: str) -> set[str]:
    """Every text with which the router (not a handler) refuses this command."""
    words = command.words
    shown = "或".join(contract_texts.PLACE_NAMES[p.value] for p in Place if p in command.places)
    roles = "、".join(sorted((command.roles or set()) | {"管理员"}))
    return {
        contract_texts.NOT_BOUND.format(name=excerpt(sender, 16)),
        contract_texts.WRONG_PLACE.format(command=words, places=shown),
        contract_texts.WRONG_PLACE_UNBOUND.format(command=words, places=shown),
        contract_texts.NOT_ALLOWED.format(command=words, roles=roles),
        contract_texts.OTHER_TOWNSHIP.format(command=words),
        *(contract_texts.OTHER_VILLAGE.format(village=v, command=words) for v in ("雅庄村", "莲湖村")),
    }


@pytest.mark.parametrize("missing", ["args", "places", "scope"])
def test_a_command_declared_without_args_places_or_scope_is_refused_when_registered(missing):
    from bot.contract import ANYWHERE
    from bot.router import Router

    declaration = {"args": (), "places": ANYWHERE, "scope": Scope.SELF}
    router = Router("probe")
    with pytest.raises(TypeError, match=missing):  # left out
        router.command("探针", **{k: v for k, v in declaration.items() if k != missing})
    with pytest.raises(ValueError, match=f"/探针 must declare .*{missing}="):  # written as None
        router.command("探针", **{**declaration, missing: None})
    if missing == "places":
        with pytest.raises(ValueError, match="/探针 must declare where"):  # nowhere
            router.command("探针", **{**declaration, "places": frozenset()})
    assert router.commands == []


def test_matrix(app, clock):
    world = build_matrix_world(app)
    world.chat("wx-yazhuang", "wecom").say("/绑定 周敏", "zhoumin-wx")  # binding request #1 to decide
    world.chat("wx-yazhuang", "wecom").say("/请假 11-30 参加培训", "wangw")  # leave request #1
    mismatches, stored, crashed = [], [], []
    for command in COMMANDS:
        text = SAMPLES.get(command.words, f"/{command.words}")
        calls = [(actor, place) for actor in ACTORS for place in PLACES]
        refused_first = sorted(calls, key=lambda call: expected_allowed(command, *call))
        before = None
        for actor, place in refused_first:
            if before is None and not expected_allowed(command, actor, place):
                before = snapshot(app)
            if before is not None and expected_allowed(command, actor, place):
                if changed_tables(before, snapshot(app)):  # the refused calls of this command, together
                    stored.append(f"/{command.words}: a refused call changed {changed_tables(before, snapshot(app))}")
                before = None
            result = world.app.dispatcher.handle(
                message(text, sender=ACTORS[actor], chat=PLACES[place], at=app.clock.now())
            )
            reply = "\n".join(r.text for r in result.replies)
            refused = reply in router_refusals(command, ACTORS[actor])
            if refused == expected_allowed(command, actor, place):
                verdict = "refused" if refused else "allowed"
                mismatches.append(f"/{command.words} {actor}@{place}: {verdict}: {reply[:60]}")
            if "出错了" in reply:
                crashed.append(f"/{command.words} {actor}@{place}: {reply[:60]}")
        if before is not None and changed_tables(before, snapshot(app)):
            stored.append(f"/{command.words}: a refused call changed {changed_tables(before, snapshot(app))}")
    size = len(COMMANDS) * len(ACTORS) * len(PLACES)
    print(f"\npermission matrix: {len(COMMANDS)} commands × {len(ACTORS)} actors × {len(PLACES)} places = {size}")
    assert not mismatches, "\n".join(mismatches)
    assert not stored, "\n".join(stored)
    assert not crashed, "\n".join(crashed)


@pytest.mark.parametrize("scope", list(Scope))
def test_the_expected_table_covers_every_scope(scope):
    """A scope added to the contract must be added to the hand-written table above too."""
    assert any(scope in allowed for places in SCOPES_ALLOWED.values() for allowed in places.values())
