"""WeCom (企业微信) outbound and media.

Sending a row, in order of preference:
1. the group's 群机器人 webhook (`cgi-bin/webhook/send?key=…`, text ≤ 2048 bytes, `mentioned_list`
   of user ids, 20 messages/min per robot — https://developer.work.weixin.qq.com/document/path/91770);
2. one-to-one chats with the self-built app (`user:<id>`) and app-created groups: `message/send`
   and `appchat/send` through wechatpy's WeChatClient;
3. the AI bot's `response_url` of the message being answered (single use, ~1 h; markdown only —
   https://developer.work.weixin.qq.com/document/path/101138). Only the first outbox row of a
   message carries it (bot/outbox.py); the rest go by webhook or app.

Sent means: HTTP 2xx and a JSON body with `errcode` 0 (every WeCom send API answers so). An HTML
page, a body without errcode, or another errcode is never "sent" (bot/adapters/http.py).

Images of AI-bot messages are AES-256-CBC encrypted with the bot's EncodingAESKey (IV = first 16
bytes of the key, PKCS#7 padded to 32 bytes): https://developer.work.weixin.qq.com/document/path/100719
"""

from __future__ import annotations

import base64
import logging
from dataclasses import replace
from typing import Mapping

import requests
from wechatpy.crypto.base import WeChatCipher
from wechatpy.crypto.pkcs7 import PKCS7Encoder
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.adapters.http import Answer, excerpt, get_bytes, post_json
from bot.adapters.wecom import APP_CHAT_PREFIX, MEDIA_KEY_MARK
from bot.contract.hygiene import escape_markdown
from bot.delivery import RetryLater, Undeliverable
from bot.media import MediaUnavailable
from bot.messages import Attachment, OutboundMessage, as_text
from bot.platform_config import WeComSettings

log = logging.getLogger(__name__)

# errcodes that mean "not taken, try later": -1 system busy, 45009 API frequency limit (a group
# robot: 20/min), 45011 API called too often, 45033 too many concurrent calls.
# https://developer.work.weixin.qq.com/document/path/90313
RETRY_CODES = {-1, 45009, 45011, 45033}
RATE_LIMIT_WAIT = {45009: 60.0, 45011: 10.0, 45033: 5.0}  # seconds; the webhook limit is per minute

__all__ = ["WeComMediaFetcher", "WeComSender", "RETRY_CODES"]


class WeComSender:
    def __init__(self, config: WeComSettings, webhook_keys: Mapping[str, str], *, timeout: float = 10.0) -> None:
        self._config = config
        self._keys = dict(webhook_keys)
        self._timeout = timeout
        self._http = requests.Session()
        self._client: WeChatClient | None = None

    def send(self, message: OutboundMessage) -> None:
        message = as_text(message)  # webhooks, the app and response_url show no tap cards
        if message is None:
            return  # a card refresh: there is no card here to refresh
        if message.reply_ref and not message.reply_ref.startswith("http"):
            message = replace(message, reply_ref=None)  # a long-connection req_id, not a URL
        key = self._keys.get(message.chat_id)
        if key:
            self._webhook(key, message)
        elif message.chat_id.startswith(APP_CHAT_PREFIX) or (self._app_ready() and not message.reply_ref):
            self._app_send(message)
        elif message.reply_ref:
            self._response_url(message)
        else:
            raise Undeliverable(f"no webhook key or app for WeCom chat {message.chat_id}")

    def _webhook(self, key: str, message: OutboundMessage) -> None:
        if message.markdown:
            body = {"msgtype": "markdown", "markdown": {"content": message.text}}
        else:
            body = {"msgtype": "text", "text": {"content": message.text, "mentioned_list": list(message.mentions)}}
        url = f"{self._config.api_base}/cgi-bin/webhook/send"
        _check(post_json(self._http, url + f"?key={key}", body, timeout=self._timeout))

    def _response_url(self, message: OutboundMessage) -> None:
        body = {"msgtype": "markdown", "markdown": {"content": markdown_with_mentions(message)}}
        _check(post_json(self._http, message.reply_ref, body, timeout=self._timeout))

    def _app_ready(self) -> bool:
        return bool(self._config.corp_id and self._config.agent_id and self._config.agent_secret.get_secret_value())

    def _app_send(self, message: OutboundMessage) -> None:
        if not self._app_ready():
            raise Undeliverable("WeCom self-built app is not configured")
        if self._client is None:
            self._client = WeChatClient(self._config.corp_id, self._config.agent_secret.get_secret_value())
            self._client.API_BASE_URL = self._config.api_base + "/cgi-bin/"
        try:
            if message.chat_id.startswith(APP_CHAT_PREFIX):
                user = message.chat_id[len(APP_CHAT_PREFIX):]
                self._client.message.send_text(self._config.agent_id, user, message.text)
            else:
                self._client.appchat.send_text(message.chat_id, message.text)
        except WeChatClientException as error:
            _check(Answer(200, {"errcode": error.errcode, "errmsg": error.errmsg}, excerpt(str(error.errmsg))))
        except requests.ConnectionError as error:
            raise RetryLater("connection failed") from error


