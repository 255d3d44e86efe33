"""DingTalk (钉钉) outbound and media.

- A reply goes to the message's `sessionWebhook` (`at.atUserIds` and `@id` in the text make the
  mention); when it has expired, or for scheduled sends, the robot API:
  `POST /v1.0/robot/groupMessages/send` (groups) or `/v1.0/robot/oToMessages/batchSend` (one-to-one)
  with an access token from `/v1.0/oauth2/accessToken`, cached until shortly before it expires.
  https://open.dingtalk.com/document/orgapp/the-robot-sends-a-group-message
- Pictures: `downloadCode` → `/v1.0/robot/messageFiles/download` → a short-lived download URL.
- Rate limits: HTTP 429, errcode 130101 (webhooks), or a `…Throttling…`/`…QpsLimit…` code.
- Tap cards, when `dingtalk.card_template_id` names an interactive-card template: created with
  `POST /v1.0/card/instances/createAndDeliver` (`callbackType: "STREAM"`, so taps come back on the
  Stream connection) and redrawn with `PUT /v1.0/card/instances`; without a template, text.
  https://open.dingtalk.com/document/orgapp/create-and-deliver-cards

Sent means: the session webhook answered 2xx with JSON errcode 0; the robot API answered 2xx with
JSON holding `processQueryKey` (its documented success shape); the card API answered 2xx with JSON
`success: true`. Anything else raises, with the status and an excerpt of the body kept on the
outbox row (bot/adapters/http.py).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Callable

import requests

from bot.adapters.dingtalk import CARD_REF, USER_CHAT_PREFIX
from bot.adapters.http import Answer, excerpt, get_bytes, post_json, put_json
from bot.delivery import RetryLater, SendError, Undeliverable
from bot.media import MediaUnavailable
from bot.messages import Attachment, OutboundMessage, as_text
from bot.platform_config import DingTalkSettings

__all__ = ["AccessToken", "DingTalkMediaFetcher", "DingTalkSender"]

WEBHOOK_RETRY_CODES = {130101, -1}  # 130101: more than 20 messages a minute; -1: system busy
WEBHOOK_GONE_CODES = {300001, 310000}  # the session webhook expired / is invalid: use the robot API
RATE_LIMIT_WAIT = 60.0


class AccessToken:
    """The app's access token, fetched once and reused until 5 minutes before it expires."""

    def __init__(self, config: DingTalkSettings, http: requests.Session, now: Callable[[], datetime], timeout: float):
        self._config, self._http, self._now, self._timeout = config, http, now, timeout
        self._token: str | None = None
        self._expires: datetime | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def get(self) -> str:
        with self._lock:
            if self._token and self._expires and self._now() < self._expires:
                return self._token
            answer = post_json(
                self._http,
                self._config.api_base + "/v1.0/oauth2/accessToken",
                {"appKey": self._config.client_id, "appSecret": self._config.client_secret.get_secret_value()},
                timeout=self._timeout,
            )
            if not answer.ok or "accessToken" not in answer.json:
                raise RetryLater(f"DingTalk access token refused: {answer.describe()}", status=answer.status)
            self.fetches += 1
            self._token = answer.json["accessToken"]
            self._expires = self._now() + timedelta(seconds=int(answer.get("expireIn", 7200)) - 300)
            return self._token

    def reset(self) -> None:
        with self._lock:
            self._token = None


