"""Reading a secretary's meeting report by slot-filling over tagged jieba tokens.

The text is normalised (handlers/chinese_text.py), cut by jieba with the domain dictionary and
each token tagged by handlers/resolution_lexicon.py. Then, clause by clause:

- counts: a number with a count unit (人/名/位/票/张/个/户) is tied to the nearest role word
  (同意, 反对, 弃权, 参加, 应到, 缺席 …) in the clause's reading order — "18票赞成" or "赞成18票" —
  with only filler words (党员, 代表, 共, 的 …) between them; 无反对 is a 0, 其余弃权 a remainder;
- the vote as a whole: 一致同意 and its kin, or a percentage (百分之八十同意);
- the subject: a label (议定事项：…), 关于…的决议, or the clause a decision verb governs, joined to
  the matter a deliberation verb named before it (会议研究了X，并一致同意Y → "X：Y").

Pure functions; no database, no clock. The arithmetic that fills the remaining counts lives in
handlers/resolution_arithmetic.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.chinese_text import TIME_RE
from handlers.resolution_lexicon import NOT, ROLES, tag
from handlers.segmenter import words

__all__ = ["Reading", "read"]

Token = tuple[str, str]  # (text, tag)
_MAX_GAP = 8  # filler tokens allowed between a number and its role word
_DECIDING = {"DECIDE", "AGREE", "UNANIMOUS", "ELECT"}
_ALL_AGREE_MARKS = {"全部", "全体", "都", "一致", "全员"}
_HEADCOUNT_UNITS = {"人", "个人", "名", "位"}
_CLAUSE_END = re.compile(r"[,;。!?\n]|\s+")
_SENTENCE_END = re.compile(r"[,;。!?\n]")
_ABOUT = re.compile(r"关于(.+?)的(?:决议|议题|事项|提议|方案|请示|议案|事)")
_PERCENT = re.compile(
    r"(\d+(?:\.\d+)?)%(以上|以下|左右|多)?(?:的)?(?:参会人员|与会人员|人员|代表|党员)?(?:同意|赞成|通过)"
    r"|(?:同意|赞成)(?:率|比例)(?:为|达|是)?(\d+(?:\.\d+)?)%"
)
_COUNTING_START = {"UNIT", "AGAINST", "ABSTAIN", "PRESENT", "EXPECTED", "VOTE_LABEL"}


@dataclass
class Reading:
    """What the text states, before any arithmetic: every value a role was given, in order."""

    stated: dict[str, list[int]] = field(default_factory=dict)
    rest: str | None = None  # the role said to take "the rest" (其余弃权)
    unanimous: bool = False
    percent: float | None = None
    vague_percent: bool = False  # 百分之九十以上: a decision, but no count to take from it
    subject: str | None = None
    decided: bool = False
    headcount: int | None = None  # "七个人" alone in its clause: those present, unless said otherwise

    def state(self, role: str, value: int) -> None:
        self.stated.setdefault(role, []).append(value)


def read(text: str) -> Reading:
    """Slots of a normalised text. Clock times are tagged TIME, so 19时34分 never counts as 34 people."""
    reading = Reading()
    tokens = _tagged(text)
    for clause in _clauses(tokens, split_on="、"):
        _read_counts(clause, reading)
    if "present" not in reading.stated and reading.headcount is not None:
        reading.state("present", reading.headcount)
    _read_percent(text, reading)
    reading.subject = _subject(text, tokens)
    said_a_vote = reading.unanimous or reading.percent is not None or reading.vague_percent or "agree" in reading.stated
    reading.decided = bool(reading.subject or said_a_vote or _has_decision_verb(tokens))
    if not reading.decided:
        reading.subject = None
    return reading


def _has_decision_verb(tokens: list[Token]) -> bool:
    return any(t in _DECIDING and not _negated(tokens, i) for i, (_, t) in enumerate(tokens))


def _tagged(text: str) -> list[Token]:
    """jieba's words with their tags; words inside a clock time are tagged TIME."""
    times = [match.span() for match in TIME_RE.finditer(text)]
    tokens, offset = [], 0
    for word in words(text, hmm=False):  # no guessing of unknown words: twice as fast, same slots
        inside = any(start <= offset < end for start, end in times)
        tokens.append((word, "TIME" if inside else tag(word)))
        offset += len(word)
    return tokens


