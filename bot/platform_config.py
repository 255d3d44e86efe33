"""Settings of the platform side: the web server, WeCom, DingTalk, the outbox worker and the
group ↔ village bindings. Secrets (tokens, AES keys, app secrets, webhook keys) are meant to come
from the environment (`CADREBOT_WECOM__AIBOT_TOKEN=…`) or an untracked file; they are `SecretStr`
so they never show up in a log line or a repr."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, SecretStr, model_validator

__all__ = ["DingTalkSettings", "GroupBinding", "OutboxSettings", "WebSettings", "WeComSettings"]


class WebSettings(BaseModel):
    host: str = "0.0.0.0"
    port: int = 8080


class WeComSettings(BaseModel):
    """企业微信. `aibot_*`: the 智能机器人 in API mode (group @-messages); `corp_id`/`agent_*`: the
    self-built app (one-to-one chats, XML callback); webhook keys are per group (see `groups`)."""

    enabled: bool = False
    corp_id: str = ""
    aibot_token: SecretStr = SecretStr("")
    aibot_aes_key: SecretStr = SecretStr("")
    agent_id: str = ""
    agent_secret: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")
    app_aes_key: SecretStr = SecretStr("")
    webhook_keys: dict[str, SecretStr] = {}  # chat id → 群机器人 key; env-friendly form of groups[].webhook_key
    api_base: str = "https://qyapi.weixin.qq.com"
    callback_path: str = "/wecom/aibot"
    app_callback_path: str = "/wecom/app"
    # How the AI bot reaches CadreBot: "callback" (WeCom POSTs to a public URL, aibot_token/aes_key)
    # or "long_connection" (CadreBot keeps one websocket open to WeCom, bot_id/bot_secret; no
    # public address needed). A bot is in one mode or the other, set in the WeCom admin console.
    mode: Literal["callback", "long_connection"] = "callback"
    bot_id: str = ""
    bot_secret: SecretStr = SecretStr("")
    ws_url: str = "wss://openws.work.weixin.qq.com"
    heartbeat_seconds: float = 30.0
    reconnect_first_seconds: float = 1.0
    reconnect_max_seconds: float = 60.0


class DingTalkSettings(BaseModel):
    """钉钉 enterprise-internal robot in Stream mode (client id = AppKey = robot code by default)."""

    enabled: bool = False
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    robot_code: str = ""
    api_base: str = "https://api.dingtalk.com"
    # An interactive-card template (卡片平台) whose buttons send `params.command`; empty: text only.
    card_template_id: str = ""

    @property
    def robot(self) -> str:
        return self.robot_code or self.client_id


class OutboxSettings(BaseModel):
    """The delivery worker: messages per minute per group (robot limits are 20/min on both
    platforms), retry backoff and the poll interval."""

    rate_per_minute: dict[str, int] = {"wecom": 20, "dingtalk": 20}
    max_attempts: int = 8
    backoff_first_seconds: float = 5.0
    backoff_max_seconds: float = 300.0
    poll_seconds: float = 1.0
    http_timeout_seconds: float = 10.0


class GroupBinding(BaseModel):
    """One `[[groups]]` entry: a platform chat bound to a village (or to the township)."""

    platform: str
    chat_id: str
    township: str
    village: str | None = None  # None: the township's own group
    webhook_key: SecretStr = SecretStr("")  # WeCom 群机器人 key (the `key=` of its webhook URL)

    @model_validator(mode="after")
    def _known_platform(self) -> GroupBinding:
        if self.platform not in ("wecom", "dingtalk"):
            raise ValueError(f"unknown platform {self.platform!r} (wecom | dingtalk)")
        return self
