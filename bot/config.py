"""Configuration: one TOML file (path in `CADREBOT_CONFIG`, default `cadrebot.toml`) plus
environment overrides (`CADREBOT_…`, nested with `__`, e.g. `CADREBOT_CHECKIN__LATE_AFTER=08:45`).
Secrets belong in the environment, never in the repository."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

from pydantic import BaseModel
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.platform_config import DingTalkSettings, GroupBinding, OutboxSettings, WebSettings, WeComSettings

__all__ = ["CheckinSettings", "Settings", "load_settings"]


class CheckinSettings(BaseModel):
    late_after: time = time(8, 30)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CADREBOT_", env_nested_delimiter="__", extra="ignore")

    database_url: str = "sqlite:///data/cadrebot.sqlite3"
    data_dir: Path = Path("data")
    bot_name: str = "村务助手"
    bot_aliases: list[str] = ["CadreBot", "cadrebot"]
    checkin: CheckinSettings = CheckinSettings()
    web: WebSettings = WebSettings()
    wecom: WeComSettings = WeComSettings()
    dingtalk: DingTalkSettings = DingTalkSettings()
    outbox: OutboxSettings = OutboxSettings()
    groups: list[GroupBinding] = []

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
