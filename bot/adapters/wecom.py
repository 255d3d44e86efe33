"""WeCom (企业微信) inbound: the 智能机器人 (AI bot) JSON callback for group @-messages and the
self-built app's XML callback for one-to-one chats. Verify, decrypt, translate to an
InboundMessage, commit it to the durable inbox, then ack (WeCom waits 5 s, then retries; it never
retries a callback it got 200 for, so the 200 comes only after the commit; the inbox and the
dispatcher drop the retries by msgid). If the commit fails the answer is 503 and WeCom retries.

AI bot callback: https://developer.work.weixin.qq.com/document/path/100719 (URL check: GET with
msg_signature/timestamp/nonce/echostr; messages: POST `{"encrypt": …}`, ReceiveId "").
App callback: https://developer.work.weixin.qq.com/document/path/90930 (XML, ReceiveId = corp id).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from aiohttp import web
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.messages import Attachment, InboundMessage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

PLATFORM = "wecom"
APP_CHAT_PREFIX = "user:"  # one-to-one chats through the self-built app: chat id = "user:<userid>"
MEDIA_KEY_MARK = "#aeskey="  # an image ref with its own key: "<url>#aeskey=<base64 key>"

__all__ = [
    "AIBotCallback", "AppCallback", "CallbackRefused", "CallbackUnreadable", "PLATFORM", "Reject", "from_aibot",
    "register_routes", "rejected_id", "to_inbound",
]


class CallbackUnreadable(Exception):
    """Signed and decrypted, so truly WeCom's, but not a message the bot can read (a field missing):
    acked and kept as `rejected` in the inbox, never a 500 that WeCom would resend forever."""

    def __init__(self, message_id: str, raw: str, reason: str) -> None:
        super().__init__(reason)
        self.message_id, self.raw, self.reason = message_id, raw, reason


class CallbackRefused(Exception):
    """Wrong signature, wrong receiver or an undecryptable body: answer 403, store nothing."""


class _EncryptedCallback:
    """What both WeCom callbacks share: the crypto of the callback URL and its URL check."""

    def __init__(self, token: str, aes_key: str, receive_id: str, now: Callable[[], datetime]) -> None:
        self._crypto = WeChatCrypto(token, aes_key, receive_id)
        self._now = now

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        try:
            return self._crypto.check_signature(signature, timestamp, nonce, echostr)
        except (InvalidSignatureException, InvalidCorpIdException, ValueError) as error:
            raise CallbackRefused(type(error).__name__) from error


class AIBotCallback(_EncryptedCallback):
    """The AI bot's callback protocol, without HTTP: check the URL, open a message."""

    def __init__(self, token: str, aes_key: str, now: Callable[[], datetime]) -> None:
        super().__init__(token, aes_key, "", now)  # the AI bot's ReceiveId is empty

    def open(self, signature: str, timestamp: str, nonce: str, body: bytes) -> InboundMessage | None:
        """The message in an encrypted body, or None for events and kinds the bot ignores."""
        try:
            encrypted = json.loads(body)["encrypt"]
            # wechatpy's decrypt_message takes a dict with the XML element's name, `Encrypt`.
            plain = self._crypto.decrypt_message({"Encrypt": encrypted}, signature, timestamp, nonce)
            payload = json.loads(plain)
        except (InvalidSignatureException, InvalidCorpIdException) as error:
            raise CallbackRefused(type(error).__name__) from error
        except Exception as error:  # a wrong key decrypts to garbage: struct/unicode/JSON errors
            raise CallbackRefused(f"bad body: {type(error).__name__}") from error
        try:
            return self.to_inbound(payload)
        except Exception as error:
            raise CallbackUnreadable(str(payload.get("msgid") or ""), plain, repr(error)) from error

    def to_inbound(self, payload: dict[str, Any]) -> InboundMessage | None:
        return to_inbound(payload, self._now())


def to_inbound(payload: dict[str, Any], received_at: datetime) -> InboundMessage | None:
    """An AI-bot message body (callback or long connection) as an InboundMessage, or None."""
    text, attachments = _content(payload)
    if not text and not attachments:
        return None
    return from_aibot(payload, text=text, message_id=str(payload["msgid"]), received_at=received_at,
                      attachments=attachments, reply_ref=payload.get("response_url"))


def from_aibot(payload: dict[str, Any], **fields: Any) -> InboundMessage:
    """An InboundMessage from an AI-bot body (a message or a card tap), with who sent it and where
    from: a group's chat id, or the sender's own for a one-to-one chat (the sender is the name too)."""
    sender = (payload.get("from") or {}).get("userid", "")
    group = payload.get("chattype") == "group"
    chat_id = (payload.get("chatid") or sender) if group else sender
    return InboundMessage(platform=PLATFORM, chat_id=chat_id, sender_id=sender, sender_name=sender, is_group=group,
                          raw=payload, **fields)


