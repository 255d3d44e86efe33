"""Reading a meeting resolution out of text: the structured `/决议` form and ordinary Chinese.

Pure functions, no database. Text is first normalised (handlers/chinese_text.py: full-width forms
→ ASCII, Chinese numerals before a unit → digits via cn2an, 百分之百 → 100%), then attendance, times
and the vote are found by pattern, with jieba (and the domain dictionary) spotting unanimous-vote
phrases and trimming the subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import time

from bot.contract.hygiene import excerpt
from handlers.chinese_text import RANGE_RE, meeting_times, normalise, parse_time, time_of
from handlers.segmenter import words

__all__ = ["ResolutionFields", "normalise", "parse_free_text", "parse_structured", "parse_time", "FIELD_LABELS"]

FIELD_LABELS = {
    "subject": "决议事项",
    "present": "实到人数",
    "start": "开始时间",
    "end": "结束时间",
    "vote": "表决结果",
}


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

    def missing(self) -> list[str]:
        """Chinese labels of the fields a resolution needs but this text did not give."""
        absent = [name for name in ("subject", "present", "start", "end") if getattr(self, name) is None]
        if self.agree is None and self.agree_percent is None:
            absent.append("vote")
        order = list(FIELD_LABELS)
        return [FIELD_LABELS[name] for name in sorted(absent, key=order.index)]

    def as_dict(self) -> dict:
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> ResolutionFields:
        values = dict(data)
        for name in ("start", "end"):
            if values.get(name):
                values[name] = time.fromisoformat(values[name])
        return cls(**{k: v for k, v in values.items() if k in {f.name for f in fields(cls)}})

    def with_counts_filled(self) -> ResolutionFields:
        """Apply a percentage to the attendance: 100% means everyone agreed, none against."""
        result = self
        if result.expected is None and result.present is not None:
            result = replace(result, expected=result.present)
        if result.agree is None and result.agree_percent is not None and result.present is not None:
            agree = round(result.present * result.agree_percent / 100)
            rest = (0, 0) if agree == result.present else (None, None)
            result = replace(result, agree=agree, against=rest[0], abstain=rest[1])
        return result


KINDS = ("村级决策", "人事任免", "项目安排", "突发事件", "大额资金使用")

# --- attendance and the vote ---------------------------------------------------------------
_UNIT = r"(?:人|名|位|票)"
_GAP = r"[^,;。!\n\d]{0,15}?"
EXPECTED_RES = [re.compile(r"应到(?:会)?(?:人数)?(?:为)?\s*:?\s*(\d+)")]
PRESENT_RES = [
    re.compile(r"实到(?:会)?(?:人数)?(?:为)?\s*:?\s*(\d+)"),
    re.compile(rf"(\d+)\s*(?:人|名|位){_GAP}(?:参加|参会|出席|到会|与会|到场)"),
    re.compile(rf"(?:参加|参会|出席|到会|与会|到场){_GAP}(\d+)\s*(?:人|名|位)"),
]
_AGREE = r"(?:(?<!不)同意|赞成)"
_AGAINST = r"(?:反对|不同意)"
_ABSTAIN = r"(?:弃权)"
UNANIMOUS = {"一致同意", "全票通过", "全票同意", "一致通过", "全体同意", "全部同意", "全票赞成", "无异议"}


def _count(keyword: str, text: str) -> int | None:
    for pattern in (
        rf"{keyword}(?:的|票数?为?|人数为?|:)?\s*(\d+)\s*{_UNIT}?",
        rf"(\d+)\s*{_UNIT}\s*(?:表示)?{keyword}",
    ):
        match = re.search(pattern, text)
        if match:
            return int(match.group(1))
    if keyword != _AGREE and re.search(rf"(?:无|没有|无人){keyword}", text):
        return 0
    return None


def _percent(text: str) -> float | None:
    match = re.search(rf"(\d+(?:\.\d+)?)\s*%\s*(?:的)?(?:参会人员|与会人员|人员|代表)?\s*(?:{_AGREE}|通过)", text)
    match = match or re.search(rf"{_AGREE}(?:率|比例)(?:为|达)?\s*(\d+(?:\.\d+)?)\s*%", text)
    return float(match.group(1)) if match else None


def _first(patterns: list[re.Pattern], text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


# --- subject ---------------------------------------------------------------------------------
_ABOUT = re.compile(r"关于(.+?)的(?:决议|议题|事项|提议|方案|请示)")
_VOTE_WORD = re.compile(rf"(?:{_AGREE}|通过|议定|决定)(?:了)?")
_COUNTING = re.compile(r"票|反对|弃权|%|^率|\d+\s*[人名位]")
_LEAD_WORDS = {"了", "关于", ":", "的", "表决", "通过"}


def _subject(text: str) -> str | None:
    about = _ABOUT.search(text)
    if about:
        return about.group(1).strip()
    for clause in _clauses(text):
        for match in _VOTE_WORD.finditer(clause):
            candidate = _trim(clause[match.end():])
            if len(candidate) >= 4 and not _COUNTING.search(candidate) and not re.match(r"[\d%]", candidate):
                return candidate
    labelled = re.search(r"(?:议题|主题|事项)\s*[:是为]\s*([^,;。]+)", text)
    return _trim(labelled.group(1)) if labelled else None


def _trim(fragment: str) -> str:
    tokens = words(fragment.strip())
    while tokens and (tokens[0] in _LEAD_WORDS or not tokens[0].strip()):
        tokens.pop(0)
    return "".join(tokens).strip()


def _meeting(text: str) -> str | None:
    match = re.search(r"(?:召开|举行|组织)了?(.{0,20}?(?:会议|大会|会))", text)
    return match.group(1) if match and len(match.group(1)) >= 2 else None


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[,;。!?\n]", text) if c.strip()]


# --- the two entry points --------------------------------------------------------------------
def parse_free_text(text: str) -> ResolutionFields:
    """What a secretary's ordinary message says about a meeting and its vote."""
    text = normalise(text)
    tokens = set(words(text))
    start, end = meeting_times(text)
    parsed = ResolutionFields(
        subject=_subject(text),
        meeting=_meeting(text),
        kind=next((k for k in KINDS if k in text), None),
        expected=_first(EXPECTED_RES, text),
        present=_first(PRESENT_RES, text),
        start=start,
        end=end,
    )
    if tokens & UNANIMOUS:
        return replace(parsed, agree_percent=100.0).with_counts_filled()
    counts = {"agree": _count(_AGREE, text), "against": _count(_AGAINST, text), "abstain": _count(_ABSTAIN, text)}
    if counts["agree"] is not None:
        parsed = replace(parsed, **counts)
        if parsed.present is None and None not in counts.values():
            parsed = replace(parsed, present=sum(counts.values()))
        return parsed.with_counts_filled()
    return replace(parsed, agree_percent=_percent(text)).with_counts_filled()


