"""Local stand-ins of the platforms' servers (the outside world), on 127.0.0.1 and ephemeral ports:
WeCom's webhook and media download, DingTalk's open-connection endpoint, stream websocket, session
webhook, token and robot APIs. Each records what it received; `refuse_first` makes the send APIs
answer with the platform's rate-limit error for the first N calls; `hold_call` keeps one WeCom
webhook call unanswered until the test releases it (a fault test kills the caller meanwhile)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class StandIn:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refused: list[Received] = []
        self.refuse_first = 0  # answer this many send calls with a rate-limit error
        # The next WeCom webhook calls fail like this, in order: "html404", "500", "timeout" (answers
        # after `slow_seconds`, having dropped the message), "45009" (rate limit), "93000" (bad key).
        self.faults: list[str] = []
        self.slow_seconds = 1.5
        # Hold the Nth WeCom webhook call (1-based), recorded but unanswered, until `release` is
        # set; `holding` is set then, with the caller's (host, port) in `held_from`.
        self.hold_call: int | None = None
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self.held_from: tuple[str, int] | None = None
        self._webhook_calls = 0
        self.media: dict[str, bytes] = {}
        self.media_delay: dict[str, float] = {}  # a slow image URL: seconds before the answer
        self.media_fetches: Counter[str] = Counter()  # downloads started, per image name
        self.acks: list[dict] = []
        self.token_fetches = 0
        self._sockets: list[web.WebSocketResponse] = []
        self.connected = asyncio.Event()
        self.ack_arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/cgi-bin/webhook/send", self._wecom_webhook)
        app.router.add_get("/media/{name}", self._media)
        app.router.add_post("/v1.0/gateway/connections/open", self._open_connection)
        app.router.add_get("/stream", self._stream)
        app.router.add_post("/session/{id}", self._session_webhook)
        app.router.add_post("/v1.0/oauth2/accessToken", self._token)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._dingtalk_group_send)
        app.router.add_post("/v1.0/robot/messageFiles/download", self._dingtalk_download)
        app.router.add_post("/resp/{id}", self._wecom_response_url)
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self._dingtalk_card)
        app.router.add_put("/v1.0/card/instances", self._dingtalk_card)
        self.expired_sessions: set[str] = set()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self.base

    async def stop(self) -> None:
        self.release.set()  # a held call must not keep the server's shutdown waiting
        for ws in self._sockets:
            await ws.close()
        await self._runner.cleanup()

    def sent(self, path_prefix: str = "") -> list[Received]:
        return [r for r in self.received if r.path.startswith(path_prefix)]

    # send APIs ---------------------------------------------------------------------------------
    async def _record(self, request: web.Request) -> tuple[Received, bool]:
        item = Received(request.path, dict(request.query), await request.json(), dict(request.headers))
        if self.refuse_first > 0:
            self.refuse_first -= 1
            self.refused.append(item)
            return item, False
        self.received.append(item)
        return item, True

    async def _wecom_webhook(self, request: web.Request) -> web.Response:
        if self.faults:
            return await self._fault(self.faults.pop(0), request)
        _, ok = await self._record(request)
        if not ok:
            return web.json_response({"errcode": 45009, "errmsg": "api freq out of limit"})
        self._webhook_calls += 1
        if self._webhook_calls == self.hold_call:
            self.held_from = request.transport.get_extra_info("peername")[:2]
            self.holding.set()
            await self.release.wait()  # the caller may be dead by now: the answer goes nowhere
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _fault(self, fault: str, request: web.Request) -> web.Response:
        self.refused.append(Received(request.path, dict(request.query), await request.json()))
        if fault == "html404":
            return web.Response(status=404, text="<html><body><h1>404 Not Found</h1></body></html>", content_type="text/html")
        if fault == "500":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "timeout":
            await asyncio.sleep(self.slow_seconds)
            return web.json_response({"errcode": 0, "errmsg": "ok"})  # too late: the sender gave up
        return web.json_response({"errcode": int(fault), "errmsg": "refused"})

    async def _media(self, request: web.Request) -> web.Response:
        self.media_fetches[request.match_info["name"]] += 1
        await asyncio.sleep(self.media_delay.get(request.match_info["name"], 0))
        return web.Response(body=self.media[request.match_info["name"]])

    async def _wecom_response_url(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _dingtalk_download(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body["downloadCode"] not in self.media:
            return web.json_response({"code": "invalidParameter.downloadCode"}, status=400)
        return web.json_response({"downloadUrl": f"{self.base}/media/{body['downloadCode']}"})

    async def _session_webhook(self, request: web.Request) -> web.Response:
        if request.match_info["id"] in self.expired_sessions:
            return web.json_response({"errcode": 300001, "errmsg": "session expired"})
        _, ok = await self._record(request)
        return web.json_response({"errcode": 0 if ok else 130101, "errmsg": "ok" if ok else "send too fast"})

    async def _token(self, request: web.Request) -> web.Response:
        self.token_fetches += 1
        return web.json_response({"accessToken": f"token-{self.token_fetches}", "expireIn": 7200})

    async def _dingtalk_group_send(self, request: web.Request) -> web.Response:
        _, ok = await self._record(request)
        if not ok:
            return web.json_response({"code": "Throttling.Api", "message": "too fast"}, status=429)
        return web.json_response({"processQueryKey": "ok"})

    async def _dingtalk_card(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"success": True, "result": {"outTrackId": "ok"}})

    # DingTalk stream -----------------------------------------------------------------------------
    async def _open_connection(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.subscriptions = body.get("subscriptions", [])
        return web.json_response({"endpoint": self.base.replace("http", "ws") + "/stream", "ticket": "ticket-1"})

    async def _stream(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connected.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                self.acks.append(json.loads(frame.data))
                self.ack_arrived.set()
        return ws

    async def push(self, frame: dict) -> None:
        await self._sockets[-1].send_str(json.dumps(frame))


async def until(predicate, timeout: float = 10.0) -> None:
    """Wait for something another process or thread does (bounded; fails loudly on timeout)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the stand-in")
        await asyncio.sleep(0.02)
