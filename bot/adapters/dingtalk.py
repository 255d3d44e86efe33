"""DingTalk (钉钉) inbound: the enterprise-internal robot in Stream mode through `dingtalk-stream`.

Taps on interactive cards created with `callbackType: "STREAM"` arrive on the same connection, on
the topic `/v1.0/card/instances/callback` (the SDK's CardCallbackMessage); a tap becomes the
command its button carries (`cardPrivateData.params.command`), so it is handled like the typed one.

The SDK opens `/v1.0/gateway/connections/open`, then a websocket; each @-message arrives as a
callback frame on `/v1.0/im/bot/messages/get`. The handler turns it into an InboundMessage,
commits it to the durable inbox, then acks — an unacked frame is delivered again
(https://open.dingtalk.com/document/orgapp/the-robot-receives-a-message-in-stream-mode), so the ack
waits only for the (group) commit, never for the handlers. If the commit fails the ack says 500.

Every frame is acked. The SDK parses a frame's `data` (`CallbackMessage.from_dict`) before any
handler runs, so a frame whose data is not JSON fails inside the SDK and was never acked (DingTalk
redelivers it forever). `_Client.route_message` checks that first: an unreadable frame is kept in
the inbox as `rejected`, logged at WARNING with its message id, and acked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from dingtalk_stream import (
    AckMessage, CallbackHandler, CardCallbackMessage, ChatbotMessage, Credential, DingTalkStreamClient,
)
from dingtalk_stream.card_callback import Card_Callback_Router_Topic
from dingtalk_stream.frames import CallbackMessage, Headers

from bot.messages import Attachment, InboundMessage, Tap
from bot.platform_config import DingTalkSettings

if TYPE_CHECKING:
    from bot.runtime import Inbox

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
    return _inbound(
        sender, group, incoming.conversation_id, sender_name=incoming.sender_nick or sender, text=text,
        message_id=str(incoming.message_id), received_at=received_at, attachments=images,
        reply_ref=incoming.session_webhook, raw=incoming.to_dict(),
    )


def card_tap(data: dict, frame_id: str, received_at: datetime) -> InboundMessage | None:
    """A card button tap as the command it stands for; its own id is the callback frame's id."""
    tap = CardCallbackMessage.from_dict(data)
    params = (tap.content.get("cardPrivateData") or {}).get("params") or {}
    command, user, track = str(params.get("command") or ""), tap.user_id, tap.card_instance_id
    if not (command and user and track and frame_id):
        return None
    space_type, space = _space(data)
    return _inbound(
        user, space_type.upper() == "IM_GROUP", space, sender_name=user, text=command, message_id=f"tap-{frame_id}",
        received_at=received_at, reply_ref=CARD_REF + track, raw=data,
        tap=Tap(track.split(".")[0]),  # outTrackId = card key + "." + a hash of the chat
    )


def _inbound(sender: str, group: bool, conversation: str, **fields) -> InboundMessage:
    """A message or tap from `sender`: in a group its conversation is the chat; one-to-one, the
    chat is named after the sender ("user:<staff id>"), as the senders expect."""
    chat_id = conversation if group else USER_CHAT_PREFIX + sender
    return InboundMessage(platform=PLATFORM, chat_id=chat_id, sender_id=sender, is_group=group, **fields)


def _space(data: dict) -> tuple[str, str]:
    """(space type, space id) of a card callback: `spaceType`/`spaceId`, or an openSpaceId."""
    space, kind = str(data.get("spaceId") or ""), str(data.get("spaceType") or "")
    if space.startswith(_SPACE_PREFIX):  # dtv1.card//IM_GROUP.<openConversationId>
        kind, _, space = space[len(_SPACE_PREFIX):].partition(".")
    return kind, space


class _Handler(CallbackHandler):
    """A frame (a chat message or a card tap) goes through the inbox: committed before the ack,
    acked and kept as rejected when unreadable, so DingTalk does not redeliver it forever."""

    def __init__(self, inbox: Inbox, now: Callable[[], datetime],
                 parse: Callable[[dict, str, datetime], InboundMessage | None]) -> None:
        super().__init__()
        self._inbox = inbox
        self._now = now
        self._parse = parse

    async def process(self, callback: CallbackMessage):
        frame_id = callback.headers.message_id or ""
        try:
            message = self._parse(callback.data, frame_id, self._now())
        except Exception as error:  # readable JSON, but not what this topic carries
            return await _reject(self._inbox, frame_id, json.dumps(callback.data, default=str), error)
        if message is None:
            return AckMessage.STATUS_OK, "ignored"
        return await _accept(self._inbox, message, frame_id)


def _chat_message(data: dict, _frame_id: str, now: datetime) -> InboundMessage | None:
    return to_inbound(ChatbotMessage.from_dict(data), now)


async def _accept(inbox: Inbox, message: InboundMessage, frame_id: str) -> tuple[int, str]:
    try:
        await inbox.accept_async(message)  # committed before the ack
    except Exception:
        log.exception("DingTalk message %s not stored; acking with an error so it comes again", frame_id)
        return AckMessage.STATUS_SYSTEM_EXCEPTION, "not stored"
    return AckMessage.STATUS_OK, "OK"


async def _reject(inbox: Inbox, frame_id: str, raw: str, error: Exception) -> tuple[int, str]:
    log.warning("unreadable DingTalk frame %s acked and kept as rejected: %s", frame_id, type(error).__name__)
    try:
        await inbox.reject_async(PLATFORM, f"frame:{frame_id}", raw, f"{type(error).__name__}: {error}")
    except Exception:
        log.exception("rejected DingTalk frame %s could not be stored", frame_id)
    return AckMessage.STATUS_OK, "rejected"


class _Client(DingTalkStreamClient):
    """The SDK's client, plus: a callback frame whose `data` is not JSON is still acked."""

    def __init__(self, credential: Credential, inbox: Inbox) -> None:
        super().__init__(credential)
        self._inbox = inbox

    async def route_message(self, json_message):
        if json_message.get("type") == CallbackMessage.TYPE:
            try:
                CallbackMessage.from_dict(json_message)
            except Exception as error:
                headers = json_message.get("headers") or {}
                frame_id = str(headers.get("messageId", ""))
                code, text = await _reject(self._inbox, frame_id, str(json_message.get("data", "")), error)
                await self.websocket.send(json.dumps(_ack(frame_id, code, text)))
                return ""
        return await super().route_message(json_message)


def _ack(frame_id: str, code: int, text: str) -> dict:
    ack = AckMessage()
    ack.code = code
    ack.headers.message_id = frame_id
    ack.headers.content_type = Headers.CONTENT_TYPE_APPLICATION_JSON
    ack.data = {"response": text}
    return ack.to_dict()


class DingTalkStream:
    """The stream client on its own thread and event loop, so a slow open-connection call (the SDK
    uses blocking `requests`) never stalls the web server."""

    def __init__(self, config: DingTalkSettings, inbox: Inbox, now) -> None:
        # The SDK reads its endpoint at import time; the class attribute is the documented seam.
        DingTalkStreamClient.OPEN_CONNECTION_API = config.api_base.rstrip("/") + OPEN_CONNECTION_PATH
        self.client = _Client(Credential(config.client_id, config.client_secret.get_secret_value()), inbox)
        self.client.register_callback_handler(ChatbotMessage.TOPIC, _Handler(inbox, now, _chat_message))
        self.client.register_callback_handler(Card_Callback_Router_Topic, _Handler(inbox, now, card_tap))
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
