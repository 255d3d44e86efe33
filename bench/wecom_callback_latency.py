"""Ack latency of the WeCom AI-bot callback on loopback: N encrypted callbacks (signed and
encrypted with wechatpy as WeCom does) POSTed to a running `Server`; prints p50/p99/max of the time
to the HTTP answer, and how long the dispatcher took to work through them afterwards.

    .venv/bin/python bench/wecom_callback_latency.py [N] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.platform_config import WeComSettings  # noqa: E402
from bot.serve import Server  # noqa: E402
from tests.factories import build_world  # noqa: E402
from tests.wecom_client import AES_KEY, TOKEN, WeComServer, text_message  # noqa: E402

USERS = ["zhangjg", "lixy", "wangw", "chenj", "sunli"]


async def main(n: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.sqlite3",
            data_dir=Path(tmp),
            wecom=WeComSettings(enabled=True, aibot_token=TOKEN, aibot_aes_key=AES_KEY, api_base="http://127.0.0.1:9"),
        )
        app = build_app(settings)
        build_world(app)
        server = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
        port = await server.start()
        url = f"http://127.0.0.1:{port}/wecom/aibot"
        wecom = WeComServer()
        texts = ["/打卡", "@村务助手 /帮助", "今天开会吗"]
        calls = [wecom.sign(text_message(f"bench-{i}", texts[i % 3], user=USERS[i % 5])) for i in range(n)]
        latencies: list[float] = []
        gate = asyncio.Semaphore(concurrency)
        async with aiohttp.ClientSession() as http:

            async def one(query, body) -> None:
                async with gate:
                    start = time.perf_counter()
                    async with http.post(url, params=query, data=body) as response:
                        await response.read()
                        assert response.status == 200
                    latencies.append(time.perf_counter() - start)

            wall = time.perf_counter()
            await asyncio.gather(*(one(q, b) for q, b in calls))
            acked = time.perf_counter() - wall
            await asyncio.to_thread(server.inbox.join, 600)
            drained = time.perf_counter() - wall
        await server.stop()
        app.close()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    print(f"WeCom AI-bot callbacks on loopback: n={n}, concurrency={concurrency}, SQLite")
    p99 = ms[int(len(ms) * 0.99) - 1]
    print(f"  ack latency p50={statistics.median(ms):.2f} ms  p99={p99:.2f} ms  max={ms[-1]:.2f} ms")
    print(f"  all acked in {acked:.2f} s; dispatcher finished all {n} messages after {drained:.2f} s")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    parallel = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    asyncio.run(main(count, parallel))
