"""Splitting long texts at platform limits, on line boundaries, into as few parts as fit.

Limits are in UTF-8 bytes (WeCom counts bytes: text ≤ 2048, markdown ≤ 4096,
https://developer.work.weixin.qq.com/document/path/91770). DingTalk's robot messages allow far
more; 5000 bytes keeps a roll call readable on a phone.
"""

from __future__ import annotations

TEXT_LIMITS = {"wecom": 2048, "dingtalk": 5000}
MARKDOWN_LIMITS = {"wecom": 4096, "dingtalk": 5000}
CONTINUED = "（续）"

__all__ = ["limit_for", "split_text"]


def limit_for(platform: str, markdown: bool) -> int | None:
    return (MARKDOWN_LIMITS if markdown else TEXT_LIMITS).get(platform)


def split_text(text: str, limit: int | None) -> list[str]:
    """Greedy split on line boundaries so each part is ≤ limit bytes; a single over-long line is
    cut at character boundaries. Parts after the first start with （续）."""
    if limit is None or _size(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    for line in _fit_lines(text.split("\n"), limit - _size(CONTINUED) - 1):
        candidate = "\n".join([*current, line])
        prefix = CONTINUED + "\n" if parts else ""
        if current and _size(prefix + candidate) > limit:
            parts.append(("" if not parts else CONTINUED + "\n") + "\n".join(current))
            current = [line]
        else:
            current.append(line)
    if current:
        parts.append(("" if not parts else CONTINUED + "\n") + "\n".join(current))
    return parts


def _fit_lines(lines: list[str], limit: int) -> list[str]:
    fitted: list[str] = []
    for line in lines:
        while _size(line) > limit:
            cut = _cut_at_bytes(line, limit)
            fitted.append(line[:cut])
            line = line[cut:]
        fitted.append(line)
    return fitted


def _cut_at_bytes(line: str, limit: int) -> int:
    size = 0
    for index, char in enumerate(line):
        size += len(char.encode("utf-8"))
        if size > limit:
            return index
    return len(line)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