_KEYED = {
    "主题": "subject", "事项": "subject", "议题": "subject", "会议": "meeting", "类别": "kind",
    "应到": "expected", "实到": "present", "参会": "present", "同意": "agree", "赞成": "agree",
    "反对": "against", "弃权": "abstain", "开始": "start", "结束": "end",
}
_NUMBER_KEYS = {"expected", "present", "agree", "against", "abstain"}


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
    return ResolutionFields(**values).with_counts_filled()


def set_field(parsed: ResolutionFields, label: str, value: str) -> ResolutionFields:
    """`/修改 开始 19:00`: one field by its Chinese name; ValueError with a Chinese reason if wrong."""
    name = _KEYED.get(label) or {"人数": "present", "时间": "start", "主题": "subject"}.get(label)
    if name is None:
        raise ValueError(f"不认识「{excerpt(label)}」，可以修改：{'、'.join(sorted(set(_KEYED)))}")
    if name in ("start", "end"):
        moment = parse_time(value)
        if moment is None:
            raise ValueError(f"「{excerpt(value)}」不是时间，例如 19:00 或 19时34分")
        return replace(parsed, **{name: moment})
    if name in _NUMBER_KEYS:
        digits = normalise(value).rstrip("人名位票")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 6):
            raise ValueError(f"「{excerpt(value)}」不是人数")
        if name in ("present", "expected") and parsed.agree_percent is not None:
            parsed = replace(parsed, agree=None, against=None, abstain=None)  # re-apply the percentage
        return replace(parsed, **{name: int(digits)}).with_counts_filled()
    return replace(parsed, **{name: value.strip()})


def _jsonable(value):
    return value.isoformat(timespec="minutes") if isinstance(value, time) else value
