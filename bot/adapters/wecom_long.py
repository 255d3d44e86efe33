"""WeCom (企业微信) 智能机器人 over the long connection (长连接, developer doc path 101463): one
websocket from CadreBot to WeCom, so the bot needs no public address.

The protocol, as the official Node SDK (WecomTeam/aibot-node-sdk 1.0.6, `src/ws.ts`) speaks it:
- every frame is JSON `{cmd, headers: {req_id}, body}`; answers carry the request's `req_id`
  and `errcode`/`errmsg` and no `cmd`;
- the first frame is `aibot_subscribe` `{bot_id, secret}`; errcode ≠ 0 means wrong credentials;
- `ping` every 30 s; two unanswered pings mean the connection is dead;
- in: `aibot_msg_callback` (a message that @s the bot; same body as the JSON callback) and
  `aibot_event_callback` (`template_card_event` = a card button tap, `disconnected_event` = another
  connection of the same bot took over and this one is being closed);
- out: `aibot_respond_msg` (answer a message, with its req_id), `aibot_respond_update_msg` (update
  the card of a tap, with the event's req_id, within 5 s) and `aibot_send_msg` (proactive, to a
  chat id, with a new req_id), each acknowledged by an answer frame.

Why not the official Python SDK (wecom-aibot-python-sdk 1.0.2): read and run against a local
stand-in, its receive loop ends silently on a normal close (1000/1001) and after its own
dead-heartbeat close, it ignores `disconnected_event` (two instances kick each other forever), its
retry counter resets on every TCP connect (a wrong secret retries forever), an unhandled error kills
the loop, and it forces its own TLS context (no `ws://` stand-in, no custom CA). This client, on
aiohttp (already a dependency), reconnects forever with capped exponential backoff and jitter,
stops for good on an auth failure or a kick (and says so in the log and in a status file that
`cadrebot check-config` reads), and never lets one bad frame or handler end the loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp

from bot.adapters.wecom import PLATFORM, Reject, from_aibot, rejected_id, to_inbound
from bot.messages import InboundMessage, Tap
from bot.platform_config import WeComSettings

log = logging.getLogger(__name__)

__all__ = [
    "AnswerLost", "EVENT_REF", "MESSAGE_REF", "LinkDown", "WeComLongConnection", "read_status", "STATUS_FILE",
]

SUBSCRIBE, PING = "aibot_subscribe", "ping"
MSG_CALLBACK, EVENT_CALLBACK = "aibot_msg_callback", "aibot_event_callback"
MESSAGE_REF = "wecom-ws-msg:"  # reply_ref of a message: answer with aibot_respond_msg
EVENT_REF = "wecom-ws-event:"  # reply_ref of a tap: update its card with aibot_respond_update_msg
STATUS_FILE = "wecom_long_connection.json"
MAX_MISSED_PINGS = 2
ANSWER_TIMEOUT = 5.0  # the Node SDK waits 5 s for a reply's ack

# Why the loop ended a session.
LOST, AUTH_FAILED, KICKED, STOPPED = "lost", "auth_failed", "kicked", "stopped"


class LinkDown(Exception):
    """The long connection is not up (connecting, or stopped): nothing was sent, fall back."""


class AnswerLost(Exception):
    """Sent, but the connection closed before WeCom answered: it may or may not have arrived."""


def new_req_id(cmd: str) -> str:
    return f"{cmd}_{int(time.time() * 1000)}_{secrets.token_hex(4)}"


def read_status(data_dir: Path) -> dict[str, Any] | None:
    """The last state the long connection wrote (for check-config), or None."""
    try:
        return json.loads((Path(data_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class WeComLongConnection:
    """Holds the bot's one websocket: subscribe, heartbeat, read frames, answer requests.

    `accept` is the one hand-off of an inbound message to the bot (`server.inbox.accept_async`, as
    the callback routes use): a message or tap is answered only from the outbox, after it has been
    committed to the inbox and handled. `reject` (`server.inbox.reject_async`) keeps a frame the
    bot cannot read as `rejected`, as the callback routes and the DingTalk stream do: WeCom never
    sends it again, so the inbox is the only trace of it. Each hand-off runs as its own task so
    that concurrent frames share a group commit and the receive loop keeps reading (pings,
    answers). Start it on the serving event loop with `start()`; other threads send through `call()`.
    """

    def __init__(
        self, config: WeComSettings, accept: Callable[[InboundMessage], Awaitable[None]], now: Callable[[], datetime],
        *, reject: Reject, data_dir: Path | None = None, rng: Callable[[], float] = random.random,
    ) -> None:
        self._config = config
        self._accept = accept
        self._reject = reject
        self._handoffs: set[asyncio.Task] = set()
        self._now = now
        self._status_path = Path(data_dir) / STATUS_FILE if data_dir else None
        self._rng = rng
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._pending: dict[str, asyncio.Future] = {}
        self._missed = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.ready = asyncio.Event()
        self.answer_timeout = ANSWER_TIMEOUT  # how long a request waits for WeCom's answer frame
        self.state = "idle"
        self.sessions = 0  # websocket connections opened (tests, logs)

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or, after `stop`, start again: a worker may lose and regain leadership)."""
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self.run(), name="wecom-long-connection")

    async def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    async def run(self) -> str:
        """Reconnect until stopped, kicked or refused; returns why it ended."""
        failures = 0
        async with aiohttp.ClientSession(trust_env=True) as http:  # HTTPS_PROXY, as offices often need
            while not self._stopping:
                try:
                    outcome, subscribed = await self._session(http)
                except Exception:  # whatever went wrong with this connection, the next one may work
                    log.exception("WeCom long connection failed")
                    outcome, subscribed = LOST, False
                if outcome in (AUTH_FAILED, KICKED):
                    return outcome
                if self._stopping:
                    break
                failures = 1 if subscribed else failures + 1  # only a good subscribe resets the count
                delay = self._backoff(failures)
                log.warning("WeCom long connection lost; reconnecting in %.1f s (attempt %d)", delay, failures)
                self._set_state("reconnecting", attempt=failures)
                await asyncio.sleep(delay)
        self._set_state(STOPPED)
        return STOPPED

    def _backoff(self, failures: int) -> float:
        first, cap = self._config.reconnect_first_seconds, self._config.reconnect_max_seconds
        ceiling = min(cap, first * 2 ** min(failures - 1, 30))  # a day-long outage must not overflow
        return ceiling * (0.5 + self._rng() / 2)  # jitter: many townships must not reconnect in step

    # one connection ----------------------------------------------------------------------------
    async def _session(self, http: aiohttp.ClientSession) -> tuple[str, bool]:
        self._set_state("connecting")
        try:
            ws = await http.ws_connect(
                self._config.ws_url, autoping=True, timeout=aiohttp.ClientWSTimeout(ws_close=2.0)
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as error:
            log.warning("WeCom long connection: cannot connect to %s: %s", self._config.ws_url, error)
            return LOST, False
        self._ws, self._missed = ws, 0
        self.sessions += 1
        reader = asyncio.create_task(self._read(ws))
        tasks = [reader]
        try:
            answer = await self._subscribe(ws, reader)
            if answer is None:
                return (reader.result() if reader.done() else LOST), False
            if answer.get("errcode", -1) != 0:
                self._auth_failed(answer)
                return AUTH_FAILED, False
            log.info("WeCom long connection subscribed (bot %s)", self._config.bot_id)
            self._set_state("ready")
            self.ready.set()
            tasks.append(asyncio.create_task(self._heartbeat(ws)))
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            outcome = reader.result() if reader in done else LOST
            if outcome == KICKED:
                self._kicked()
            return outcome, True
        finally:
            self.ready.clear()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._fail_pending()
            self._ws = None
            if not ws.closed:
                await ws.close()

    async def _subscribe(self, ws, reader: asyncio.Task) -> dict | None:
        body = {"bot_id": self._config.bot_id, "secret": self._config.bot_secret.get_secret_value()}
        ask = asyncio.create_task(self._request(ws, SUBSCRIBE, body, new_req_id(SUBSCRIBE), self.answer_timeout * 2))
        done, _ = await asyncio.wait([ask, reader], return_when=asyncio.FIRST_COMPLETED)
        if ask not in done:
            ask.cancel()
            await asyncio.gather(ask, return_exceptions=True)
            return None
        try:
            return ask.result()
        except (asyncio.TimeoutError, LinkDown, AnswerLost):
            return None

    async def _heartbeat(self, ws) -> None:
        while True:
            await asyncio.sleep(self._config.heartbeat_seconds)
            if self._missed >= MAX_MISSED_PINGS:
                log.warning("WeCom long connection: %d pings unanswered, treating it as dead", self._missed)
                return
            self._missed += 1
            await ws.send_json({"cmd": PING, "headers": {"req_id": new_req_id(PING)}})

    async def _read(self, ws) -> str:
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                if self._on_frame(frame.data) == KICKED:
                    return KICKED
            except Exception:  # a failing hand-off must not end the loop
                log.exception("WeCom long connection: frame not handled")
        log.warning("WeCom long connection closed by the server (code %s)", ws.close_code)
        return LOST

    # frames ------------------------------------------------------------------------------------
    def _on_frame(self, data: str) -> str | None:
        try:
            frame = json.loads(data)
            cmd, body = frame.get("cmd") or "", frame.get("body") or {}
            req_id = (frame.get("headers") or {}).get("req_id", "")
            message = self._inbound(cmd, body, req_id)
        except Exception as error:  # not JSON, not a frame, or a message or tap missing what it needs
            self._keep_rejected(data, error)
            return None
        if cmd in (MSG_CALLBACK, EVENT_CALLBACK):
            if message is not None:
                self._hand_off(message)
            return KICKED if _event_type(body) == "disconnected_event" else None
        if req_id.startswith(PING):
            self._missed = 0
        elif req_id in self._pending and not self._pending[req_id].done():
            self._pending[req_id].set_result(frame)
        return None

    def _inbound(self, cmd: str, body: dict[str, Any], req_id: str) -> InboundMessage | None:
        """The message or tap a callback frame carries (None: nothing for the bot); raises when a
        message or tap lacks what it needs."""
        if cmd == MSG_CALLBACK:
            message = to_inbound(body, self._now())
            return replace(message, reply_ref=MESSAGE_REF + req_id) if message is not None else None
        if cmd == EVENT_CALLBACK and _event_type(body) == "template_card_event":
            return to_tap(body, req_id, self._now())
        return None

    def _hand_off(self, message: InboundMessage) -> None:
        self._spawn(self._keep(message))

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._handoffs.add(task)  # a task nobody references may be collected before it runs
        task.add_done_callback(self._handoffs.discard)

    async def _keep(self, message: InboundMessage) -> None:
        try:
            await self._accept(message)
        except Exception:  # WeCom does not redeliver; say so loudly rather than end the loop
            log.exception("WeCom long connection: message %s not stored", message.message_id)

    def _keep_rejected(self, data: str, error: Exception) -> None:
        message_id = rejected_id(_msgid(data), data)
        log.warning("unreadable WeCom long-connection frame %s kept as rejected: %s", message_id, type(error).__name__)
        self._spawn(self._store_rejected(message_id, data, f"{type(error).__name__}: {error}"))

    async def _store_rejected(self, message_id: str, data: str, reason: str) -> None:
        try:
            await self._reject(PLATFORM, message_id, data, reason)
        except Exception:
            log.exception("rejected WeCom long-connection frame %s could not be stored", message_id)

    # requests ----------------------------------------------------------------------------------
    async def _request(self, ws, cmd: str, body: dict, req_id: str, timeout: float = ANSWER_TIMEOUT) -> dict:
        future = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            try:
                await ws.send_json({"cmd": cmd, "headers": {"req_id": req_id}, "body": body})
            except (ConnectionError, aiohttp.ClientError, RuntimeError) as error:
                raise LinkDown(f"send failed: {type(error).__name__}") from error
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(req_id, None)

    async def request(self, cmd: str, body: dict, req_id: str | None = None) -> dict:
        """Send one frame over the live connection and return WeCom's answer frame."""
        ws = self._ws
        if ws is None or ws.closed or not self.ready.is_set():
            raise LinkDown(f"WeCom long connection is {self.state}")
        return await self._request(ws, cmd, body, req_id or new_req_id(cmd), self.answer_timeout)

    def call(self, cmd: str, body: dict, req_id: str | None = None) -> dict:
        """`request` from another thread (the outbox worker)."""
        if self._loop is None or self._loop.is_closed():
            raise LinkDown("WeCom long connection is not started")
        future = asyncio.run_coroutine_threadsafe(self.request(cmd, body, req_id), self._loop)
        return future.result(self.answer_timeout + 2)

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(AnswerLost("connection closed before WeCom answered"))
        self._pending.clear()

    # stopping for good -------------------------------------------------------------------------
    def _auth_failed(self, answer: dict) -> None:
        code, why = answer.get("errcode"), answer.get("errmsg", "")
        log.error(
            "WeCom long connection: subscribe refused (errcode %s: %s). Check bot_id and bot_secret "
            "(CADREBOT_WECOM__BOT_SECRET) and that the bot is in long-connection mode; not retrying.", code, why,
        )
        self._set_state(AUTH_FAILED, errcode=code, errmsg=why)

    def _kicked(self) -> None:
        log.error(
            "WeCom long connection: another connection of bot %s took over (disconnected_event). "
            "Only one process may hold it; this one stops and does not reconnect.", self._config.bot_id,
        )
        self._set_state(KICKED)

    def _set_state(self, state: str, **details: Any) -> None:
        self.state = state
        if self._status_path is None:
            return
        record = {"state": state, "at": self._now().isoformat(), **details}
        try:
            self._status_path.parent.mkdir(parents=True, exist_ok=True)
            self._status_path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        except OSError:
            log.warning("cannot write %s", self._status_path)


def _event_type(body: dict[str, Any]) -> str:
    return (body.get("event") or {}).get("eventtype") or ""


def _msgid(data: str) -> str:
    """The msgid of a frame's body, when there is one to read."""
    try:
        return str(json.loads(data)["body"]["msgid"] or "")
    except Exception:
        return ""


def to_tap(body: dict[str, Any], req_id: str, received_at: datetime) -> InboundMessage | None:
    """A template-card button tap as the command its button stands for (the button's key)."""
    event = body.get("event") or {}
    card = event.get("template_card_event") or event  # the key sits in a sub-object in the docs
    command = card.get("event_key") or ""
    if not command or not body.get("msgid"):
        return None
    tap = from_aibot(
        body, text=command, received_at=received_at, reply_ref=EVENT_REF + req_id, tap=Tap(card.get("task_id") or ""),
        message_id=f"tap-{body['msgid']}",  # the tap's own id: a redelivered tap is handled once
    )
    return tap if tap.sender_id else None
