"""The typed argument specs: what each reads, what it refuses, and the year-end rollover."""

from datetime import date, time, timedelta

import pytest

from bot.contract import AnyOf, ArgError, Choice, Date, Duration, Id, Month, Name, Text, Time, parse_args

DEC_28 = date(2026, 12, 28)


@pytest.mark.parametrize(
    "typed, day",
    [
        ("1-5", date(2027, 1, 5)),  # 28 December: early January is next year's
        ("12-20", date(2026, 12, 20)),
        ("１２月３号", date(2026, 12, 3)),
        ("2026年11月25日", date(2026, 11, 25)),
        ("十一月二十五日", date(2026, 11, 25)),
        ("明天", date(2026, 12, 29)),
        ("20270105", date(2027, 1, 5)),
    ],
)
def test_dates_in_the_forms_cadres_type(typed, day):
    assert Date("d", "日期").convert(typed, DEC_28) == day


def test_a_date_in_early_january_looks_back_to_december():
    assert Date("d", "日期").convert("12-30", date(2027, 1, 3)) == date(2026, 12, 30)


@pytest.mark.parametrize("typed", ["0000-01", "2026-02-30", "13-01", "下周", "１２３４５"])
def test_impossible_dates_are_refused(typed):
    with pytest.raises(ArgError):
        Date("d", "日期").convert(typed, DEC_28)


def test_dates_out_of_range_are_refused_with_the_range():
    with pytest.raises(ArgError, match="超出范围"):
        Date("d", "日期").convert("9999-12-31", DEC_28)


@pytest.mark.parametrize("typed, value", [("12", 12), ("#12", 12), ("＃１２", 12), ("１", 1)])
def test_ids(typed, value):
    assert Id("r", "编号").convert(typed, DEC_28) == value


@pytest.mark.parametrize("typed", ["²", "①", "0", "-1", "1" * 25, "2147483648", "一"])
def test_ids_refused(typed):
    with pytest.raises(ArgError, match="不是编号"):
        Id("r", "编号").convert(typed, DEC_28)


@pytest.mark.parametrize(
    "typed, value",
    [("14:30", time(14, 30)), ("14：30", time(14, 30)), ("14点", time(14)), ("下午3点半", time(15, 30)),
     ("晚上8点", time(20)), ("十四点", time(14))],
)
def test_times(typed, value):
    assert Time("t", "时间").convert(typed, DEC_28) == value


@pytest.mark.parametrize("typed", ["25:00", "3", "14:61", "abc"])
def test_times_refused(typed):
    with pytest.raises(ArgError):
        Time("t", "时间").convert(typed, DEC_28)


def test_durations_and_their_limit():
    spec = Duration("d", "时长", max_minutes=600)
    assert spec.convert("30分钟", DEC_28) == timedelta(minutes=30)
    assert spec.convert("半小时", DEC_28) == timedelta(minutes=30)
    with pytest.raises(ArgError, match="超出范围"):
        spec.convert("99999999999分钟", DEC_28)


def test_months():
    spec = Month("m", "月份")
    assert spec.convert("10月", DEC_28) == (2026, 10)
    assert spec.convert("2026-11", DEC_28) == (2026, 11)
    assert spec.convert("上月", date(2027, 1, 5)) == (2026, 12)
    with pytest.raises(ArgError):
        spec.convert("0000-01", DEC_28)


def test_names_are_normalised_and_limited():
    spec = Name("n", "姓名", max_len=4)
    assert spec.convert("王\u200b伟", DEC_28) == "王伟"
    with pytest.raises(ArgError, match="姓名太长了"):
        spec.convert("欧阳娜娜娜娜", DEC_28)


def test_parse_fills_optional_keyword_and_greedy_arguments():
    specs = (
        Date("start", "开始日期"), Date("end", "结束日期", optional=True), Text("reason", "事由", max_len=10),
    )
    assert parse_args(specs, "11-25 参加 培训", DEC_28) == {"start": date(2026, 11, 25), "end": None, "reason": "参加 培训"}
    deadline = AnyOf("deadline", "截止", key=("截止",), optional=True, choices=(Time("t"), Duration("d")))
    params = parse_args((Text("q", "问题"), deadline), "是否修路 截止 30分钟", DEC_28)
    assert params.q == "是否修路" and params.deadline == timedelta(minutes=30)
    either_order = (Choice("scope", "范围", optional=True, values={"全村": "v"}), Month("month", "月份", optional=True))
    assert parse_args(either_order, "10月 全村", DEC_28) == {"scope": "v", "month": (2026, 10)}


def test_extra_words_are_named_in_a_short_excerpt():
    with pytest.raises(ArgError, match="多了「" + "字" * 16 + "…」"):
        parse_args((Id("r", "编号"),), "1 " + "字" * 500, DEC_28)
