"""The console demo scene runs one meeting cycle and shows the roll call."""

import io

from bot.demo.meetings import run_scene
from storage.models import Member
from storage.repositories import OrgRepository

VILLAGES = {
    "雅庄村": [("应建华", "书记"), ("楼秀芳", "村干部")],
    "莲湖村": [("刘洋", "书记"), ("赵磊", "村干部")],
    "王上店村": [("王志明", "书记")],
    "古塘里村": [("叶光明", "书记")],
}


def seed(app) -> None:
    with app.unit_of_work() as uow:
        org = OrgRepository(uow.session)
        township = org.get_or_create_township("芝英镇")
        uow.session.add(Member(township_id=township.id, name="吴晓峰", role="管理员", active=True))
        for village_name, people in VILLAGES.items():
            village = org.get_or_create_village(township, village_name)
            for name, role in people:
                uow.session.add(Member(township_id=township.id, village_id=village.id, name=name, role=role, active=True))
        uow.commit()


def test_demo_scene_shows_a_full_meeting_cycle(app, clock):
    seed(app)
    out = io.StringIO()
    run_scene(app, clock, out)
    transcript = out.getvalue()
    for expected in (
        "✅ 已安排会议 #1「两委例会」",
        "📅 会议提醒：1 天后召开「两委例会」",
        "📅 会议提醒：1 小时后召开「两委例会」",
        "✅ 应建华 14:05 签到成功",
        "⏰ 王志明 14:38 签到（迟到 8 分钟）",
        "应到 4 人｜实到 3 人｜迟到 1 人｜缺席 1 人｜请假 0 人",
        "王志明 迟到 8 分钟",
        "@叶光明",
        "笔记抽查",
        "笔记照片，谢谢",
        "✅ 雅庄村已传达「两委例会」",
        "⏰「两委例会」要求",
        "传达逾期",
    ):
        assert expected in transcript, expected
    assert transcript.count("点名（") == 1
