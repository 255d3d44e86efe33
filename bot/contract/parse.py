"""Parsing a command's argument text against its declared specs, in one shared place.

Keyword arguments (`主题：安全生产`, `截止 20:00`) are taken out first, wherever they stand; the
remaining words fill the positional specs in order. An optional spec that does not read a word
is skipped; a greedy spec (free text) takes the rest as typed. When every positional spec is
optional and one word long, the words may come in any order (`/考勤 10月 全村`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Sequence

from bot.contract import texts
from bot.contract.args import Arg, ArgError
from bot.contract.hygiene import excerpt

__all__ = ["Params", "parse_args"]

_WORD = re.compile(r"[^\s\u3000]+")


class Params(dict):
    """The parsed, typed arguments: `ctx.params.day` or `ctx.params["day"]`."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def parse_args(specs: Sequence[Arg], text: str, today: date) -> Params:
    """Read `text` (everything after the command word) into typed values; raise ArgError."""
    params = Params()
    if not text.strip() and any(not s.optional for s in specs):
        raise ArgError("")  # nothing typed after the command: the usage alone says it best
    text = _take_keywords([s for s in specs if s.key], text, today, params)
    positional = [s for s in specs if not s.key]
    if positional and all(s.optional and not s.greedy for s in positional):
        _fill_any_order(positional, text, today, params)
    else:
        _fill_in_order(positional, text, today, params)
    return params


def _take_keywords(specs: Sequence[Arg], text: str, today: date, params: Params) -> str:
    for spec in specs:
        keys = "|".join(re.escape(k) for k in sorted(spec.key, key=len, reverse=True))
        pattern = re.compile(rf"(?:^|(?<=[\s\u3000]))(?:{keys})[\s\u3000]*[:：]?[\s\u3000]*([^\s\u3000]+)")
        match = pattern.search(text)
        if match is None:
            if not spec.optional:
                raise ArgError(texts.MISSING_ARG.format(label=spec.shown))
            params[spec.name] = spec.default
            continue
        params[spec.name] = spec.convert(match.group(1), today)
        text = (text[: match.start()] + " " + text[match.end():]).strip()
    return text


def _fill_in_order(specs: Sequence[Arg], text: str, today: date, params: Params) -> None:
    words = list(_WORD.finditer(text))
    index = 0
    for spec in specs:
        if spec.greedy:
            rest = text[words[index].start():].strip() if index < len(words) else ""
            if not rest:
                _missing(spec, params)
                continue
            params[spec.name] = spec.convert(rest, today)
            index = len(words)
            continue
        if index >= len(words):
            _missing(spec, params)
            continue
        try:
            params[spec.name] = spec.convert(words[index].group(), today)
            index += 1
        except ArgError:
            if not spec.optional:
                raise
            params[spec.name] = spec.default
    if index < len(words):
        raise ArgError(texts.EXTRA_ARG.format(text=excerpt(words[index].group())))


def _fill_any_order(specs: Sequence[Arg], text: str, today: date, params: Params) -> None:
    open_specs = list(specs)
    for spec in specs:
        params[spec.name] = spec.default
    for match in _WORD.finditer(text):
        word, error = match.group(), None
        for spec in open_specs:
            try:
                params[spec.name] = spec.convert(word, today)
            except ArgError as refused:
                error = error or refused
                continue
            open_specs.remove(spec)
            break
        else:
            if len(specs) == 1 and error is not None:
                raise error  # the one spec's own reason (out of range, not a month…)
            raise ArgError(texts.EXTRA_ARG.format(text=excerpt(word)))


def _missing(spec: Arg, params: Params) -> None:
    if not spec.optional:
        raise ArgError(texts.MISSING_ARG.format(label=spec.shown))
    params[spec.name] = spec.default


def usage_line(name: str, sub: str | None, specs: Sequence[Arg]) -> str:
    """`/会议 新建 日期 时间 标题 [主题：…]`, derived from the specs (for docs and /帮助)."""
    parts = ["/" + name] + ([sub] if sub else [])
    for spec in specs:
        shown = f"{spec.key[0]}：{spec.shown}" if spec.key else spec.shown
        parts.append(f"[{shown}]" if spec.optional else shown)
    return " ".join(parts)
