"""The WeCom long connection on loopback, against the local stand-in (tests/wecom_ws_standin.py):

1. reconnect: the stand-in closes the live socket (1001) R times; prints p50/max of the time until
   the bot has subscribed again (backoff starts at `reconnect_first_seconds`, here 0.2 s);
2. round trip: N `/打卡` messages pushed as `aibot_msg_callback` frames, with the outbox worker
   running as `cadrebot serve` runs it; prints the time until every `aibot_respond_msg` came back.

    .venv/bin/python bench/wecom_long_connection.py [N] [R]
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.platform_config import OutboxSettings, WeComSettings  # noqa: E402
from bot.serve import Server  # noqa: E402
from tests.factories import build_world  # noqa: E402
from tests.wecom_ws_standin import BOT_ID, SECRET, WeComWsStandIn  # noqa: E402

USERS = ["zhangjg", "lixy", "wangw", "chenj", "sunli"]


async def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.005)


async def main(n: int, drops: int) -> None:
    logging.basicConfig(level=logging.ERROR)  # the drops are on purpose: keep their warnings out
    stand_in = WeComWsStandIn()
    url = await stand_in.start()
    with tempfile.TemporaryDirectory() as tmp:
        wecom = WeComSettings(enabled=True, mode="long_connection", bot_id=BOT_ID, bot_secret=SecretStr(SECRET),
                              ws_url=url, api_base="http://127.0.0.1:9", reconnect_first_seconds=0.2)
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.sqlite3", data_dir=Path(tmp), wecom=wecom,
                            outbox=OutboxSettings(poll_seconds=0.05, rate_per_minute={"wecom": 0}))
        app = build_app(settings)
        build_world(app)
        server = Server(app, host="127.0.0.1", port=0, scheduler=False)
        await server.start()
        try:
            await wait_for(server.wecom_link.ready.is_set)
            gaps = []
            for i in range(drops):
                start = time.perf_counter()
                await stand_in.drop(1001)
                await wait_for(lambda: stand_in.subscribes == i + 2 and server.wecom_link.ready.is_set())
                gaps.append(time.perf_counter() - start)
            print(f"reconnect after a 1001 close ({drops}x): p50 {statistics.median(gaps) * 1000:.0f} ms, "
                  f"max {max(gaps) * 1000:.0f} ms (backoff 0.2 s × jitter 0.5–1.0)")
            start = time.perf_counter()
            for i in range(n):
                await stand_in.push_message("/打卡", user=USERS[i % len(USERS)])
            await wait_for(lambda: len(stand_in.sent("aibot_respond_msg")) >= n, timeout=120)
            wall = time.perf_counter() - start
            print(f"{n} messages in → {n} aibot_respond_msg out: {wall:.2f} s ({n / wall:.0f}/s, "
                  f"{wall / n * 1000:.1f} ms each, dispatcher + outbox worker on SQLite)")
        finally:
            await server.stop()
            app.close()
            await stand_in.stop()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 200, args[1] if len(args) > 1 else 5))
