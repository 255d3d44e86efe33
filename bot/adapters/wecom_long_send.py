"""Sending over the WeCom long connection, with the other WeCom routes as the fallback.

- a reply to a message: `aibot_respond_msg` with the message's req_id (a finished `stream` of
  markdown, or a `template_card`);
- a card refresh after a tap: `aibot_respond_update_msg` with the tap event's req_id (WeCom allows
  it within 5 s of the tap);
- anything else: `aibot_send_msg` to the chat id (markdown or `template_card`).
When the connection is down (nothing sent) or WeCom refuses (errcode ≠ 0), the message goes the
callback-mode way instead (a send whose answer was lost is left `uncertain` by the outbox, never
sent twice): the group's webhook (cards as text), the self-built app or nothing. Users of other bots
report that proactive pushes can stop after a quiet night, which is why the webhook stays.
A request that left but got no answer (the connection closed first: `AnswerLost`, or no answer in
time) raises the outbox's `OutcomeUnknown`: the row is left `uncertain`, never resent by itself.
Template card (button_interaction): https://developer.work.weixin.qq.com/document/path/101032
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from bot.adapters.wecom import APP_CHAT_PREFIX
from bot.adapters.wecom_long import EVENT_REF, MESSAGE_REF, AnswerLost, LinkDown, WeComLongConnection
from bot.adapters.wecom_send import markdown_with_mentions
from bot.delivery import OutcomeUnknown, Sender
from bot.messages import OutboundMessage

log = logging.getLogger(__name__)

RESPOND, UPDATE, SEND = "aibot_respond_msg", "aibot_respond_update_msg", "aibot_send_msg"
TAP_PROMPT = "{mentions} 请点上面卡片的按钮"

__all__ = ["WeComLinkSender", "template_card"]


class WeComLinkSender:
    def __init__(self, link: WeComLongConnection, fallback: Sender) -> None:
        self._link = link
        self._fallback = fallback

    def send(self, message: OutboundMessage) -> None:
        if message.chat_id.startswith(APP_CHAT_PREFIX):  # one-to-one chats of the self-built app
            self._fallback.send(message)
            return
        try:
            if message.card is not None and message.card.update:
                self._update_card(message)
                return
            if self._send_over_link(message):
                return
        except LinkDown as error:
            log.info("WeCom long connection down (%s); sending %s the fallback way", error, message.outbox_id)
        except (AnswerLost, TimeoutError) as error:  # it left: sending it again could post it twice
            raise OutcomeUnknown(f"sent over the long connection, no answer: {error or type(error).__name__}") from error
        self._fallback.send(message)

    def _send_over_link(self, message: OutboundMessage) -> bool:
        ref = message.reply_ref or ""
        if ref.startswith(MESSAGE_REF) and _ok(self._link.call(RESPOND, respond_body(message), ref[len(MESSAGE_REF):])):
            return True
        if not _ok(self._link.call(SEND, {"chatid": message.chat_id, **send_body(message)})):
            return False
        if message.card is not None and message.mentions:
            self._mention_after_card(message)
        return True

    def _mention_after_card(self, message: OutboundMessage) -> None:
        """A card cannot @ anyone: @ them once right after it (best effort; the card is out)."""
        mentions = " ".join(f"<@{user}>" for user in message.mentions)
        body = {"chatid": message.chat_id, "msgtype": "markdown",
                "markdown": {"content": TAP_PROMPT.format(mentions=mentions)}}
        try:
            self._link.call(SEND, body)
        except Exception as error:  # never send the card a second time because this failed
            log.warning("mentions after card %s not sent: %s", message.outbox_id, error)

    def _update_card(self, message: OutboundMessage) -> None:
        ref = message.reply_ref or ""
        if not ref.startswith(EVENT_REF):
            return  # nothing to update (the tap came another way); the text reply says it all
        body = {"response_type": "update_template_card", "template_card": template_card(message)}
        answer = self._link.call(UPDATE, body, ref[len(EVENT_REF):])
        if not _ok(answer):
            log.warning("WeCom refused a card update: errcode %s", answer.get("errcode"))


def _ok(answer: dict[str, Any]) -> bool:
    if answer.get("errcode", 0) != 0:
        log.warning("WeCom long connection: errcode %s %s", answer.get("errcode"), answer.get("errmsg", ""))
        return False
    return True


def respond_body(message: OutboundMessage) -> dict[str, Any]:
    if message.card is not None:
        return {"msgtype": "template_card", "template_card": template_card(message)}
    stream = {"id": secrets.token_hex(8), "finish": True, "content": markdown_with_mentions(message)}
    return {"msgtype": "stream", "stream": stream}


def send_body(message: OutboundMessage) -> dict[str, Any]:
    if message.card is not None:
        return {"msgtype": "template_card", "template_card": template_card(message)}
    return {"msgtype": "markdown", "markdown": {"content": markdown_with_mentions(message)}}


def template_card(message: OutboundMessage) -> dict[str, Any]:
    """A button_interaction card; each button's key is the command it stands for."""
    card = message.card
    return {
        "card_type": "button_interaction",
        "main_title": {"title": card.title},
        "sub_title_text": message.text,
        "button_list": [{"text": b.label, "style": 1, "key": b.command} for b in card.buttons[:6]],
        "task_id": card.key,
    }
