"""DingTalk (钉钉) inbound: the enterprise-internal robot in Stream mode through `dingtalk-stream`.

Taps on interactive cards created with `callbackType: "STREAM"` arrive on the same connection, on
the topic `/v1.0/card/instances/callback` (the SDK's CardCallbackMessage); a tap becomes the
command its button carries (`cardPrivateData.params.command`), so it is handled like the typed one.

The SDK opens `/v1.0/gateway/connections/open`, then a websocket; each @-message arrives as a
callback frame on `/v1.0/im/bot/messages/get`. The handler turns it into an InboundMessage, queues
it for the dispatcher and acks at once — a late ack makes DingTalk deliver the message again
(https://open.dingtalk.com/document/orgapp/the-robot-receives-a-message-in-stream-mode).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime
from typing import Callable

from dingtalk_stream import (
    AckMessage, CallbackHandler, CardCallbackMessage, ChatbotHandler, ChatbotMessage, Credential, DingTalkStreamClient,
)
from dingtalk_stream.card_callback import Card_Callback_Router_Topic
from dingtalk_stream.frames import CallbackMessage

from bot.messages import Attachment, InboundMessage, Tap
from bot.platform_config import DingTalkSettings

log = logging.getLogger(__name__)

PLATFORM = "dingtalk"
USER_CHAT_PREFIX = "user:"  # one-to-one chats: chat id = "user:<staff id>"
OPEN_CONNECTION_PATH = "/v1.0/gateway/connections/open"
CARD_REF = "dingtalk-card:"  # reply_ref of a tap: the outTrackId of the card to redraw
_SPACE_PREFIX = "dtv1.card//"

__all__ = ["CARD_REF", "DingTalkStream", "PLATFORM", "card_tap", "to_inbound"]


def to_inbound(incoming: ChatbotMessage, received_at: datetime) -> InboundMessage | None:
    texts = incoming.get_text_list() or []
    images = tuple(Attachment("image", code) for code in (incoming.get_image_list() or []) if code)
    text = "\n".join(t.strip() for t in texts if t and t.strip())
    if not text and not images:
        return None
    sender = incoming.sender_staff_id or incoming.sender_id or ""
    group = str(incoming.conversation_type) == "2"  # "1" one-to-one, "2" group
    return InboundMessage(
        platform=PLATFORM,
        chat_id=incoming.conversation_id if group else USER_CHAT_PREFIX + sender,
        sender_id=sender,
        sender_name=incoming.sender_nick or sender,
        text=text,
        message_id=str(incoming.message_id),
        received_at=received_at,
        attachments=images,
        is_group=group,
        reply_ref=incoming.session_webhook,
        raw=incoming.to_dict(),
    )


def card_tap(data: dict, frame_id: str, received_at: datetime) -> InboundMessage | None:
    """A card button tap as the command it stands for; its own id is the callback frame's id."""
    tap = CardCallbackMessage.from_dict(data)
    params = (tap.content.get("cardPrivateData") or {}).get("params") or {}
    command, user, track = str(params.get("command") or ""), tap.user_id, tap.card_instance_id
    if not (command and user and track and frame_id):
        return None
    space_type, space = _space(data)
    group = space_type.upper() == "IM_GROUP"
    return InboundMessage(
        platform=PLATFORM,
        chat_id=space if group else USER_CHAT_PREFIX + user,
        sender_id=user,
        sender_name=user,
        text=command,
        message_id=f"tap-{frame_id}",
        received_at=received_at,
        is_group=group,
        reply_ref=CARD_REF + track,
        tap=Tap(track.split(".")[0]),  # outTrackId = card key + "." + a hash of the chat
        raw=data,
    )


def _space(data: dict) -> tuple[str, str]:
    """(space type, space id) of a card callback: `spaceType`/`spaceId`, or an openSpaceId."""
    space, kind = str(data.get("spaceId") or ""), str(data.get("spaceType") or "")
    if space.startswith(_SPACE_PREFIX):  # dtv1.card//IM_GROUP.<openConversationId>
        kind, _, space = space[len(_SPACE_PREFIX):].partition(".")
    return kind, space


class _CardHandler(CallbackHandler):
    def __init__(self, submit: Callable[[InboundMessage], None], now: Callable[[], datetime]) -> None:
        super().__init__()
        self._submit = submit
        self._now = now

    async def process(self, callback: CallbackMessage):
        try:
            message = card_tap(callback.data, callback.headers.message_id, self._now())
        except Exception:  # acked anyway, or it comes back
            log.exception("unreadable DingTalk card callback")
            return AckMessage.STATUS_OK, "ignored"
        if message is not None:
            self._submit(message)
        return AckMessage.STATUS_OK, "OK"


class _Handler(ChatbotHandler):
    def __init__(self, submit: Callable[[InboundMessage], None], now: Callable[[], datetime]) -> None:
        super().__init__()
        self._submit = submit
        self._now = now

    async def process(self, callback: CallbackMessage):
        try:
            message = to_inbound(ChatbotMessage.from_dict(callback.data), self._now())
        except Exception:  # a frame we cannot read must still be acked, or it comes back
            log.exception("unreadable DingTalk chatbot frame")
            return AckMessage.STATUS_OK, "ignored"
        if message is not None:
            self._submit(message)  # queue only: the ack must not wait for the handlers
        return AckMessage.STATUS_OK, "OK"


class DingTalkStream:
    """The stream client on its own thread and event loop, so a slow open-connection call (the SDK
    uses blocking `requests`) never stalls the web server."""

    def __init__(self, config: DingTalkSettings, submit: Callable[[InboundMessage], None], now) -> None:
        # The SDK reads its endpoint at import time; the class attribute is the documented seam.
        DingTalkStreamClient.OPEN_CONNECTION_API = config.api_base.rstrip("/") + OPEN_CONNECTION_PATH
        self.client = DingTalkStreamClient(Credential(config.client_id, config.client_secret.get_secret_value()))
        self.client.register_callback_handler(ChatbotMessage.TOPIC, _Handler(submit, now))
        self.client.register_callback_handler(Card_Callback_Router_Topic, _CardHandler(submit, now))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._task = self._loop.create_task(self.client.start())
            ready.set()
            try:
                self._loop.run_until_complete(self._task)
            except asyncio.CancelledError:
                pass
            finally:
                leftovers = asyncio.all_tasks(self._loop)  # the SDK's keepalive pings
                for task in leftovers:
                    task.cancel()
                if leftovers:  # gather() of nothing asks for the thread's loop, and may find none
                    self._loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                self._loop.close()

        self._thread = threading.Thread(target=run, name="dingtalk-stream", daemon=True)
        self._thread.start()
        ready.wait(5)

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is None or self._task is None:
            return

        def cancel() -> None:
            # The SDK's loop catches one CancelledError and reconnects; cancel until it ends.
            if not self._task.done():
                self._task.cancel()
                self._loop.call_later(0.05, cancel)

        self._loop.call_soon_threadsafe(cancel)
        self._thread.join(timeout)
