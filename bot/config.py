"""Configuration: one TOML file (path in `CADREBOT_CONFIG`, default `cadrebot.toml`) plus
environment overrides (`CADREBOT_…`, nested with `__`, e.g. `CADREBOT_CHECKIN__LATE_AFTER=08:45`).
Secrets belong in the environment, never in the repository."""

from __future__ import annotations

import os
from datetime import date, time
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.platform_config import DingTalkSettings, GroupBinding, OutboxSettings, WebSettings, WeComSettings
from bot.points_config import BoardSettings, PointsSettings

__all__ = [
    "AttendanceSettings",
    "CheckinSettings",
    "ResolutionSettings",
    "Settings",
    "TownshipCalendarSettings",
    "load_settings",
    "MeetingSettings",
    "NoticeSettings",
    "RecurringEvent",
]


class CheckinSettings(BaseModel):
    late_after: time = time(8, 30)


class ResolutionSettings(BaseModel):
    """Minutes, resolutions and votes. Quorum rules: 过半 (more than half) or 三分之二 (at least two thirds)."""

    quorum_rule: str = "过半"
    quorum_by_kind: dict[str, str] = {"人事任免": "三分之二", "大额资金使用": "三分之二"}
    max_image_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 50_000_000  # checked from the header, before a photo is decoded
    thumbnail_px: int = 320
    public_url: str = ""  # base address of the 公开栏 web view, when one runs


class TownshipCalendarSettings(BaseModel):
    """A township's own changes to the national calendar: extra days off, extra working days."""

    days_off: list[date] = []
    workdays: list[date] = []


class AttendanceSettings(BaseModel):
    """考勤: who must check in, when to remind, and the warning thresholds (missed workdays)."""

    roles: list[str] = ["书记", "村干部"]
    reminder_time: time = time(9, 0)
    warning_time: time = time(0, 30)
    yellow_at: int = 2
    red_at: int = 3
    flag_over: int = 3  # more missed workdays than this in a month: 视为自动离职
    calendars: dict[str, TownshipCalendarSettings] = {}  # township name -> its own days


class RecurringEvent(BaseModel):
    """One line of the party calendar, in plain terms:
    rule "monthly" (on `day`), "monthly_weekday" (`nth` `weekday` of the month, nth=-1 for the last),
    "quarterly" / "half_yearly" (on `day` of the period's first month), "weekly" (on `weekday`).
    Weekdays are 1 (Monday) … 7 (Sunday)."""

    title: str
    rule: str = "monthly"
    day: int = 1
    weekday: int = 2
    nth: int = 1
    at: time = time(15, 0)
    place: str = ""
    theme: str = ""
    audience: str = "党员"


class MeetingSettings(BaseModel):
    """Reminders, roll call, notebook spot-check and 传达 of meetings (times in minutes/hours)."""

    reminder_minutes: list[int] = [3 * 24 * 60, 24 * 60, 60]  # before the start
    signin_open_minutes: int = 30  # /签到 opens this long before the start
    signin_close_minutes: int = 180  # late /签到 accepted until this long after the start
    grace_minutes: int = 10  # the 迟到席 roll call is posted this long after the start
    spot_check_count: int = 3
    spot_check_after_minutes: int = 120  # the notebook spot-check is drawn this long after the start
    spot_check_hours: int = 24  # time to upload the photo
    spot_check_remind_hours: int = 20  # reminder to those who have not, after the draw
    relay_hours: int = 24  # villages must 传达 a township meeting within this long after its start
    relay_remind_hours: int = 20
    calendar: list[RecurringEvent] = []
    calendar_horizon_days: int = 7  # calendar meetings are created this long ahead


class NoticeSettings(BaseModel):
    """`/通知 … 需回复收到`: re-@ those who have not answered this many minutes after the notice,
    tell the 书记 (village) or the admins (township) after `report_minutes`, and stop at the
    deadline (`default_deadline_hours` after the notice when none is given) with a final list."""

    realert_minutes: list[int] = [30, 120]
    report_minutes: int = 180
    default_deadline_hours: int = 24


class LeaderSettings(BaseModel):
    """Several workers on one database: one of them (the leader) runs the scheduler and the long
    platform connections. If it dies, another takes over within `takeover_seconds`."""

    takeover_seconds: float = 10.0


class InboxSettings(BaseModel):
    """A dispatcher's claim on inbox rows: renewed every third of `claim_lease_seconds` while the
    process lives; an older claim belongs to a process that died, and its rows are handled again."""

    claim_lease_seconds: float = Field(30.0, gt=0)
    # messages claimed (and handled in one transaction) at a time, and dispatching threads per
    # process. Measured with bench/intake.py on 2 cores: batches of 50 drain a 500/s burst's backlog
    # within seconds, where batches of 20 left 8–13 s. One thread a process (the default): dispatch
    # is CPU-bound, a second thread only splits the same interpreter into smaller batches, each with
    # its claim, commit and finish (2 workers on PostgreSQL, 500/s: ack p99 51 ms with one thread,
    # 111 ms with two; PostgreSQL's CPU 1.00 against 1.11 ms a message).
    batch: int = Field(50, ge=1, le=500)
    dispatch_threads: int | None = Field(None, ge=1, le=32)


class RetentionSettings(BaseModel):
    """How long the delivery bookkeeping is kept (storage/retention.py): handled inbox rows,
    processed-id marks and sent outbox rows older than `days` go at 03:30 each night. None keeps
    everything. Failed, rejected and uncertain rows, and the township's records, always stay."""

    days: int | None = Field(30, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CADREBOT_", env_nested_delimiter="__", extra="ignore")

    database_url: str = "sqlite:///data/cadrebot.sqlite3"
    data_dir: Path = Path("data")
    bot_name: str = "村务助手"
    bot_aliases: list[str] = ["CadreBot", "cadrebot"]
    checkin: CheckinSettings = CheckinSettings()
    resolutions: ResolutionSettings = ResolutionSettings()
    attendance: AttendanceSettings = AttendanceSettings()
    web: WebSettings = WebSettings()
    wecom: WeComSettings = WeComSettings()
    dingtalk: DingTalkSettings = DingTalkSettings()
    outbox: OutboxSettings = OutboxSettings()
    groups: list[GroupBinding] = []
    meetings: MeetingSettings = MeetingSettings()
    notices: NoticeSettings = NoticeSettings()
    points: PointsSettings = PointsSettings()
    board: BoardSettings = BoardSettings()
    leader: LeaderSettings = LeaderSettings()
    inbox: InboxSettings = InboxSettings()
    retention: RetentionSettings = RetentionSettings()

    @property
    def public_url(self) -> str:
        """Base address of the 公开栏 pages, without a trailing slash ('' when none runs)."""
        return (self.board.public_url or self.resolutions.public_url).rstrip("/")

    @property
    def bot_names(self) -> list[str]:
        return [self.bot_name, *self.bot_aliases]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_cls.model_config.get("toml_file") or os.environ.get("CADREBOT_CONFIG", "cadrebot.toml")
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_file)))


def load_settings(config_file: str | Path | None = None, **overrides) -> Settings:
    """Settings from the given TOML file (else `CADREBOT_CONFIG`, else ./cadrebot.toml if present),
    with environment variables over the file and explicit overrides over both."""
    if config_file is None:
        return Settings(**overrides)

    class FileSettings(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "toml_file": Path(config_file)})

    return FileSettings(**overrides)
