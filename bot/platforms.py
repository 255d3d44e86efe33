"""Wiring the configured platforms: their senders for the outbox worker, their media fetchers on
the app, and the `[[groups]]` bindings written into the roster's group table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.delivery import Sender
from storage.repositories import OrgRepository

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["build_senders", "build_wecom_link", "sync_group_bindings", "webhook_keys"]


def webhook_keys(app: App) -> dict[str, str]:
    keys = {chat: key.get_secret_value() for chat, key in app.settings.wecom.webhook_keys.items()}
    for group in app.settings.groups:
        if group.platform == "wecom" and group.webhook_key.get_secret_value():
            keys[group.chat_id] = group.webhook_key.get_secret_value()
    return keys


def build_wecom_link(app: App, accept, reject):
    """The WeCom long connection when the bot is in that mode (else None); `accept` and `reject`
    (the inbox's `accept_async` and `reject_async`) keep an inbound message, or an unreadable
    frame as rejected, exactly as the callback routes do."""
    config = app.settings.wecom
    if not (config.enabled and config.mode == "long_connection"):
        return None
    from bot.adapters.wecom_long import WeComLongConnection

    return WeComLongConnection(config, accept, app.clock.now, reject=reject, data_dir=app.settings.data_dir)


def build_senders(app: App, *, wecom_link=None) -> dict[str, Sender]:
    """Senders of the enabled platforms; registers their media fetchers on the app as well."""
    senders: dict[str, Sender] = {}
    timeout = app.settings.outbox.http_timeout_seconds
    cap = app.settings.resolutions.max_image_bytes  # downloads stop here, before anything is decoded
    if app.settings.wecom.enabled:
        from bot.adapters.wecom_send import WeComMediaFetcher, WeComSender

        senders["wecom"] = WeComSender(app.settings.wecom, webhook_keys(app), timeout=timeout)
        if wecom_link is not None:
            from bot.adapters.wecom_long_send import WeComLinkSender

            senders["wecom"] = WeComLinkSender(wecom_link, senders["wecom"])
        # long connection: each image carries its own key (the dispatch process has no link object)
        if app.settings.wecom.aibot_aes_key.get_secret_value() or app.settings.wecom.mode == "long_connection":
            key = app.settings.wecom.aibot_aes_key.get_secret_value()
            app.media_fetchers["wecom"] = WeComMediaFetcher(key, max_bytes=cap)
    if app.settings.dingtalk.enabled:
        from bot.adapters.dingtalk_send import DingTalkMediaFetcher, DingTalkSender

        sender = DingTalkSender(app.settings.dingtalk, app.clock.now, timeout=timeout)
        senders["dingtalk"] = sender
        app.media_fetchers["dingtalk"] = DingTalkMediaFetcher(app.settings.dingtalk, sender.token, max_bytes=cap)
    return senders


def sync_group_bindings(app: App) -> list[str]:
    """Bind every configured group to its village (or township); return problems, in Chinese."""
    problems = []
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        for group in app.settings.groups:
            township = org.township_named(group.township)
            if township is None:
                problems.append(f"群 {group.chat_id}：花名册里没有乡镇「{group.township}」")
                continue
            village = org.village_named(group.village, township.id) if group.village else None
            if group.village and village is None:
                problems.append(f"群 {group.chat_id}：{group.township}没有「{group.village}」")
                continue
            org.bind_group(group.platform, group.chat_id, township, village)
        uow.commit()
    return problems
