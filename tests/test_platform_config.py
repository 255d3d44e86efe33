"""Configuration of the platforms: TOML + environment secrets, `cadrebot check-config` in Chinese,
group bindings written into the roster, secrets never shown."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli_serve import register
from bot.config import load_settings
from bot.platform_config import GroupBinding
from bot.platforms import sync_group_bindings
from storage.repositories import OrgRepository

EXAMPLE = Path(__file__).resolve().parent.parent / "cadrebot.example.toml"


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_the_example_config_loads_and_names_what_is_missing(capsys, monkeypatch):
    for name in ("CADREBOT_WECOM__AIBOT_TOKEN", "CADREBOT_DINGTALK__CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert run_cli("check-config", "--config", str(EXAMPLE)) == 1
    out = capsys.readouterr().out
    assert "企业微信：缺少智能机器人的 Token（CADREBOT_WECOM__AIBOT_TOKEN）" in out
    assert "钉钉：缺少 Client Secret / AppSecret（CADREBOT_DINGTALK__CLIENT_SECRET）" in out


def test_secrets_from_the_environment_complete_the_config_and_are_not_printed(capsys, monkeypatch):
    monkeypatch.setenv("CADREBOT_WECOM__AIBOT_TOKEN", "tok-SECRET-1")
    monkeypatch.setenv("CADREBOT_WECOM__AIBOT_AES_KEY", "a" * 43)
    keys = '{"wrkSFfCgAAyazhuang": "hook-SECRET-2", "wrkSFfCgAAzhiying": "hook-SECRET-3"}'
    monkeypatch.setenv("CADREBOT_WECOM__WEBHOOK_KEYS", keys)
    monkeypatch.setenv("CADREBOT_DINGTALK__CLIENT_SECRET", "ding-SECRET-4")
    assert run_cli("check-config", "--config", str(EXAMPLE)) == 0
    out = capsys.readouterr().out
    assert out.startswith("配置无误：已启用 企业微信、钉钉，绑定 3 个群")
    settings = load_settings(EXAMPLE)
    assert "SECRET" not in repr(settings)
    assert settings.dingtalk.client_secret.get_secret_value() == "ding-SECRET-4"


def test_a_broken_value_is_reported_in_chinese(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[groups]]\nplatform = "qq"\nchat_id = "x"\ntownship = "芝英镇"\n', encoding="utf-8")
    assert run_cli("check-config", "--config", str(bad)) == 2
    assert "配置文件有误" in capsys.readouterr().out


def test_group_bindings_bind_chats_to_villages(world, app):
    groups = [
        GroupBinding(platform="wecom", chat_id="wx-new", township="芝英镇", village="莲湖村"),
        GroupBinding(platform="dingtalk", chat_id="dt-town", township="芝英镇"),
        GroupBinding(platform="dingtalk", chat_id="dt-x", township="芝英镇", village="不存在村"),
    ]
    app.settings = app.settings.model_copy(update={"groups": groups})
    assert sync_group_bindings(app) == ["群 dt-x：芝英镇没有「不存在村」"]
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        assert org.group("wecom", "wx-new").village_id == world.villages["莲湖村"]
        assert org.group("dingtalk", "dt-town").village_id is None
        assert org.group("dingtalk", "dt-x") is None
