"""Benchmark for issue 6: jieba start-up, free-text parsing throughput, and /查 over a township's
worth of indexed resolutions on SQLite. Prints figures; run `.venv/bin/python bench/resolutions.py`."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.clock import TZ, ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from handlers import segmenter  # noqa: E402
from handlers.resolution_parser import parse_free_text  # noqa: E402
from storage.repositories import SearchRepository  # noqa: E402
from tests.test_resolution_parser import PHRASINGS  # noqa: E402

SUBJECTS = ["筹建公办幼儿园", "村道硬化", "高标准农田建设", "防汛应急资金", "文化礼堂修缮", "生活污水治理", "集体厂房招租"]


def main() -> None:
    started = time.perf_counter()
    segmenter.warm_up()
    print(f"jieba dictionary + domain words loaded in {time.perf_counter() - started:.2f} s (once per process)")

    texts = [row[0] for row in PHRASINGS]
    rounds = 50
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            parse_free_text(text)
    elapsed = time.perf_counter() - started
    count = rounds * len(texts)
    print(f"parse_free_text: {count} texts in {elapsed:.2f} s = {count / elapsed:.0f} texts/s, {elapsed / count * 1000:.2f} ms each")

    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(
            Settings(database_url=f"sqlite:///{scratch}/bench.sqlite3", data_dir=Path(scratch)),
            clock=ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=TZ)),
        )
        documents = 5000
        with app.unit_of_work() as uow:
            from storage.models import Township

            uow.session.add(Township(id=1, name="芝英镇"))
            uow.session.flush()
            search = SearchRepository(uow.session)
            for doc_id in range(1, documents + 1):
                subject = f"第{doc_id}号 {SUBJECTS[doc_id % len(SUBJECTS)]} 项目安排"
                search.index(1, "resolution", doc_id, segmenter.search_tokens(subject), app.clock.now())
            uow.commit()
        with app.unit_of_work() as uow:
            search = SearchRepository(uow.session)
            tokens = segmenter.search_tokens("公办幼儿园")
            started = time.perf_counter()
            for _ in range(100):
                hits = search.search(1, tokens)
            elapsed = (time.perf_counter() - started) / 100
        print(f"/查 公办幼儿园 over {documents} indexed resolutions (SQLite): {elapsed * 1000:.1f} ms per query, {len(hits)} shown")
        app.close()


if __name__ == "__main__":
    main()