def markdown_with_mentions(message: OutboundMessage) -> str:
    """The markdown body of an AI-bot answer (response_url, long connection): a plain-text reply
    (which may quote user text) is escaped so a link or an <@userid> mention typed by a user is
    shown, not rendered; the reply's own mentions are appended as <@userid>."""
    shown = message.text if message.markdown else escape_markdown(message.text)
    return shown + "".join(f" <@{user}>" for user in message.mentions)


def _check(answer: Answer) -> None:
    """Return only for WeCom's success shape; otherwise raise with status and excerpt kept."""
    code = answer.get("errcode")
    if answer.ok and code == 0:
        return
    if not answer.ok or code is None:  # an HTML error page, a proxy, a wrong URL: WeCom did not take it
        raise RetryLater(f"not a WeCom answer: {answer.describe()}", status=answer.status)
    reason = f"WeCom errcode {code}: {excerpt(str(answer.get('errmsg', '')))}"
    if code in RETRY_CODES:
        raise RetryLater(reason, RATE_LIMIT_WAIT.get(code), status=answer.status)
    raise Undeliverable(reason, status=answer.status)


class WeComMediaFetcher:
    """Downloads an AI-bot image url and decrypts it: with the image's own key when the long
    connection gave one (`<url>#aeskey=<key>`), else with the bot's EncodingAESKey (callback)."""

    def __init__(self, aes_key: str = "", *, timeout: float = 10.0, max_bytes: int = 10 * 1024 * 1024) -> None:
        self._key = _key_bytes(aes_key) if aes_key else None
        self._timeout = timeout
        self._max_bytes = max_bytes + 32  # AES-CBC padding of the encrypted file
        self._http = requests.Session()

    def fetch(self, attachment: Attachment) -> bytes:
        url, _, own_key = attachment.ref.partition(MEDIA_KEY_MARK)
        key = _key_bytes(own_key) if own_key else self._key
        if key is None:
            raise MediaUnavailable("no AES key for this WeCom image")
        try:
            encrypted = get_bytes(self._http, url, timeout=self._timeout, max_bytes=self._max_bytes)
        except requests.RequestException as error:
            raise MediaUnavailable(f"WeCom image download failed: {type(error).__name__}") from error
        return decrypt_media(key, encrypted)


def _key_bytes(key: str) -> bytes:
    return base64.b64decode(key + "=" * (-len(key) % 4))


def decrypt_media(key: bytes, encrypted: bytes) -> bytes:
    if not encrypted or len(encrypted) % 16:
        raise MediaUnavailable("WeCom image is not AES-CBC data")
    return PKCS7Encoder.decode(WeChatCipher(key).decrypt(encrypted))
