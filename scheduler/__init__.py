"""Scheduled work: job functions (module level, importable by path, so a persistent job store can
hold them) and their wiring to APScheduler. Everything here knows time; nothing knows a platform."""
