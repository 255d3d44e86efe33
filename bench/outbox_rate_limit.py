"""The outbox under rate limiting: N messages per group for two WeCom groups (webhooks) and one
DingTalk group (robot API), sent to a local stand-in that answers the first R calls with the
platforms' rate-limit errors (45009 / 429 Throttling). Time is a ManualClock moved 5 s per pass.
Prints how many arrived, duplicates, order per group, retries, the busiest minute per group and
the simulated time it took.

    .venv/bin/python bench/outbox_rate_limit.py [N_PER_GROUP] [REFUSED]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.clock import TZ, ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery import OutboxWorker  # noqa: E402
from bot.platform_config import DingTalkSettings, WeComSettings  # noqa: E402
from bot.platforms import build_senders  # noqa: E402
from tests.factories import build_world, outbox_rows  # noqa: E402
from tests.standins import StandIn  # noqa: E402
from tests.test_outbox_delivery import GROUPS, queue_messages, texts_by_group  # noqa: E402


async def main(per_group: int, refused: int) -> None:
    standin = StandIn()
    await standin.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.sqlite3",
            data_dir=Path(tmp),
            wecom=WeComSettings(
                enabled=True, api_base=standin.base, webhook_keys={"wx-yazhuang": "key-yz", "wx-zhiying": "key-zy"}
            ),
            dingtalk=DingTalkSettings(enabled=True, client_id="ding-app", client_secret="s", api_base=standin.base),
        )
        clock = ManualClock(start := datetime(2026, 11, 24, 8, 0, tzinfo=TZ))
        app = build_app(settings, clock=clock)
        build_world(app)
        queue_messages(app, per_group)
        standin.refuse_first = refused
        worker = OutboxWorker(app, build_senders(app))
        retried = passes = 0
        while any(r.status == "pending" for r in outbox_rows(app)):
            report = await asyncio.to_thread(worker.run_once)
            retried += report.retried
            passes += 1
            clock.advance(seconds=5)
        rows = outbox_rows(app)
        app.close()
    await standin.stop()
    got = texts_by_group(standin)
    print(f"outbox: {per_group} messages × {len(GROUPS)} groups, stand-in refused the first {refused} calls")
    for _, chat in GROUPS:
        expected = [f"{chat} 第{n}条" for n in range(1, per_group + 1)]
        dupes = sum(c - 1 for c in Counter(got[chat]).values())
        times = sorted(r.sent_at for r in rows if r.chat_id == chat)
        busiest = max(sum(1 for t in times if s <= t < s + timedelta(seconds=60)) for s in times)
        took = (times[-1] - start).seconds
        print(
            f"  {chat:12} arrived {len(got[chat])}/{per_group}, duplicates {dupes}, in order {got[chat] == expected}, "
            f"busiest 60 s window {busiest}, last sent after {took} s"
        )
    print(f"  rate-limit answers {len(standin.refused)}, retries {retried}, worker passes {passes}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50, int(sys.argv[2]) if len(sys.argv) > 2 else 10))
