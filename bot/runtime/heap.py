"""Startup objects out of the garbage collector's way.

A worker starts with hundreds of thousands of long-lived objects: modules, SQLAlchemy's mappings,
jieba's dictionary. CPython's full (generation 2) collection visits every one of them each time it
runs, and under a 500/s burst that was 100–185 ms with the interpreter stopped — every callback
in flight waited, and those pauses alone made the ack p99. `gc.freeze()` (Python 3.7+) moves
everything alive at that moment to a permanent generation the collector never scans; objects made
later (requests, cached roster rows) are collected as before.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_objects"]


def freeze_startup_objects() -> None:
    """Call once the process is set up (imports done, dictionaries loaded), before serving."""
    gc.collect()  # what is garbage now is freed, not frozen
    gc.freeze()
