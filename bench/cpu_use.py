"""Where the CPU goes during a benchmark run: the CPU seconds (user + system, from /proc) used by
each kind of process between two snapshots — the web workers that ack, their niced dispatch
children, the PostgreSQL backends of the benchmark's database, and the load generator itself.
Linux only (reads /proc)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def snapshot(serve_pid: int, database: str | None) -> Counter:
    """CPU seconds used so far per kind: "web", "dispatch", "database", "load generator"."""
    used: Counter = Counter()
    stats = {pid: stat for pid in _pids() if (stat := _stat(pid)) is not None}
    tree = _descendants(serve_pid, stats)
    for pid, (ppid, nice, seconds, name) in stats.items():
        kind = _kind(pid, ppid, nice, name, tree, serve_pid, database)
        if kind:
            used[kind] += seconds
    return used


def report(before: Counter, after: Counter, messages: int) -> str:
    """"CPU ms per message: database 0.74 · dispatch 1.24 · …", one figure per kind of process."""
    parts = [f"{kind} {1000 * (after[kind] - before[kind]) / messages:.2f}" for kind in sorted(after)]
    return "CPU ms per message: " + " · ".join(parts)


def _kind(pid, ppid, nice, name, tree, serve_pid, database) -> str | None:
    if pid == os.getpid():
        return "load generator"
    if pid in tree:  # `serve` itself answers the callbacks with one worker, supervises with several
        return "dispatch" if nice > 0 else "web"
    if name == "postgres" and database and database in _cmdline(pid):
        return "database"
    return None


def _descendants(root: int, stats: dict) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_rest) in stats.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += children.get(pid, [])
    return found


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _stat(pid: int) -> tuple[int, int, float, str] | None:
    """(parent pid, nice, CPU seconds, command name) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[16]), (int(fields[11]) + int(fields[12])) / _TICK, name


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
