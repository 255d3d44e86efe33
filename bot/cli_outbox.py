"""CLI subcommands `outbox` and `inbox` (wired into `cadrebot` by bot/cli.py via `register`):
an operator's view of what was not sent and what came in but was not handled."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from bot.cli_app import add_config_option, opened_app
from storage.models import InboxMessage

__all__ = ["register"]

STATUS_TEXT = {
    "pending": "排队中", "sending": "发送中", "failed": "失败", "uncertain": "不确定", "dismissed": "已忽略",
    "dispatching": "处理中", "rejected": "无法读取",
}


def register(subparsers) -> None:
    outbox = subparsers.add_parser("outbox", help="发送队列：列出排队、失败和不确定是否送达的消息，可重发或忽略")
    add_config_option(outbox)
    outbox.set_defaults(func=run_list)
    verbs = outbox.add_subparsers(dest="verb")
    retry = verbs.add_parser("retry", help="重发一条（编号）或全部「不确定」的消息")
    retry.add_argument("id", type=int, nargs="?")
    retry.add_argument("--uncertain", action="store_true", help="重发全部「不确定」的消息（先确认群里确实没收到）")
    add_config_option(retry)
    retry.set_defaults(func=run_retry)
    dismiss = verbs.add_parser("dismiss", help="忽略一条消息，不再发送（原因会记下）")
    dismiss.add_argument("id", type=int)
    dismiss.add_argument("--reason", required=True, help="为什么不再发送")
    add_config_option(dismiss)
    dismiss.set_defaults(func=run_dismiss)
    inbox = subparsers.add_parser("inbox", help="收件箱：列出尚未处理和无法读取的来信")
    add_config_option(inbox)
    inbox.set_defaults(func=run_inbox)


def run_list(args: argparse.Namespace) -> int:
    from bot.outbox_admin import open_rows

    with opened_app(args, reading=True) as app:  # an operator's look never creates a database
        rows = open_rows(app)
    if not rows:
        print("发送队列是空的：没有排队、失败或不确定的消息。")
        return 0
    print("编号\t状态\t平台\t群\t次数\t时间\t内容\t原因")
    for r in rows:
        reason = f"{r.last_status or ''} {r.last_error or ''}".strip()
        print(f"{r.id}\t{STATUS_TEXT.get(r.status, r.status)}\t{r.platform}\t{r.chat_id}\t{r.attempts}\t"
              f"{r.created_at:%m-%d %H:%M}\t{_short(r.text)}\t{_short(reason, 60)}")
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from bot.outbox_admin import retry, retry_uncertain

    if args.id is None and not args.uncertain:
        print("请给出编号，或用 --uncertain 重发全部不确定的消息。")
        return 2
    with opened_app(args, reading=True) as app:
        if args.uncertain:
            print(f"已重新排队 {retry_uncertain(app)} 条不确定的消息。")
            return 0
        if retry(app, args.id):
            print(f"第 {args.id} 条已重新排队。")
            return 0
    print(f"第 {args.id} 条不是失败或不确定的消息，没有改动。")
    return 1


def run_dismiss(args: argparse.Namespace) -> int:
    from bot.outbox_admin import dismiss

    with opened_app(args, reading=True) as app:
        dismissed = dismiss(app, args.id, args.reason)
    if dismissed:
        print(f"第 {args.id} 条已忽略，原因已记下。")
        return 0
    print(f"第 {args.id} 条不在队列中，没有改动。")
    return 1


def run_inbox(args: argparse.Namespace) -> int:
    with opened_app(args, reading=True) as app, app.unit_of_work() as uow:
        rows = list(uow.session.scalars(
            select(InboxMessage)
            .where(InboxMessage.in_state("pending", "dispatching", "failed", "rejected"))
            .order_by(InboxMessage.id)
            .limit(200)
        ))
    if not rows:
        print("收件箱里没有待处理或无法读取的来信。")
        return 0
    print("编号\t状态\t平台\t消息号\t收到时间\t原因")
    for r in rows:
        print(f"{r.id}\t{STATUS_TEXT.get(r.status, r.status)}\t{r.platform}\t{r.message_id}\t"
              f"{r.received_at:%m-%d %H:%M:%S}\t{_short(r.error or '', 60)}")
    return 0


def _short(text: str, width: int = 30) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
