"""Scores from the ledger: a member's totals by area over a period, the year score, its stars
(星级 1–5) and colour (三色预警). Caps limit what an area can add in the period, never deductions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bot.points_config import PointsSettings
from storage.repositories import PointsRepository

__all__ = ["GREEN", "RED", "YELLOW", "PERIODS", "Score", "colour_of", "period_bounds", "scores", "stars_of"]

GREEN, YELLOW, RED = "green", "yellow", "red"
COLOUR_LABELS = {GREEN: "🟢 绿色", YELLOW: "🟡 黄色预警", RED: "🔴 红色预警"}
PERIODS = ("本月", "本季", "本年")


@dataclass(frozen=True)
class Score:
    member_id: int
    areas: dict[str, int]  # net points per area in the period (gains capped)
    change: int  # sum of the areas
    total: int  # base + change (meaningful for a year)
    stars: int
    colour: str

    @property
    def colour_label(self) -> str:
        return COLOUR_LABELS[self.colour]

    @property
    def star_text(self) -> str:
        return "★" * self.stars + "☆" * (5 - self.stars)


def period_bounds(period: str, today: date) -> tuple[date, date]:
    """First and last day of this month, quarter or year."""
    if period == "本月":
        first = today.replace(day=1)
        last_month = first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
    elif period == "本季":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        month = first.month + 3
        last_month = first.replace(year=first.year + (month > 12), month=(month - 1) % 12 + 1)
    else:
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    return first, last_month - timedelta(days=1)


def stars_of(total: int, rules: PointsSettings) -> int:
    return min(5, 1 + sum(1 for threshold in rules.star_thresholds if total >= threshold))


def colour_of(total: int, rules: PointsSettings) -> str:
    return RED if total < rules.red_below else YELLOW if total < rules.yellow_below else GREEN


def scores(session: Session, rules: PointsSettings, member_ids: list[int], first: date, last: date) -> dict[int, Score]:
    """Every member's score over [first, last], in one GROUP BY query."""
    totals = PointsRepository(session).area_totals(member_ids, first, last) if member_ids else {}
    result: dict[int, Score] = {}
    for member_id in member_ids:
        areas = {}
        for area, (gains, losses) in totals.get(member_id, {}).items():
            cap = rules.areas.get(area)
            areas[area] = (min(gains, cap) if cap else gains) + losses  # cap 0 or none: no cap
        change = sum(areas.values())
        total = rules.base + change
        result[member_id] = Score(member_id, areas, change, total, stars_of(total, rules), colour_of(total, rules))
    return result
