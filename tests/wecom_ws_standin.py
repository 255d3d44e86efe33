"""A local stand-in of WeCom's AI-bot long connection (wss://openws.work.weixin.qq.com) on
127.0.0.1, speaking the frames of the official Node SDK (WecomTeam/aibot-node-sdk, src/ws.ts):
subscribe with bot id and secret, ping acks, message and event callbacks, answers to the bot's
requests, and one live connection per bot (a new subscribe kicks the old one with
`disconnected_event`)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from aiohttp import WSMsgType, web

BOT_ID, SECRET = "aib-yazhuang", "long-connection-secret"
_ids = itertools.count(1)


class WeComWsStandIn:
    def __init__(self, bot_id: str = BOT_ID, secret: str = SECRET) -> None:
        self.bot_id, self.secret = bot_id, secret
        self.frames: list[dict[str, Any]] = []  # every frame the bot sent, pings included
        self.live: list[web.WebSocketResponse] = []  # subscribed connections (one, except mid-kick)
        self.subscribes = 0
        self.answer_pings = True
        self.refuse_sends = 0  # answer this many aibot_send_msg with an errcode
        self.ignore_sends = 0  # leave this many aibot_send_msg unanswered
        self.close_on_sends = 0  # close the connection on this many aibot_send_msg, unanswered
        self.connections = 0
        self.refuse_connects = 0  # answer this many websocket upgrades with HTTP 503
        self.refused_connects = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"ws://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"
        return self.url

    async def stop(self) -> None:
        for ws in list(self.live):
            await ws.close()
        await self._runner.cleanup()

    def sent(self, cmd: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("cmd") == cmd]

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_connects > 0:
            self.refuse_connects -= 1
            self.refused_connects += 1
            return web.Response(status=503, text="busy")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_frame(ws, json.loads(message.data))
        finally:
            if ws in self.live:
                self.live.remove(ws)
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        cmd, req_id = frame.get("cmd"), frame["headers"]["req_id"]
        if cmd == "aibot_subscribe":
            await self._subscribe(ws, frame["body"], req_id)
        elif cmd == "ping":
            if self.answer_pings:
                await _answer(ws, req_id)
        elif cmd == "aibot_send_msg" and self.refuse_sends > 0:
            self.refuse_sends -= 1
            await _answer(ws, req_id, 40008, "invalid message type")  # any errcode ≠ 0
        elif cmd == "aibot_send_msg" and self.ignore_sends > 0:
            self.ignore_sends -= 1
        elif cmd == "aibot_send_msg" and self.close_on_sends > 0:
            self.close_on_sends -= 1
            await ws.close(code=1011)
        else:
            await _answer(ws, req_id)

    async def _subscribe(self, ws, body: dict[str, Any], req_id: str) -> None:
        self.subscribes += 1
        if (body.get("bot_id"), body.get("secret")) != (self.bot_id, self.secret):
            await _answer(ws, req_id, 853000, "invalid bot_id or secret")
            return
        for old in list(self.live):  # one live connection per bot: the newcomer wins
            self.live.remove(old)
            await old.send_json(_event({"eventtype": "disconnected_event"}))
            await old.close()
        self.live.append(ws)
        await _answer(ws, req_id)

    # pushing to the bot ----------------------------------------------------------------------
    async def push_message(self, text: str, *, user: str = "zhangjg", chat: str = "wx-yazhuang") -> str:
        """A group message that @s the bot; returns its req_id."""
        req_id = f"req-msg-{next(_ids)}"
        body = {
            "msgid": f"ws-msg-{next(_ids)}", "aibotid": self.bot_id, "chatid": chat, "chattype": "group",
            "from": {"userid": user}, "msgtype": "text", "text": {"content": text},
        }
        await self.live[-1].send_json({"cmd": "aibot_msg_callback", "headers": {"req_id": req_id}, "body": body})
        return req_id

    async def push_image(self, url: str, aeskey: str, *, user: str = "zhangjg", chat: str = "wx-yazhuang") -> str:
        """A picture sent in the group: over the long connection it carries its own AES key."""
        req_id = f"req-msg-{next(_ids)}"
        body = {
            "msgid": f"ws-img-{next(_ids)}", "aibotid": self.bot_id, "chatid": chat, "chattype": "group",
            "from": {"userid": user}, "msgtype": "image", "image": {"url": url, "aeskey": aeskey},
        }
        await self.live[-1].send_json({"cmd": "aibot_msg_callback", "headers": {"req_id": req_id}, "body": body})
        return req_id

    async def push_tap(self, key: str, task_id: str, *, user: str = "zhangjg", chat: str = "wx-yazhuang",
                       msgid: str | None = None) -> str:
        """A tap on a template card's button; returns the event's req_id."""
        req_id = f"req-evt-{next(_ids)}"
        event = {"eventtype": "template_card_event",
                 "template_card_event": {"card_type": "button_interaction", "event_key": key, "task_id": task_id}}
        frame = _event(event, chat=chat, user=user, msgid=msgid)
        frame["headers"]["req_id"] = req_id
        await self.live[-1].send_json(frame)
        return req_id

    async def push_raw(self, data: str) -> None:
        await self.live[-1].send_str(data)

    async def drop(self, code: int = 1001) -> None:
        """Close the live connection the way a server going away does (1000/1001)."""
        for ws in list(self.live):
            await ws.close(code=code)


async def _answer(ws, req_id: str, errcode: int = 0, errmsg: str = "ok") -> None:
    await ws.send_json({"headers": {"req_id": req_id}, "errcode": errcode, "errmsg": errmsg})


def _event(event: dict, *, chat: str = "", user: str = "", msgid: str | None = None) -> dict[str, Any]:
    body = {"msgid": msgid or f"ws-evt-{next(_ids)}", "create_time": 1795000000, "aibotid": BOT_ID,
            "msgtype": "event", "event": event}
    if chat:
        body |= {"chatid": chat, "chattype": "group"}
    if user:
        body["from"] = {"userid": user}
    return {"cmd": "aibot_event_callback", "headers": {"req_id": f"req-evt-{next(_ids)}"}, "body": body}
