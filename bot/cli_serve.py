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
    serve.add_argument("--workers", type=int, default=1, help="工作进程数（大于 1 时需要 PostgreSQL 数据库）")
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
    if args.workers > 1:
        if not settings.database_url.startswith("postgresql"):
            print(f"多个工作进程（--workers {args.workers}）需要 PostgreSQL 数据库；SQLite 只能用一个进程。")
            return 2
        from bot.workers import run_workers

        return run_workers(args.config, settings, args.workers, args.host, args.port)
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
    if settings.wecom.enabled:
        print(WECOM_MODES[settings.wecom.mode])
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
    if wecom.enabled and wecom.mode == "long_connection":
        problems += _long_connection_problems(settings)
    if wecom.enabled:
        if wecom.mode == "callback" and not wecom.aibot_token.get_secret_value() and not wecom.app_token.get_secret_value():
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
        # over the long connection scheduled posts go out with aibot_send_msg; the webhook is the spare
        if group.platform == "wecom" and wecom.mode == "callback" and not (
            group.webhook_key.get_secret_value() or group.chat_id in keys
        ):
            problems.append(f"群 {group.chat_id}：企业微信群缺少群机器人 webhook key，定时提醒发不出去")
        if group.platform == "wecom" and not wecom.enabled or group.platform == "dingtalk" and not ding.enabled:
            problems.append(f"群 {group.chat_id}：平台 {group.platform} 没有启用")
    return problems


WECOM_MODES = {
    "callback": (
        "企业微信：回调模式。企业微信把群消息推送到本机的回调网址，所以需要一个公网能访问的 HTTPS 地址"
        "（[wecom] callback_path，经反向代理转到本机 web.port）；发送要能访问 qyapi.weixin.qq.com。"
        "没有公网地址时，可在管理后台把机器人改为「长连接」，并设置 [wecom] mode = \"long_connection\"。"
    ),
    "long_connection": (
        "企业微信：长连接模式。本机主动连到 wss://openws.work.weixin.qq.com 并保持连接，不需要公网地址，"
        "只需能访问外网的 443 端口；群机器人 webhook（qyapi.weixin.qq.com）仍作定时提醒的备用通道。"
        "同一个机器人只能有一个进程连接；断线会自动重连。"
    ),
}


def _long_connection_problems(settings: Settings) -> list[str]:
    from bot.adapters.wecom_long import read_status

    wecom, problems = settings.wecom, []
    if not wecom.bot_id:
        problems.append("企业微信长连接：缺少机器人的 BotID（[wecom] bot_id）")
    if not wecom.bot_secret.get_secret_value():
        problems.append("企业微信长连接：缺少机器人的 Secret（CADREBOT_WECOM__BOT_SECRET）")
    status = read_status(settings.data_dir) or {}
    if status.get("state") == "auth_failed":
        problems.append(
            f"企业微信长连接：上次连接（{status.get('at', '')[:16]}）认证失败（errcode {status.get('errcode')}："
            f"{status.get('errmsg', '')}），已停止重试。请核对 BotID 和 Secret，并确认管理后台里机器人设为「长连接」模式"
        )
    elif status.get("state") == "kicked":
        problems.append(
            f"企业微信长连接：上次运行（{status.get('at', '')[:16]}）被另一个进程用同一个机器人连上后顶下线，已停止。"
            "同一个机器人只能由一个进程连接，请先停掉另一个"
        )
    return problems


def _print_problems(problems: list[str]) -> None:
    print("配置还不完整：")
    for problem in problems:
        print(f"  - {problem}")
