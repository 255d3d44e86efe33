"""Arithmetic closure of a resolution's counts, and the contradictions that stop it.

When the stated counts determine the others, fill them and say how (the confirmation card shows
"反对 0（由实到与同意、弃权推算）"). When stated counts contradict each other, fill nothing and
ask: a contradiction is a question to the secretary, never a stored number.
Works on any dataclass with ResolutionFields' attributes; pure.
"""

from __future__ import annotations

from dataclasses import replace

__all__ = ["contradictions", "settle"]

VOTES = ("agree", "against", "abstain")
VOTE_NAMES = {"agree": "同意", "against": "反对", "abstain": "弃权"}

SUM_TOO_BIG = "同意、反对、弃权合计 {votes} 人，超过实到 {present} 人，哪个数不对？"
PRESENT_TOO_BIG = "实到 {present} 人超过应到 {expected} 人，哪个数不对？"
NOT_UNANIMOUS = "写的是一致同意，但{what}，以哪个为准？"
PERCENT_DIFFERS = "同意 {percent:g}% 按实到 {present} 人是 {implied} 人，但写的是同意 {agree}，以哪个为准？"

BY_ABSENT = "由应到减缺席推算"
BY_PRESENT_AND_ABSENT = "由实到加缺席推算"
BY_UNANIMOUS = "一致同意，按实到 {present} 人计"
BY_PERCENT = "按实到 {present} 人的 {percent:g}% 推算"
ALL_AGREED = "同意 100%，按实到 {present} 人计"
BY_REST = "由实到与{known}推算"


def contradictions(fields) -> list[str]:
    """Questions about counts that cannot all be true (the reader's own doubts first)."""
    questions = list(fields.doubts.values())
    present, expected = fields.present, fields.expected
    votes = sum(getattr(fields, name) or 0 for name in VOTES)
    if present is not None and votes > present:
        questions.append(SUM_TOO_BIG.format(votes=votes, present=present))
    if present is not None and expected is not None and present > expected:
        questions.append(PRESENT_TOO_BIG.format(present=present, expected=expected))
    if fields.unanimous and present is not None:
        if fields.agree is not None and fields.agree != present:
            questions.append(NOT_UNANIMOUS.format(what=f"同意 {fields.agree}、实到 {present}"))
        for name in ("against", "abstain"):
            if getattr(fields, name):
                questions.append(NOT_UNANIMOUS.format(what=f"{VOTE_NAMES[name]} {getattr(fields, name)}"))
    implied = _by_percent(fields)
    stated_agree = fields.agree if "agree" not in fields.inferred else None
    if implied is not None and stated_agree is not None and stated_agree != implied:
        questions.append(
            PERCENT_DIFFERS.format(percent=fields.agree_percent, present=present, implied=implied, agree=stated_agree)
        )
    return questions


def settle(fields):
    """Fill what the stated counts determine, each with its reason in `inferred`; nothing when
    the counts contradict each other."""
    fields = _attendance(fields)
    if contradictions(fields) or fields.present is None:
        return fields
    if fields.unanimous:
        everyone = BY_UNANIMOUS.format(present=fields.present)
        fields = _infer(fields, agree=(fields.present, everyone), against=(0, everyone), abstain=(0, everyone))
    implied = _by_percent(fields)
    if implied == fields.present:
        everyone = ALL_AGREED.format(present=fields.present)
        fields = _infer(fields, agree=(implied, everyone), against=(0, everyone), abstain=(0, everyone))
    elif implied is not None:
        reason = BY_PERCENT.format(present=fields.present, percent=fields.agree_percent)
        fields = _infer(fields, agree=(implied, reason))
    return _remainder(fields)


def _attendance(fields):
    if fields.absent is None:
        return fields
    if fields.present is None and fields.expected is not None and fields.expected >= fields.absent:
        return _infer(fields, present=(fields.expected - fields.absent, BY_ABSENT))
    if fields.expected is None and fields.present is not None:
        return _infer(fields, expected=(fields.present + fields.absent, BY_PRESENT_AND_ABSENT))
    return fields


def _remainder(fields):
    """其余弃权 takes what is left; otherwise, when the stated votes already add up to those
    present, the unstated ones are 0."""
    known = [name for name in VOTES if getattr(fields, name) is not None]
    unknown = [name for name in VOTES if name not in known]
    if not unknown or fields.agree is None and fields.rest is None:
        return fields
    reason = BY_REST.format(known="、".join(VOTE_NAMES[name] for name in known)) if known else "由实到推算"
    left = fields.present - sum(getattr(fields, name) for name in known)
    if fields.rest in unknown and left >= 0:
        return _infer(fields, **{name: (left if name == fields.rest else 0, reason) for name in unknown})
    if left == 0:
        return _infer(fields, **{name: (0, reason) for name in unknown})
    return fields


def _by_percent(fields) -> int | None:
    if fields.agree_percent is None or fields.present is None:
        return None
    return round(fields.present * fields.agree_percent / 100)


def _infer(fields, **values):
    """Set the unstated ones among `values` (name -> (value, reason)); stated values stay."""
    changes = {name: value for name, (value, _) in values.items() if getattr(fields, name) is None}
    if not changes:
        return fields
    reasons = {**fields.inferred, **{name: values[name][1] for name in changes}}
    return replace(fields, **changes, inferred=reasons)