def _clauses(tokens: list[Token], split_on: str = "", end: re.Pattern = _CLAUSE_END) -> list[list[Token]]:
    clauses, current = [], []
    for token in tokens:
        if end.fullmatch(token[0]) or token[0] in split_on:
            clauses.append(current)
            current = []
        else:
            current.append(token)
    return [c for c in clauses + [current] if c]


# --- counts ------------------------------------------------------------------------------------
def _read_counts(clause: list[Token], reading: Reading) -> None:
    numbers = [i for i, (_, t) in enumerate(clause) if t == "NUM" and _countable(clause, i)]
    roles = [i for i, (_, t) in enumerate(clause) if t in ROLES]
    if len(numbers) == 1 and not roles and _only_a_headcount(clause, numbers[0]):
        reading.headcount = int(clause[numbers[0]][0])
    bound = set() if _of_total(clause, numbers, roles, reading) else _bind(clause, numbers, roles, reading)
    _read_markers(clause, bound, reading)


def _bind(clause: list[Token], numbers: list[int], roles: list[int], reading: Reading) -> set[int]:
    """Tie each number to a role word, looking first the way the clause reads: a clause that
    starts with a number (18票赞成2票反对) puts numbers before their words."""
    number_first = bool(numbers and roles and numbers[0] < roles[0])
    bound: set[int] = set()
    for i in numbers:
        role = _role_for(clause, i, 1 if number_first else -1, bound)
        role = role if role is not None else _role_for(clause, i, -1 if number_first else 1, bound)
        if role is not None:
            bound.add(role)
            reading.state(ROLES[clause[role][1]], int(clause[i][0]))
    return bound


def _read_markers(clause: list[Token], bound: set[int], reading: Reading) -> None:
    """无反对 (a 0), 其余弃权 (the remainder), 一致同意 / 全部同意 (everyone agreed)."""
    for i, (_, t) in enumerate(clause):
        if t in ("NONE", "REST"):
            role = _role_for(clause, i, 1, bound)
            if role is not None and t == "NONE":
                reading.state(ROLES[clause[role][1]], 0)
            elif role is not None:
                reading.rest = ROLES[clause[role][1]]
        elif t == "UNANIMOUS" or (t == "AGREE" and i and clause[i - 1][0] in _ALL_AGREE_MARKS):
            reading.unanimous = True


def _only_a_headcount(clause: list[Token], i: int) -> bool:
    """七个人 / 书记、主任等7人: people counted, nothing else said in the clause."""
    rest = [t for j, (_, t) in enumerate(clause) if j not in (i, i + 1)]
    return i + 1 < len(clause) and clause[i + 1][0] in _HEADCOUNT_UNITS and all(t == "FILLER" for t in rest)


def _of_total(clause: list[Token], numbers: list[int], roles: list[int], reading: Reading) -> bool:
    """五十个党员来了四十六个: a number before a PRESENT word and one after it are the total
    (应到) and those present."""
    if len(numbers) < 2 or not roles or clause[roles[0]][1] != "PRESENT" or not numbers[0] < roles[0] < numbers[1]:
        return False
    between = [t for _, t in clause[numbers[0] + 1:numbers[1]]]
    if any(t not in ("UNIT", "FILLER", "PRESENT") for t in between):
        return False
    reading.state("expected", int(clause[numbers[0]][0]))
    reading.state("present", int(clause[numbers[1]][0]))
    return True


def _negated(tokens: list[Token], i: int) -> bool:
    return i > 0 and tokens[i - 1][0] in NOT


def _countable(clause: list[Token], i: int) -> bool:
    """A number counts people or votes when a count unit, a role word or nothing follows it."""
    after = clause[i + 1][1] if i + 1 < len(clause) else "END"
    return after in ("UNIT", "END", "PUNCT", "FILLER") or after in ROLES


