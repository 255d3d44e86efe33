"""The attendance demo scene runs through the console adapter and shows each step's answer."""

import io

from bot.demo.attendance import run_scene


def test_demo_scene_shows_leave_correction_reminder_and_table(world, clock):
    clock.set(clock.now().replace(hour=8, minute=20))  # Tue 24 Nov 2026, before the reminder
    out = io.StringIO()
    run_scene(world.app, clock, out)
    transcript = out.getvalue()
    assert "📝 请假申请 #1：李秀英 11月25日—11月26日（2 个工作日），事由：参加县里培训" in transcript
    assert "✅ 请假 #1 已批准：@李秀英" in transcript
    assert "✅ 已为 王伟 补卡：11月23日（原为未打卡）" in transcript
    assert "⏰ 今天（11月24日）还有 4 人未打卡" in transcript
    assert "📊 雅庄村 2026年11月考勤（截至11月24日，应出勤 17 天）" in transcript
