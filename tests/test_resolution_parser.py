"""The free-text resolution parser, as a readable table: what a secretary writes → what the bot
understands. Columns: present, (start, end), (agree, against, abstain), subject."""

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from handlers.resolution_parser import normalise, parse_free_text, parse_structured, parse_time, set_field

T = time
ROOT = Path(__file__).resolve().parent.parent
KINDERGARTEN = (
    "今晚19时召开党员和村民代表会议，34人参加，19时34分结束，"
    "100%同意将村里3000余平方米集体土地用于筹建公办幼儿园"
)

PHRASINGS = [
    (KINDERGARTEN, 34, (T(19, 0), T(19, 34)), (34, 0, 0), "将村里3000余平方米集体土地用于筹建公办幼儿园"),
    ("今晚七点召开党员和村民代表会议，三十四人参加，七点三十四分结束，百分之百同意将村里三千余平方米集体土地用于筹建公办幼儿园",
     34, (T(19, 0), T(19, 34)), (34, 0, 0), "将村里3000余平方米集体土地用于筹建公办幼儿园"),
    ("今晚１９：００召开村民代表会议，３４人参加，１９：３４结束，１００％同意修建村东道路",
     34, (T(19, 0), T(19, 34)), (34, 0, 0), "修建村东道路"),
    ("晚上7点半召开两委会议，12人参加，8点10分结束，一致同意购置村部办公电脑",
     12, (T(19, 30), T(20, 10)), (12, 0, 0), "购置村部办公电脑"),
    ("下午3点召开党员大会，到会党员45人，下午4点20分散会，同意40票，反对3票，弃权2票，通过了关于村集体经济合作社章程修订的决议",
     45, (T(15, 0), T(16, 20)), (40, 3, 2), "村集体经济合作社章程修订"),
    ("19:00-19:34召开党员和村民代表会议，实到34人，全票通过将村里3000余平方米集体土地用于筹建公办幼儿园",
     34, (T(19, 0), T(19, 34)), (34, 0, 0), "将村里3000余平方米集体土地用于筹建公办幼儿园"),
    ("今天上午9时召开村民代表会议，应到30人，实到28人，10时15分结束，以25票赞成、2票反对、1票弃权通过村道硬化项目安排",
     28, (T(9, 0), T(10, 15)), (25, 2, 1), "村道硬化项目安排"),
    ("晚上八点召开党员大会，出席党员共五十二名，九点结束，五十票同意，一票反对，一票弃权，同意推选王伟为村务监督委员会主任",
     52, (T(20, 0), T(21, 0)), (50, 1, 1), "推选王伟为村务监督委员会主任"),
    ("今晚19点在村部召开两委会，参会9人，20点结束，全体同意拨付防汛应急资金5万元",
     9, (T(19, 0), T(20, 0)), (9, 0, 0), "拨付防汛应急资金5万元"),
    ("18时30分召开村民代表会议，26名村民代表参加，19时10分结束，无异议通过村规民约修订稿",
     26, (T(18, 30), T(19, 10)), (26, 0, 0), "村规民约修订稿"),
    ("晚上7:00召开党员和村民代表会议，参加人数40人，7:45结束，同意36人、反对2人、弃权2人，同意将旧村小学校舍出租用于来料加工",
     40, (T(19, 0), T(19, 45)), (36, 2, 2), "将旧村小学校舍出租用于来料加工"),
    ("今晚十九时召开党员和村民代表会议，三十四名代表参加，十九时三十四分结束，百分之百同意筹建公办幼儿园",
     34, (T(19, 0), T(19, 34)), (34, 0, 0), "筹建公办幼儿园"),
    ("上午10点召开村两委联席会议，11人参加，11点结束，11票全部同意，同意聘请村级财务代理会计",
     11, (T(10, 0), T(11, 0)), (11, 0, 0), "聘请村级财务代理会计"),
    ("晚上7点至8点半召开党员大会，实到党员38人，同意35票，反对0票，弃权3票，通过关于调整村民小组长的决议",
     38, (T(19, 0), T(20, 30)), (35, 0, 3), "调整村民小组长"),
    ("今晚20:00召开村民代表会议，到会代表22人，20:50会议结束，全票同意实施农村生活污水治理项目",
     22, (T(20, 0), T(20, 50)), (22, 0, 0), "实施农村生活污水治理项目"),
    ("中午12点召开两委紧急会议，7人参加，12点40分结束，一致同意启动突发事件应急预案转移山塘下游群众",
     7, (T(12, 0), T(12, 40)), (7, 0, 0), "启动突发事件应急预案转移山塘下游群众"),
    ("下午两点召开党员和村民代表会议，二十八人参加，下午三点半结束，同意二十六票，反对一票，弃权一票，同意将村集体闲置厂房对外招租",
     28, (T(14, 0), T(15, 30)), (26, 1, 1), "将村集体闲置厂房对外招租"),
    ("晚上7时召开村民代表会议，与会代表31名，晚上8时散会，赞成29票，不同意1票，弃权1票，通过村庄规划调整方案",
     31, (T(19, 0), T(20, 0)), (29, 1, 1), "村庄规划调整方案"),
    ("今晚7点召开党员大会，共有40人参会，8点结束，40票同意，无反对，无弃权，同意发展对象李明转为预备党员",
     40, (T(19, 0), T(20, 0)), (40, 0, 0), "发展对象李明转为预备党员"),
    ("19时召开党员和村民代表会议 参会34人 19时34分结束 一致同意将3000平方米集体土地用于筹建公办幼儿园",
     34, (T(19, 0), T(19, 34)), (34, 0, 0), "将3000平方米集体土地用于筹建公办幼儿园"),
    ("今天晚上七点钟召开村民代表会议，实到25人，八点结束，同意率100%，同意修缮村文化礼堂",
     25, (T(19, 0), T(20, 0)), (25, 0, 0), "修缮村文化礼堂"),
    ("上午8:30召开两委会议，8人参加，9:00结束，同意8票，反对0票，弃权0票，决定使用大额资金20万元修建机耕路",
     8, (T(8, 30), T(9, 0)), (8, 0, 0), "使用大额资金20万元修建机耕路"),
]