def _role_for(clause: list[Token], start: int, step: int, bound: set[int]) -> int | None:
    """The role word nearest `start` in direction `step`, past units and fillers only."""
    i, gap = start + step, 0
    while 0 <= i < len(clause) and gap <= _MAX_GAP:
        kind = clause[i][1]
        if kind in ROLES:
            return i if i not in bound else None
        if kind not in ("UNIT", "FILLER"):
            return None
        i, gap = i + step, gap + 1
    return None


def _read_percent(text: str, reading: Reading) -> None:
    match = _PERCENT.search(text)
    if match and match.group(2):
        reading.vague_percent = True
    elif match:
        reading.percent = float(match.group(1) or match.group(3))


# --- subject -----------------------------------------------------------------------------------
def _subject(text: str, tokens: list[Token]) -> str | None:
    about = _ABOUT.search(text)
    if about:
        return about.group(1).strip()
    clauses = _clauses(tokens, end=_SENTENCE_END)  # a space may stand between a verb and its object
    labelled = next((s for c in clauses if (s := _labelled(c))), None)
    if labelled:
        return labelled
    matter = None
    for clause in clauses:
        about = next((i for i, (word, _) in enumerate(clause) if word == "关于"), None)
        if about is not None and matter is None:  # 关于X，……通过
            matter = _object(clause[about + 1:])
        for i, (_, t) in enumerate(clause):
            if t == "DELIBERATE" and matter is None:
                matter = _object(clause[i + 1:]) or _object_before(clause, i)
            elif t in _DECIDING and not _negated(clause, i):
                decided = _object(clause[i if t == "ELECT" else i + 1:])
                if decided:
                    return f"{matter}：{decided}" if matter and matter != decided else decided
                matter = matter or _topic(clause[:i])
    return matter if any(t in _DECIDING for c in clauses for _, t in c) else None


def _topic(tokens: list[Token]) -> str | None:
    """修路集资方案通过了: the matter said before a verb that ends its clause."""
    after_label = max((i + 1 for i, (word, _) in enumerate(tokens) if word == ":"), default=0)
    tokens = tokens[after_label:]
    while tokens and tokens[-1][1] in ("FILLER", "PUNCT"):
        tokens = tokens[:-1]
    if any(t not in ("WORD", "FILLER", "LABEL") for _, t in tokens):
        return None
    return _object(tokens)


def _labelled(clause: list[Token]) -> str | None:
    for i, (word, t) in enumerate(clause[:-1]):
        if t == "LABEL" and clause[i + 1][0] in (":", "是", "为"):
            return _object(clause[i + 2:])
    return None


def _object_before(clause: list[Token], verb: int) -> str | None:
    """对X进行(了)审核: the matter stands between 对 and 进行."""
    words_before = [word for word, _ in clause[:verb]]
    if "对" not in words_before or "进行" not in words_before:
        return None
    start, end = words_before.index("对") + 1, words_before.index("进行")
    return _object(clause[start:end]) if start < end else None


def _object(tokens: list[Token]) -> str | None:
    """What a verb governs: the rest of its clause up to a space, without leading fillers, verbs
    or 关于; None when that is a count (同意34票) rather than a matter."""
    skip = ("FILLER", "DECIDE", "AGREE", "UNANIMOUS", "DELIBERATE", "PUNCT")
    while tokens and (tokens[0][1] in skip and tokens[0][0] not in "《“\"(" or tokens[0][0] == "关于"):
        tokens = tokens[1:]
    if not tokens or tokens[0][1] in _COUNTING_START or tokens[0][0] in ("率", "%", "票", "比例"):
        return None
    if tokens[0][1] == "NUM" and _countable(tokens, 0):
        return None
    tokens = tokens[:next((i for i, (word, _) in enumerate(tokens) if not word.strip()), len(tokens))]
    text = "".join(word for word, _ in tokens).strip()
    text = re.sub(r"的(?:决议|议案|事|提议|请示)$", "", text)
    return text if len(text) >= 3 else None