def _content(payload: dict[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    kind = payload.get("msgtype")
    items = payload.get("mixed", {}).get("msg_item", []) if kind == "mixed" else [payload]
    texts, images = [], []
    for item in items:
        if item.get("msgtype") == "text":
            texts.append(item.get("text", {}).get("content", ""))
        elif item.get("msgtype") == "image" and item.get("image", {}).get("url"):
            images.append(Attachment("image", _image_ref(item["image"])))
    return "\n".join(t for t in texts if t).strip(), tuple(images)


def _image_ref(image: dict[str, Any]) -> str:
    """The download URL; over the long connection each image brings its own AES key, kept in the
    URL's fragment (never sent to the server) for the media fetcher."""
    key = image.get("aeskey")
    return f"{image['url']}{MEDIA_KEY_MARK}{key}" if key else image["url"]


class AppCallback(_EncryptedCallback):
    """The self-built app's XML callback: private chats with the bot (`/考勤`, approvals)."""

    def __init__(self, token: str, aes_key: str, corp_id: str, now: Callable[[], datetime]) -> None:
        super().__init__(token, aes_key, corp_id, now)

    def open(self, signature: str, timestamp: str, nonce: str, body: bytes) -> InboundMessage | None:
        try:
            xml = self._crypto.decrypt_message(body, signature, timestamp, nonce)
        except (InvalidSignatureException, InvalidCorpIdException) as error:
            raise CallbackRefused(type(error).__name__) from error
        except Exception as error:  # xmltodict raises its own parse errors
            raise CallbackRefused(f"bad body: {type(error).__name__}") from error
        try:
            return self._to_inbound(parse_message(xml))
        except Exception as error:
            raise CallbackUnreadable("", xml if isinstance(xml, str) else repr(xml), repr(error)) from error

    def _to_inbound(self, message) -> InboundMessage | None:
        if message.type not in ("text", "image"):
            return None
        attachments = (Attachment("image", message.media_id),) if message.type == "image" else ()
        return InboundMessage(
            platform=PLATFORM,
            chat_id=APP_CHAT_PREFIX + message.source,
            sender_id=message.source,
            sender_name=message.source,
            text=getattr(message, "content", "") or "",
            message_id=f"app-{message.id}",
            received_at=self._now(),
            attachments=attachments,
            is_group=False,
            raw=dict(message._data),
        )


Accept = Callable[[InboundMessage], Awaitable[None]]
Reject = Callable[[str, str, str, str], Awaitable[None]]  # (platform, message id, raw, reason)


def register_routes(web_app: web.Application, app: App, accept: Accept, reject: Reject) -> None:
    """Add the callback routes of whatever is configured; `accept` returns once a message is stored,
    `reject` once an unreadable one is kept as rejected."""
    config = app.settings.wecom
    if config.aibot_token.get_secret_value():
        aibot = AIBotCallback(
            config.aibot_token.get_secret_value(), config.aibot_aes_key.get_secret_value(), app.clock.now
        )
        _add(web_app, config.callback_path, aibot, accept, reject)
    if config.app_token.get_secret_value() and config.corp_id:
        app_cb = AppCallback(
            config.app_token.get_secret_value(), config.app_aes_key.get_secret_value(), config.corp_id, app.clock.now
        )
        _add(web_app, config.app_callback_path, app_cb, accept, reject)


def _add(web_app: web.Application, path: str, callback, accept: Accept, reject: Reject) -> None:
    async def check_url(request: web.Request) -> web.Response:
        q = request.query
        signed = (q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
        try:
            echo = callback.verify_url(*signed, q.get("echostr", ""))
        except CallbackRefused as error:
            log.warning("WeCom URL check refused on %s: %s", path, error)
            return web.Response(status=403, text="forbidden")
        return web.Response(text=echo)

    async def receive(request: web.Request) -> web.Response:
        q = request.query
        body = await request.read()
        try:
            message = callback.open(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), body)
        except CallbackRefused as error:
            log.warning("WeCom callback refused on %s: %s", path, error)
            return web.Response(status=403, text="forbidden")
        except CallbackUnreadable as error:
            return await _keep_unreadable(reject, path, body, error)
        if message is not None:
            try:
                await accept(message)
            except Exception:  # not stored: no 200, so WeCom sends it again
                log.exception("WeCom message %s not stored; answering 503", message.message_id)
                return web.Response(status=503, text="busy")
        # An empty 200 is a valid "no passive reply"; answers go through the outbox.
        return web.Response(text="")

    web_app.router.add_get(path, check_url)
    web_app.router.add_post(path, receive)


def rejected_id(message_id: str, raw: str | bytes) -> str:
    """The inbox id of an unreadable message: its own msgid when it has one, else one named after
    its bytes (the same garbage twice is kept once)."""
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    return message_id or "unreadable-" + hashlib.sha256(data).hexdigest()[:32]


async def _keep_unreadable(reject: Reject, path: str, body: bytes, error: CallbackUnreadable) -> web.Response:
    """Ack a genuine but unreadable callback once it is kept as rejected (503 if it cannot be kept)."""
    message_id = rejected_id(error.message_id, body)
    log.warning("WeCom callback %s on %s unreadable (%s); kept as rejected", message_id, path, error.reason)
    try:
        await reject(PLATFORM, message_id, error.raw, error.reason)
    except Exception:
        log.exception("unreadable WeCom callback %s not stored; answering 503", message_id)
        return web.Response(status=503, text="busy")
    return web.Response(text="")
