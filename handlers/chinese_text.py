"""Chinese numbers and clock times as cadres write them: full-width forms, Chinese numerals
before a unit (三十四人, 百分之百, 七点半), 19时34分, 晚上7点, ranges like 19:00-19:34, and which
time in a text is the start and which the end. Pure functions, no database."""

from __future__ import annotations

import re
import unicodedata
from datetime import time

import cn2an

__all__ = ["RANGE_RE", "TIME_RE", "meeting_times", "normalise", "parse_time", "time_of"]

# --- normalising ---------------------------------------------------------------------------
_NUMERAL = "零〇一二两三四五六七八九十百千万"
_CN_BEFORE_UNIT = re.compile(rf"(?<![{_NUMERAL}])([{_NUMERAL}]+)(?=[人名位票点时分%余平个项张户刻])")
_CN_MINUTES = re.compile(rf"(?<=\d[点时过])([{_NUMERAL}]+)")  # 九点四十散会: minutes said without 分
_CN_PERCENT = re.compile(rf"百分之([{_NUMERAL}]+)")


def normalise(text: str) -> str:
    """Full-width to ASCII, Chinese numerals that count something to digits."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("百分之百", "100%")
    text = _CN_PERCENT.sub(lambda m: f"{_cn_number(m.group(1), m.group(0))}%", text)
    text = _CN_BEFORE_UNIT.sub(_convert_run, text)
    return _CN_MINUTES.sub(lambda m: str(_cn_number(m.group(1), m.group(1))), text)


def _convert_run(match: re.Match) -> str:
    run = match.group(1)
    after = match.string[match.end():match.end() + 2]
    before = match.string[max(0, match.start() - 1):match.start()]
    if after[0] == "分" and before not in "点时:过" and after != "分钟":  # 十分重要 is "very", not ten minutes
        return run
    return str(_cn_number(run, run))


def _cn_number(run: str, fallback: str) -> int | str:
    try:
        return int(cn2an.cn2an(run, "smart"))
    except (ValueError, TypeError):
        return fallback


# --- times ---------------------------------------------------------------------------------
_PM = ("下午", "傍晚", "晚上", "今晚", "当晚", "晚", "夜里")
_DAY_PARTS = ("凌晨", "早上", "早晨", "上午", "中午") + _PM
_DAY_PART_RE = re.compile("|".join(sorted(_DAY_PARTS, key=len, reverse=True)))
_TIME = (
    r"(?P<ap{n}>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|今晚|当晚|夜里|晚)?"
    r"(?P<h{n}>\d{{1,2}})(?::(?P<m{n}>\d{{2}})|[时点]钟?(?:(?P<q{n}>[13])刻|(?P<half{n}>半)|整"
    r"|过?(?P<mm{n}>\d{{1,2}})(?:分|(?![人名位票张个户%\d])))?)"
)
TIME_RE = re.compile(_TIME.format(n=""))
RANGE_RE = re.compile(_TIME.format(n="") + r"\s*(?:-+|~|—+|–|至|到|开到)\s*" + _TIME.format(n="2"))
_DURATION = re.compile(
    r"(?:历时|持续|用时|时长|开了)[了约近]?(?:(?P<h>\d+)个?(?P<h_half>半)?(?:小时|钟头)|(?P<half>半)个?(?:小时|钟头))?"
    r"(?:(?P<m>\d+)分钟)?"
)


def parse_time(text: str) -> time | None:
    """One clock time as a cadre writes it: 19:00, 19时34分, 晚上7点半, 十九点 (None if not a time)."""
    match = TIME_RE.fullmatch(normalise(text.strip()))
    return time_of(match, "") if match else None


def time_of(match: re.Match, n: str, after: time | None = None, day_part: str | None = None) -> time | None:
    """The time in a TIME_RE/RANGE_RE match (group suffix `n`); `after` is the meeting's start,
    `day_part` the last 上午/晚上… said before the time when the time itself has none."""
    hour = int(match.group(f"h{n}"))
    minute = match.group(f"m{n}") or match.group(f"mm{n}")
    quarter = match.group(f"q{n}")
    minute = 30 if match.group(f"half{n}") else 15 * int(quarter) if quarter else int(minute or 0)
    ap = match.group(f"ap{n}") or day_part
    if (ap in _PM and hour < 12) or (ap == "中午" and hour < 11):
        hour += 12
    elif after is not None and hour < 12 <= after.hour and hour + 12 >= after.hour:
        hour += 12  # "晚上7点开始，8点半结束": the end is in the evening too
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def meeting_times(text: str) -> tuple[time | None, time | None]:
    """Start and end of a meeting in a normalised text: a range, times marked by 结束/散会, or a
    start and a duration (历时45分钟, 开了1个半小时)."""
    span = RANGE_RE.search(text)
    if span:
        start = time_of(span, "", day_part=_day_part(text, span.start()))
        return start, time_of(span, "2", after=start, day_part=_day_part(text, span.start()))
    start = end = None
    matches = list(TIME_RE.finditer(text))
    for index, match in enumerate(matches):
        moment = time_of(match, "", after=start, day_part=_day_part(text, match.start()))
        following = re.split(r"[,;。!\n]", text[match.end():_next_start(matches, index, text)])[0]
        preceding = re.split(r"[,;。!\n]", text[(matches[index - 1].end() if index else 0):match.start()])[-1]
        ends = _ENDS.search(following) or re.search(rf"(?:{_ENDS.pattern})(?:时间)?(?:为|于|是|:)?\s*$", preceding)
        if ends and end is None:
            end = moment
        elif start is None:
            start = moment
        elif end is None:
            end = moment
    return start, end or _after_duration(text, start)


_ENDS = re.compile(r"结束|散会|闭会")


def _day_part(text: str, position: int) -> str | None:
    said = _DAY_PART_RE.findall(text, 0, position)
    return said[-1] if said else None


def _after_duration(text: str, start: time | None) -> time | None:
    match = _DURATION.search(text)
    if start is None or match is None:
        return None
    hours = int(match.group("h") or 0) + (0.5 if match.group("h_half") or match.group("half") else 0)
    minutes = int(hours * 60) + int(match.group("m") or 0)
    if minutes == 0:
        return None
    total = start.hour * 60 + start.minute + minutes
    return time(total // 60 % 24, total % 60)


def _next_start(matches: list[re.Match], index: int, text: str) -> int:
    return matches[index + 1].start() if index + 1 < len(matches) else len(text)