class DingTalkSender:
    def __init__(self, config: DingTalkSettings, now: Callable[[], datetime], *, timeout: float = 10.0) -> None:
        self._config = config
        self._http = requests.Session()
        self._timeout = timeout
        self.token = AccessToken(config, self._http, now, timeout)

    def send(self, message: OutboundMessage) -> None:
        if message.card is not None and self._config.card_template_id:
            self._card(message)
            return
        message = as_text(message)
        if message is None:
            return  # a card refresh, but cards are off: the text reply says it all
        if message.reply_ref and message.reply_ref.startswith(CARD_REF):
            message = replace(message, reply_ref=None)  # a tap has no sessionWebhook
        if message.reply_ref and self._session_webhook(message):
            return
        self._robot_api(message)

    def _card(self, message: OutboundMessage) -> None:
        card = message.card
        params = {
            "title": card.title,
            "text": message.text,
            "buttons": json.dumps([{"text": b.label, "command": b.command} for b in card.buttons], ensure_ascii=False),
        }
        headers = {"x-acs-dingtalk-access-token": self.token.get()}
        if card.update:
            ref = message.reply_ref or ""
            if not ref.startswith(CARD_REF):
                return
            body = {"outTrackId": ref[len(CARD_REF):], "cardData": {"cardParamMap": params}}
            answer = put_json(self._http, self._config.api_base + "/v1.0/card/instances", body,
                              timeout=self._timeout, headers=headers)
        else:
            body = {"cardTemplateId": self._config.card_template_id, "outTrackId": track_id(card.key, message.chat_id),
                    "callbackType": "STREAM", "cardData": {"cardParamMap": params}, **_space(message, self._config.robot)}
            answer = post_json(self._http, self._config.api_base + "/v1.0/card/instances/createAndDeliver",
                               body, timeout=self._timeout, headers=headers)
        _check(answer, self.token, success=lambda json: json.get("success") is True)

    def _session_webhook(self, message: OutboundMessage) -> bool:
        """True when sent; False when the webhook is gone (expired) and the robot API should try."""
        at = "".join(f" @{user}" for user in message.mentions)
        if message.markdown:
            markdown = {"title": _title(message.text), "text": message.text + at}
            body: dict[str, Any] = {"msgtype": "markdown", "markdown": markdown}
        else:
            body = {"msgtype": "text", "text": {"content": message.text + at}}
        body["at"] = {"atUserIds": list(message.mentions)}
        answer = post_json(self._http, message.reply_ref, body, timeout=self._timeout)
        code = answer.get("errcode")
        if answer.ok and code == 0:
            return True
        if answer.ok and code in WEBHOOK_GONE_CODES:
            return False
        if answer.ok and code in WEBHOOK_RETRY_CODES:
            raise RetryLater(f"DingTalk errcode {code}", RATE_LIMIT_WAIT if code == 130101 else None, status=answer.status)
        if not answer.ok or code is None:
            raise RetryLater(f"not a DingTalk answer: {answer.describe()}", status=answer.status)
        raise Undeliverable(f"DingTalk errcode {code}: {excerpt(str(answer.get('errmsg', '')))}", status=answer.status)

    def _robot_api(self, message: OutboundMessage) -> None:
        if message.markdown:
            key, param = "sampleMarkdown", {"title": _title(message.text), "text": message.text}
        else:
            key, param = "sampleText", {"content": message.text}
        body = {"robotCode": self._config.robot, "msgKey": key, "msgParam": json.dumps(param, ensure_ascii=False)}
        if message.chat_id.startswith(USER_CHAT_PREFIX):
            path, body["userIds"] = "/v1.0/robot/oToMessages/batchSend", [message.chat_id[len(USER_CHAT_PREFIX):]]
        else:
            path, body["openConversationId"] = "/v1.0/robot/groupMessages/send", message.chat_id
        headers = {"x-acs-dingtalk-access-token": self.token.get()}
        url = self._config.api_base + path
        _check(post_json(self._http, url, body, timeout=self._timeout, headers=headers), self.token)


def _check(
    answer: Answer, token: AccessToken, success: Callable[[dict[str, Any]], bool] = lambda json: "processQueryKey" in json
) -> None:
    if answer.ok and success(answer.json):
        return
    if answer.json is None or (answer.ok and "code" not in answer.json):  # not DingTalk's answer
        raise RetryLater(f"not a DingTalk answer: {answer.describe()}", status=answer.status)
    code = str(answer.get("code", answer.status))
    if answer.status == 401 or "InvalidAuthentication" in code:
        token.reset()
        raise RetryLater(f"DingTalk token rejected: {code}", status=answer.status)
    if "Throttl" in code or "QpsLimit" in code or "LimitFor" in code:
        raise RetryLater(f"DingTalk rate limit: {code}", RATE_LIMIT_WAIT, status=answer.status)
    raise Undeliverable(f"DingTalk refused: {answer.describe()}", status=answer.status)


def track_id(card_key: str, chat_id: str) -> str:
    """The card instance's outTrackId: the card key plus a hash of the chat (one instance per chat)."""
    return f"{card_key}.{hashlib.sha1(chat_id.encode()).hexdigest()[:10]}"


def _space(message: OutboundMessage, robot: str) -> dict[str, Any]:
    if message.chat_id.startswith(USER_CHAT_PREFIX):
        user = message.chat_id[len(USER_CHAT_PREFIX):]
        return {"openSpaceId": f"dtv1.card//IM_ROBOT.{user}", "imRobotOpenSpaceModel": {"supportForward": False},
                "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": robot}}
    deliver: dict[str, Any] = {"robotCode": robot}
    if message.mentions:
        deliver["atUserIds"] = {user: user for user in message.mentions}
    return {"openSpaceId": f"dtv1.card//IM_GROUP.{message.chat_id}", "imGroupOpenSpaceModel": {"supportForward": False},
            "imGroupOpenDeliverModel": deliver}


def _title(text: str) -> str:
    return (text.strip().splitlines() or ["通知"])[0][:20]


class DingTalkMediaFetcher:
    def __init__(
        self, config: DingTalkSettings, token: AccessToken, *, timeout: float = 10.0, max_bytes: int = 10 * 1024 * 1024
    ) -> None:
        self._config, self._token, self._timeout, self._max_bytes = config, token, timeout, max_bytes
        self._http = requests.Session()

    def fetch(self, attachment: Attachment) -> bytes:
        try:
            answer = post_json(
                self._http,
                self._config.api_base + "/v1.0/robot/messageFiles/download",
                {"downloadCode": attachment.ref, "robotCode": self._config.robot},
                timeout=self._timeout,
                headers={"x-acs-dingtalk-access-token": self._token.get()},
            )
            if not answer.ok or "downloadUrl" not in answer.json:
                raise MediaUnavailable(f"DingTalk download refused: {answer.get('code', answer.status)}")
            return get_bytes(self._http, answer.json["downloadUrl"], timeout=self._timeout, max_bytes=self._max_bytes)
        except (requests.RequestException, SendError) as error:
            raise MediaUnavailable(f"DingTalk download failed: {error}") from error