@pytest.mark.parametrize("text, present, times, votes, subject", PHRASINGS, ids=[f"p{i:02d}" for i in range(len(PHRASINGS))])
def test_phrasing_parses_to_fields(text, present, times, votes, subject):
    parsed = parse_free_text(text)
    assert (parsed.present, (parsed.start, parsed.end), (parsed.agree, parsed.against, parsed.abstain), parsed.subject) == (
        present, times, votes, subject
    )
    assert parsed.missing() == []


MISSING = [
    ("今晚召开党员和村民代表会议，34人参加，一致同意筹建公办幼儿园", ["开始时间", "结束时间"]),
    ("今晚19时召开村民代表会议，19时34分结束，一致同意筹建公办幼儿园", ["实到人数"]),
    ("今晚19时召开村民代表会议，34人参加，19时34分结束，会上讨论了筹建公办幼儿园", ["决议事项", "表决结果"]),
    ("今晚19时召开两委会议，9人参加，20时结束，同意9票", ["决议事项"]),
]


@pytest.mark.parametrize("text, missing", MISSING)
def test_phrasing_missing_a_field_says_which(text, missing):
    assert parse_free_text(text).missing() == missing


def test_percentage_below_100_gives_the_agreeing_count_and_leaves_the_rest_unknown():
    parsed = parse_free_text("今晚19时召开村民代表会议，40人参加，20时结束，95%同意修建村道")
    assert (parsed.agree, parsed.against, parsed.abstain) == (38, None, None)


def test_chinese_numerals_become_digits_only_where_they_count_something():
    assert normalise("这件事十分重要，一致同意三会一课安排") == "这件事十分重要,一致同意三会一课安排"
    assert normalise("七点十分，三十四人，百分之九十五") == "7点10分,34人,95%"


@pytest.mark.parametrize(
    "text, expected",
    [("19:00", T(19, 0)), ("19时34分", T(19, 34)), ("晚上7点半", T(19, 30)), ("十九点", T(19, 0)), ("明天", None)],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_structured_forms():
    piped = parse_structured("筹建公办幼儿园 | 应到34 实到34 | 同意34 反对0 弃权0 | 19:00-19:34")
    keyed = parse_structured("主题:筹建公办幼儿园 应到:34 实到:34 同意:34 反对:0 弃权:0 开始:19:00 结束:19:34")
    assert piped == keyed
    assert (piped.subject, piped.expected, piped.present, piped.agree, piped.start, piped.end) == (
        "筹建公办幼儿园", 34, 34, 34, T(19, 0), T(19, 34)
    )


def test_set_field_fills_what_was_missing():
    parsed = parse_free_text("今晚召开两委会议，9人参加，一致同意修建村道")
    parsed = set_field(set_field(parsed, "开始", "19:00"), "结束", "19时40分")
    assert parsed.missing() == [] and parsed.end == T(19, 40)
    with pytest.raises(ValueError):
        set_field(parsed, "颜色", "红")


def test_correcting_attendance_reapplies_a_percentage():
    parsed = set_field(parse_free_text(KINDERGARTEN), "实到", "33人")
    assert (parsed.present, parsed.agree, parsed.against, parsed.abstain) == (33, 33, 0, 0)


def test_importing_the_bot_does_not_load_jiebas_dictionary():
    code = (
        "import bot.app, jieba, handlers.segmenter as s; "
        "assert s._tokenizer is None and not jieba.dt.initialized; "
        "s.words('村民代表'); t = s._tokenizer; s.words('两委'); assert s._tokenizer is t; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "ok", done.stderr
