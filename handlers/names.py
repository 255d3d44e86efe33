"""How a list names people: two members with the same name are told apart by their village (or,
within one village, their team) in brackets — 王伟（雅庄村）, 王伟（二组）. Used by every list
that names people: attendance tables and reminders, the 迟到席 roll call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Iterable

__all__ = ["display_names", "member_names"]


def display_names(rows: Iterable) -> dict[int, str]:
    """member id -> name to show, for rows with member_id, name, team and village_name."""
    rows = list(rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.name] = counts.get(row.name, 0) + 1
    shown = {}
    for row in rows:
        if counts[row.name] == 1:
            shown[row.member_id] = row.name
            continue
        same = [r for r in rows if r.name == row.name]
        one_village = len({r.village_name for r in same}) == 1
        place = (row.team or row.village_name) if one_village else row.village_name
        shown[row.member_id] = f"{row.name}（{place}）" if place else row.name
    return shown


def member_names(members: Iterable) -> dict[int, str]:
    """The same for Member objects (their `place` is the village, or the township for staff)."""
    return display_names(
        SimpleNamespace(member_id=m.id, name=m.name, team=m.team, village_name=m.place) for m in members
    )
