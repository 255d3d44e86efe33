"""Benchmark for issue 13: the 公开栏 village and township pages built from the demo township
(11 members, a month of check-ins, a meeting, a published resolution) on SQLite, and the points
job over it. Prints render times and page sizes (plain and gzip, what a weak phone link carries).
Run `.venv/bin/python bench/board_page.py`."""

from __future__ import annotations

import gzip
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo import DEMO_DAY, run_demo  # noqa: E402
from bot.web.routes import Board  # noqa: E402
from scheduler.points_jobs import apply_rules  # noqa: E402
from scheduler.runtime import job_context  # noqa: E402

ROUNDS = 20


def _timed(render, rounds: int = ROUNDS) -> tuple[float, str]:
    started = time.perf_counter()
    for _ in range(rounds):
        html = render()
    return (time.perf_counter() - started) / rounds * 1000, html


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "demo.sqlite3"
        run_demo(db, out=io.StringIO())
        app = build_app(Settings(database_url=f"sqlite:///{db}", data_dir=Path(scratch)), clock=ManualClock(DEMO_DAY))
        try:
            started = time.perf_counter()
            with job_context(app) as ctx:
                added = apply_rules(ctx)
            print(f"points job rerun over the demo: {added} new entries in {(time.perf_counter() - started) * 1000:.0f} ms"
                  " (everything was already counted once)")
            board = Board(app)
            for label, render in (("village page (雅庄村)", lambda: board.village_html(1)),
                                  ("township page (芝英镇)", lambda: board.township_html(1))):
                ms, html = _timed(render)
                raw = html.encode()
                print(f"{label}: {ms:.1f} ms to build and render (mean of {ROUNDS}), "
                      f"{len(raw) / 1024:.1f} KB HTML, {len(gzip.compress(raw)) / 1024:.1f} KB gzip")
        finally:
            app.close()


if __name__ == "__main__":
    main()
