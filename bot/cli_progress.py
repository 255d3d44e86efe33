"""A progress bar on stderr for long CLI runs (a province's roster takes a while), via tqdm.
It shows only on a terminal; a cron job's log gets no bar lines."""

from __future__ import annotations

import sys

from tqdm import tqdm

__all__ = ["RosterProgress"]

PHASES = {"members": "成员", "accounts": "账号"}


class RosterProgress:
    """The `progress(phase, done, total)` callback of storage/roster_write.py, one bar per phase."""

    def __init__(self, stream=None) -> None:
        self._stream = stream or sys.stderr
        self._bars: dict[str, tqdm] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        bar = self._bars.get(phase)
        if bar is None:
            disable = not getattr(self._stream, "isatty", lambda: False)()
            bar = tqdm(total=total, desc=PHASES.get(phase, phase), unit="行", file=self._stream, disable=disable)
            self._bars[phase] = bar
        bar.update(done - bar.n)

    def __enter__(self) -> RosterProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        for bar in self._bars.values():
            bar.close()
