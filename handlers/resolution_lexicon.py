"""The domain dictionary of the resolution reader: which word plays which part in a meeting report.

Every word a secretary uses for attendance, the vote, a decision or a label is listed here once,
with its tag. The reader (handlers/resolution_reader.py) only looks at tags, so a new phrasing is
usually one new word in one of these tuples. jieba learns all of them as unsplittable words
(handlers/segmenter.py), so "到会" or "赞成票" arrive as one token.

jieba's own part-of-speech tagger costs about 1.5 ms a text (measured on the kindergarten text);
tagging by this dictionary on top of plain segmentation costs nothing and knows the township.
"""

from __future__ import annotations

__all__ = ["LEXICON", "tag", "words_to_learn"]

# --- counts: a number is tied to the nearest of these, before or after it ---------------------
AGREE = ("同意", "赞成", "支持", "同意票", "赞成票", "同意的", "赞成的", "举手同意", "表决同意", "得票")
AGAINST = ("反对", "不同意", "不赞成", "反对票", "不同意票", "反对的", "不同意的")
ABSTAIN = ("弃权", "弃权票", "弃权的")
PRESENT = (
    "实到", "实到人数", "实到会", "参加", "参会", "参会人数", "参加人数", "出席", "到会", "与会", "到场",
    "实际参会", "实际到会", "来了", "到了", "都来了", "都到了", "全部参加", "都参加了", "参加会议",
    "全到", "到齐", "都在", "全部到会",
)
EXPECTED = ("应到", "应到人数", "应到会", "应参会", "应出席", "应参加")
ABSENT = ("缺席", "请假", "未到", "因事请假", "因病请假", "缺会")

# --- whole-vote phrases and markers -------------------------------------------------------------
UNANIMOUS = (
    "一致同意", "全票通过", "全票同意", "一致通过", "全体同意", "全部同意", "全票赞成", "无异议",
    "全部赞成", "全体赞成", "全员同意", "都同意", "大家都同意", "一致赞成", "全票", "全体通过", "无异议通过",
    "一致认为", "没有意见", "无意见", "没意见",
)
NONE_OF = ("无", "没有", "无人", "没人", "没有人")  # 无反对, 无人弃权: that count is 0
REST = ("其余", "其他", "剩下", "剩余", "其余的")  # 其余弃权: whatever the stated counts leave
UNITS = ("人", "名", "位", "票", "张", "个", "户", "个人")  # jieba reads 6个人 as 6 + 个人

# --- the decision and its subject ---------------------------------------------------------------
DECIDE = (
    "通过", "同意", "赞成", "决定", "议定", "研究决定", "表决通过", "审议通过", "讨论通过", "通过了",
    "一致同意", "全票通过", "一致通过", "无异议通过", "全票同意", "全体同意", "全部同意", "全票赞成",
    "批准", "确定", "定了",
)
NOT = ("没", "没有", "未", "不", "暂不", "还没", "尚未")  # 没定, 暂不表决: no decision
ELECT = ("选举", "选举产生", "推选", "推荐", "选举产生了", "推选出")  # the verb stays in the subject
DELIBERATE = ("研究", "讨论", "审议", "商议", "研究了", "讨论了", "审议了", "表决", "审核", "审查")
VOTE_LABELS = ("表决结果", "结果", "表决情况", "投票结果")
SUBJECT_LABELS = (
    "事项", "议题", "主题", "内容", "主要内容", "议定事项", "决议事项", "会议议题", "表决事项", "决议内容",
)
# Between a role word and its number only these may stand ("出席党员共52名", "26名村民代表参加").
FILLERS = (
    "的", "为", "是", ":", "共", "有", "共有", "计", "共计", "合计", "达", "以", "了", "中", "都", "均",
    "全部", "全体", "一致", "人数", "票数", "党员", "代表", "村民代表", "人员", "成员", "班子成员",
    "支委", "委员", "户代表", "小组长", "组长", "两委", "干部", "村干部", "举手", "及", "和", "等",
    "书记", "主任", "会议", "大会", "会上", "获得", "获", "予以", "已", "被", "均已",
)

LEXICON: dict[str, str] = {}
for _tag, _words in (
    ("FILLER", FILLERS), ("UNIT", UNITS), ("DELIBERATE", DELIBERATE), ("DECIDE", DECIDE), ("ELECT", ELECT),
    ("LABEL", SUBJECT_LABELS), ("VOTE_LABEL", VOTE_LABELS), ("REST", REST), ("NONE", NONE_OF), ("UNANIMOUS", UNANIMOUS),
    ("ABSENT", ABSENT), ("EXPECTED", EXPECTED), ("PRESENT", PRESENT), ("ABSTAIN", ABSTAIN),
    ("AGAINST", AGAINST), ("AGREE", AGREE),
):
    LEXICON.update(dict.fromkeys(_words, _tag))  # later tuples win: 同意 is AGREE, not only DECIDE
ROLES = {"AGREE": "agree", "AGAINST": "against", "ABSTAIN": "abstain", "PRESENT": "present",
         "EXPECTED": "expected", "ABSENT": "absent"}


def tag(token: str) -> str:
    """The part a token plays: a role (AGREE, PRESENT, …), NUM, PUNCT, or WORD for anything else."""
    if token.isdigit():
        return "NUM"
    if token in LEXICON:
        return LEXICON[token]
    if len(token) > 2 and LEXICON.get(token[:2]) in ROLES:  # 与会代表, 参会人员: a role word leads
        return LEXICON[token[:2]]
    if not token.strip() or token in ",;。!?\n、()[]《》“”\"'":
        return "PUNCT"
    return "WORD"


def words_to_learn() -> tuple[str, ...]:
    """Multi-character entries jieba must keep whole."""
    return tuple(word for word in LEXICON if len(word) > 1)
