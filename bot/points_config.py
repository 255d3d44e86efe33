"""Settings of 积分 (the points ledger) and of the 公开栏 pages.

Every township decides for itself (the central rule of December 2023: no forced rankings):
`[points]` holds the defaults, `[points.townships."芝英镇"]` a township's own choices. Rules turn
events the bot already records into ledger entries; a rule with 0 points is not counted.
Admin tokens of the board are secrets: set them in the environment
(`CADREBOT_BOARD__ADMIN_TOKENS='{"芝英镇": "…"}'`), never in a committed file.
"""

from __future__ import annotations

from pydantic import BaseModel, SecretStr, model_validator

__all__ = ["BoardSettings", "DEFAULT_RULES", "PointsRule", "PointsSettings", "TownshipPoints", "RULE_IDS"]

DAILY, ORGANISATION, VILLAGE_WORK = "日常行为规范", "参加组织生活", "配合村组工作"

# The events rules can count, in the order docs/points-and-board.md lists them.
RULE_IDS = (
    "workday_checkin", "checkin_late", "missed_workday",
    "meeting_on_time", "meeting_late", "meeting_absent", "meeting_excused",
    "relay_on_time", "relay_overdue", "notes_handed_in", "notes_missing", "vote_cast",
)


class PointsRule(BaseModel):
    points: int = 0
    area: str = DAILY


def _default_rules() -> dict[str, PointsRule]:
    return {
        "workday_checkin": PointsRule(points=0, area=DAILY),
        "checkin_late": PointsRule(points=-1, area=DAILY),
        "missed_workday": PointsRule(points=-2, area=DAILY),
        "meeting_on_time": PointsRule(points=0, area=ORGANISATION),
        "meeting_late": PointsRule(points=-1, area=ORGANISATION),
        "meeting_absent": PointsRule(points=-3, area=ORGANISATION),
        "meeting_excused": PointsRule(points=0, area=ORGANISATION),
        "relay_on_time": PointsRule(points=1, area=VILLAGE_WORK),
        "relay_overdue": PointsRule(points=-2, area=VILLAGE_WORK),
        "notes_handed_in": PointsRule(points=1, area=ORGANISATION),
        "notes_missing": PointsRule(points=-2, area=ORGANISATION),
        "vote_cast": PointsRule(points=1, area=ORGANISATION),
    }


DEFAULT_RULES = _default_rules()


class TownshipPoints(BaseModel):
    """One township's choices; anything left empty follows `[points]`."""

    enabled: bool | None = None
    rankings: bool | None = None
    rules: dict[str, PointsRule] = {}


class PointsSettings(BaseModel):
    """积分: areas (each with an optional yearly cap on what it adds), rules, stars and colours.

    A member's year score is `base` plus the year's entries (an area's gains capped at its cap;
    a cap of 0 or none: no cap).
    Stars: 1, plus one per threshold in `star_thresholds` reached. Colours: red below `red_below`
    (诫勉谈话 and worse), yellow below `yellow_below`, else green.
    """

    enabled: bool = True
    rankings: bool = False  # a league table in groups and on the page: off unless a township asks
    base: int = 100
    areas: dict[str, int | None] = {DAILY: None, VILLAGE_WORK: None, ORGANISATION: None,
                                    "志愿服务": 20, "走访联系群众": 20}
    rules: dict[str, PointsRule] = {}  # over the defaults (`DEFAULT_RULES`); points = 0 switches one off
    lookback_days: int = 14  # the job looks this far back for events (runs and restarts catch up)
    star_thresholds: list[int] = [80, 90, 100, 110]
    yellow_below: int = 90
    red_below: int = 80
    roles: list[str] = ["书记", "村干部", "党员", "村民代表"]  # the three teams (and their 书记)
    townships: dict[str, TownshipPoints] = {}

    def enabled_for(self, township: str) -> bool:
        own = self.townships.get(township)
        return self.enabled if own is None or own.enabled is None else own.enabled

    def rankings_for(self, township: str) -> bool:
        own = self.townships.get(township)
        return self.rankings if own is None or own.rankings is None else own.rankings

    def rules_for(self, township: str) -> dict[str, PointsRule]:
        own = self.townships.get(township)
        return {**DEFAULT_RULES, **self.rules, **(own.rules if own else {})}

    @model_validator(mode="after")
    def _known_rules(self) -> PointsSettings:
        for rules in [self.rules, *(t.rules for t in self.townships.values())]:
            unknown = set(rules) - set(RULE_IDS)
            if unknown:
                raise ValueError(f"unknown points rules {sorted(unknown)}; known: {', '.join(RULE_IDS)}")
        return self


class BoardSettings(BaseModel):
    """The 公开栏 web pages. `public_url` is the address villagers reach (also printed on posters);
    when empty, `[resolutions] public_url` is used."""

    public_url: str = ""
    admin_tokens: dict[str, SecretStr] = {}  # township name -> secret token of its admin view
    months_in_chart: int = 6
    font: str = ""  # a TTF/OTC with Chinese glyphs for posters; found among system fonts when empty
