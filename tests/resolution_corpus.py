"""Scoring the resolution reader against the corpus in tests/data/ (used by the corpus test and by
bench/resolution_reading.py).

A field is right when the reader gives the expected value, or, for the subject, a subject that
contains the expected keyword (None when none is expected). A silent misread is a wrong, non-empty
count or time in a text where the reader raised no question: the card would show a number as if
it were right. (A subject that misses the keyword is shown too, but as words the secretary reads;
it counts against the subject figure, not as a silent misread.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from handlers.resolution_parser import ResolutionFields, parse_free_text

DATA = Path(__file__).resolve().parent / "data"
PARTS = {"tuned": DATA / "resolution_corpus_tuned.json", "held_out": DATA / "resolution_corpus_held_out.json"}
FIELDS = ("subject", "present", "expected", "start", "end", "for", "against", "abstain", "decision", "conflict")
NUMBERS = ("present", "expected", "start", "end", "for", "against", "abstain")
_ATTRIBUTE = {"for": "agree"}


def load(part: str) -> list[dict]:
    return json.loads(PARTS[part].read_text(encoding="utf-8"))["texts"]


def observed(parsed: ResolutionFields, name: str):
    if name == "decision":
        return parsed.decided
    if name == "conflict":
        return bool(parsed.questions())
    value = getattr(parsed, _ATTRIBUTE.get(name, name))
    return value.strftime("%H:%M") if name in ("start", "end") and value else value


def wanted(case: dict, name: str):
    return case.get(name, {"decision": True, "conflict": False}.get(name))


def right(case: dict, parsed: ResolutionFields, name: str) -> bool:
    got, want = observed(parsed, name), wanted(case, name)
    if name == "subject":
        return (got is None) if want is None else (got is not None and want in got)
    return got == want


@dataclass
class Score:
    texts: int = 0
    fully_right: int = 0
    per_field: dict = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    wrong: list = field(default_factory=list)  # (text, [(field, got, wanted)])
    silent: list = field(default_factory=list)  # (text, field, got, wanted)

    def share(self, count: int) -> float:
        return count / self.texts if self.texts else 0.0


def score(cases: list[dict]) -> Score:
    result = Score()
    for case in cases:
        parsed = parse_free_text(case["text"])
        misses = [
            (name, observed(parsed, name), wanted(case, name)) for name in FIELDS if not right(case, parsed, name)
        ]
        result.texts += 1
        result.fully_right += not misses
        for name in FIELDS:
            result.per_field[name] += right(case, parsed, name)
        if misses:
            result.wrong.append((case["text"], misses))
        if not parsed.questions():
            result.silent += [
                (case["text"], name, got, want) for name, got, want in misses
                if got is not None and name in NUMBERS
            ]
    return result
