"""Reading a meeting resolution out of text: the structured `/决议` form and ordinary Chinese.

Pure functions, no database. Free text goes through the slot-filling reader
(handlers/resolution_reader.py) and the arithmetic closure (handlers/resolution_arithmetic.py);
the structured form is read by its keys. Both give one `ResolutionFields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import time

from bot.contract.hygiene import excerpt
from handlers.chinese_text import RANGE_RE, meeting_times, normalise, parse_time, time_of
from handlers.resolution_arithmetic import contradictions, settle
from handlers.resolution_reader import read

__all__ = ["ResolutionFields", "normalise", "parse_free_text", "parse_structured", "parse_time", "FIELD_LABELS"]

FIELD_LABELS = {
    "subject": "决议事项",
    "present": "实到人数",
    "start": "开始时间",
    "end": "结束时间",
    "vote": "表决结果",
}
COUNT_LABELS = {"expected": "应到", "present": "实到", "agree": "同意", "against": "反对", "abstain": "弃权", "absent": "缺席"}
SAID_TWICE = "{label}写了两个数：{values}，以哪个为准？"


@dataclass(frozen=True)
class ResolutionFields:
    subject: str | None = None
    meeting: str | None = None  # e.g. 党员和村民代表会议
    kind: str | None = None  # one of the five kinds of major matters, when said
    expected: int | None = None
    present: int | None = None
    agree: int | None = None
    against: int | None = None
    abstain: int | None = None
    agree_percent: float | None = None
    start: time | None = None
    end: time | None = None
    absent: int | None = None
    unanimous: bool = False  # 一致同意 and its kin: everyone present agreed
    rest: str | None = None  # the vote said to take the remainder (其余弃权 → "abstain")
    decided: bool = True  # False: the text tells of a meeting but of no decision
    inferred: dict = field(default_factory=dict)  # field -> how arithmetic gave it (Chinese)
    doubts: dict = field(default_factory=dict)  # field -> question about a count said twice

    def missing(self) -> list[str]:
        """Chinese labels of the fields a resolution needs but this text did not give."""
        absent = [name for name in ("subject", "present", "start", "end") if getattr(self, name) is None]
        if self.agree is None and self.agree_percent is None and not self.unanimous:
            absent.append("vote")
        order = list(FIELD_LABELS)
        return [FIELD_LABELS[name] for name in sorted(absent, key=order.index)]

    def questions(self) -> list[str]:
        """Counts that contradict each other, as questions; while any is open nothing is stored."""
        return contradictions(self)

    def as_dict(self) -> dict:
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> ResolutionFields:
        values = dict(data)
        for name in ("start", "end"):
            if values.get(name):
                values[name] = time.fromisoformat(values[name])
        return cls(**{k: v for k, v in values.items() if k in {f.name for f in fields(cls)}})


KINDS = ("村级决策", "人事任免", "项目安排", "突发事件", "大额资金使用")


def _meeting(text: str) -> str | None:
    match = re.search(r"(?:召开|举行|组织)了?(.{0,20}?(?:会议|大会|会))", text)
    return match.group(1) if match and len(match.group(1)) >= 2 else None


# --- the two entry points --------------------------------------------------------------------
def parse_free_text(text: str) -> ResolutionFields:
    """What a secretary's ordinary message says about a meeting and its vote."""
    text = normalise(text)
    reading = read(text)
    start, end = meeting_times(text)
    counts = {name: values[0] for name, values in reading.stated.items()}
    doubts = {
        name: SAID_TWICE.format(label=COUNT_LABELS[name], values=" 和 ".join(map(str, dict.fromkeys(values))))
        for name, values in reading.stated.items() if len(set(values)) > 1
    }
    parsed = ResolutionFields(
        subject=reading.subject, meeting=_meeting(text), kind=next((k for k in KINDS if k in text), None),
        start=start, end=end, agree_percent=reading.percent, unanimous=reading.unanimous, rest=reading.rest,
        decided=reading.decided, doubts=doubts, **counts,
    )
    return settle(parsed)


_KEYED = {
    "主题": "subject", "事项": "subject", "议题": "subject", "会议": "meeting", "类别": "kind",
    "应到": "expected", "实到": "present", "参会": "present", "同意": "agree", "赞成": "agree",
    "反对": "against", "弃权": "abstain", "开始": "start", "结束": "end", "缺席": "absent",
}
_NUMBER_KEYS = {"expected", "present", "agree", "against", "abstain", "absent"}


def parse_structured(text: str) -> ResolutionFields:
    """`主题 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34`, or `主题:… 应到:34 …` pairs."""
    text = normalise(text)
    values: dict = {}
    segments = [s.strip() for s in re.split(r"\|", text) if s.strip()]
    if segments and not re.match(r"(主题|事项|议题)\s*:", segments[0]) and "|" in text:
        values["subject"] = segments[0]
        text = " ".join(segments[1:])
    for key, value in re.findall(r"(主题|事项|议题|会议|类别)\s*:\s*(.+?)(?=\s+\S+\s*:|$)", text):
        values[_KEYED[key]] = value.strip()
    for key, number in re.findall(r"(应到|实到|参会|同意|赞成|反对|弃权)\s*:?\s*(\d+)", text):
        values[_KEYED[key]] = int(number)
    span = RANGE_RE.search(text)
    if span:
        values["start"] = time_of(span, "")
        values["end"] = time_of(span, "2", after=values["start"])
    for key, name in (("开始", "start"), ("结束", "end")):
        match = re.search(rf"{key}\s*:?\s*(\S+)", text)
        if match and parse_time(match.group(1)):
            values[name] = parse_time(match.group(1))
    return settle(ResolutionFields(**values))


def set_field(parsed: ResolutionFields, label: str, value: str) -> ResolutionFields:
    """`/修改 开始 19:00`: one field by its Chinese name; ValueError with a Chinese reason if wrong.
    What arithmetic filled is worked out again from the corrected field."""
    name = _KEYED.get(label) or {"人数": "present", "时间": "start", "主题": "subject"}.get(label)
    if name is None:
        raise ValueError(f"不认识「{excerpt(label)}」，可以修改：{'、'.join(sorted(set(_KEYED)))}")
    if name in ("start", "end"):
        moment = parse_time(value)
        if moment is None:
            raise ValueError(f"「{excerpt(value)}」不是时间，例如 19:00 或 19时34分")
        return replace(parsed, **{name: moment})
    if name in _NUMBER_KEYS:
        digits = normalise(value).rstrip("人名位票张个户")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 6):
            raise ValueError(f"「{excerpt(value)}」不是人数")
        return settle(replace(_stated_only(parsed, name), **{name: int(digits)}))
    return replace(parsed, **{name: value.strip()})


def _stated_only(parsed: ResolutionFields, corrected: str) -> ResolutionFields:
    """Forget what arithmetic filled and the doubt about `corrected`; a corrected vote count
    replaces 一致同意 or a percentage."""
    cleared = dict.fromkeys(parsed.inferred)
    if corrected in ("agree", "against", "abstain"):
        cleared.update(unanimous=False, agree_percent=None, rest=None)
    doubts = {name: question for name, question in parsed.doubts.items() if name != corrected}
    return replace(parsed, **cleared, inferred={}, doubts=doubts)


def _jsonable(value):
    return value.isoformat(timespec="minutes") if isinstance(value, time) else value
