"""CLI subcommands `serve` and `check-config` (wired into `cadrebot` by bot/cli.py via `register`)."""

from __future__ import annotations

import argparse
import logging

from pydantic import ValidationError

from bot.cli_app import add_config_option
from bot.config import Settings, load_settings

__all__ = ["register", "check_settings"]


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="启动机器人：回调网址、钉钉 Stream、发送队列和定时任务")
    add_config_option(serve)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="日志级别（默认 INFO）")
    serve.set_defaults(func=run_serve)
    check = subparsers.add_parser("check-config", help="检查配置文件，列出缺少或有误的项")
    add_config_option(check)
    check.set_defaults(func=run_check_config)


def run_serve(args: argparse.Namespace) -> int:
    from bot.app import build_app
    from bot.serve import Server

    # force: `cadrebot` set WARNING already, and basicConfig alone would keep it (no "serving on …")
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    settings = _load(args)
    if settings is None:
        return 2
    problems = check_settings(settings)
    if problems:
        _print_problems(problems)
        return 2
    Server(build_app(settings), host=args.host, port=args.port, dispatch_process=True).run_forever()
    return 0


def run_check_config(args: argparse.Namespace) -> int:
    settings = _load(args)
    if settings is None:
        return 2
    problems = check_settings(settings)
    if problems:
        _print_problems(problems)
        return 1
    platforms = [name for name, on in (("企业微信", settings.wecom.enabled), ("钉钉", settings.dingtalk.enabled)) if on]
    print(f"配置无误：已启用 {'、'.join(platforms)}，绑定 {len(settings.groups)} 个群。")
    return 0


def _load(args: argparse.Namespace) -> Settings | None:
    try:
        return load_settings(args.config)  # None: CADREBOT_CONFIG or ./cadrebot.toml
    except ValidationError as error:
        print("配置文件有误：")
        for item in error.errors():
            print(f"  - {'.'.join(str(p) for p in item['loc'])}：{item['msg']}")
        return None


def check_settings(settings: Settings) -> list[str]:
    """What is missing or wrong, in Chinese, one line per problem (never a secret's value)."""
    problems = []
    wecom, ding = settings.wecom, settings.dingtalk
    if not (wecom.enabled or ding.enabled):
        problems.append("企业微信和钉钉都没有启用（[wecom] enabled = true 或 [dingtalk] enabled = true）")
    if wecom.enabled:
        if not wecom.aibot_token.get_secret_value() and not wecom.app_token.get_secret_value():
            problems.append("企业微信：缺少智能机器人的 Token（CADREBOT_WECOM__AIBOT_TOKEN）")
        if wecom.aibot_token.get_secret_value() and len(wecom.aibot_aes_key.get_secret_value()) != 43:
            problems.append("企业微信：智能机器人的 EncodingAESKey 应为 43 位（CADREBOT_WECOM__AIBOT_AES_KEY）")
        if wecom.app_token.get_secret_value() and not wecom.corp_id:
            problems.append("企业微信：自建应用回调需要企业ID（[wecom] corp_id）")
        if wecom.agent_id and not wecom.agent_secret.get_secret_value():
            problems.append("企业微信：填写了 agent_id，但缺少应用 Secret（CADREBOT_WECOM__AGENT_SECRET）")
    if ding.enabled:
        if not ding.client_id:
            problems.append("钉钉：缺少 Client ID / AppKey（[dingtalk] client_id）")
        if not ding.client_secret.get_secret_value():
            problems.append("钉钉：缺少 Client Secret / AppSecret（CADREBOT_DINGTALK__CLIENT_SECRET）")
    keys = {chat for chat, key in wecom.webhook_keys.items() if key.get_secret_value()}
    for group in settings.groups:
        if group.platform == "wecom" and not (group.webhook_key.get_secret_value() or group.chat_id in keys):
            problems.append(f"群 {group.chat_id}：企业微信群缺少群机器人 webhook key，定时提醒发不出去")
        if group.platform == "wecom" and not wecom.enabled or group.platform == "dingtalk" and not ding.enabled:
            problems.append(f"群 {group.chat_id}：平台 {group.platform} 没有启用")
    return problems


def _print_problems(problems: list[str]) -> None:
    print("配置还不完整：")
    for problem in problems:
        print(f"  - {problem}")
