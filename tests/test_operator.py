"""What an operator sees: an unknown group's chat id with the `[[groups]]` lines to add (in the log
once, and as a Chinese hint to an admin who @s the bot there), and `cadrebot outbox` / `inbox`."""

from __future__ import annotations

import logging

from bot.cli import main
from bot.messages import Reply
from bot.outbox import OutboxWriter
from storage.models import OutboxMessage
from tests.factories import message


def test_an_unknown_group_is_logged_once_and_an_admin_gets_the_lines_to_add(app, world, clock, caplog):
    caplog.set_level(logging.INFO)
    chat = f"wx-new-{app.engine.dialect.name}"  # logged once per process: one id per database run
    first = app.dispatcher.handle(message("/打卡", sender="sunli", chat=chat, message_id="u-1", at=clock.now()))
    [hint] = first.replies
    assert hint.text.startswith("本群还没有登记")
    assert f'chat_id = "{chat}"' in hint.text and "[[groups]]" in hint.text
    app.dispatcher.handle(message("你好", sender="lixy", chat=chat, message_id="u-2", at=clock.now()))
    logged = [r for r in caplog.records if chat in r.getMessage()]
    assert len(logged) == 1 and 'platform = "wecom"' in logged[0].getMessage()


def _config(tmp_path, app) -> str:
    path = tmp_path / "operator.toml"
    path.write_text(f'database_url = "{app.settings.database_url}"\ndata_dir = "{tmp_path / "data"}"\n')
    return str(path)


def test_outbox_lists_what_was_not_sent_and_retries_or_dismisses_it(app, world, tmp_path, capsys):
    with app.unit_of_work() as uow:
        writer = OutboxWriter(uow.session, app.clock)
        for text in ("早会通知", "周报提醒"):
            writer.enqueue(Reply(text), platform="wecom", chat_id="wx-yazhuang")
        uow.commit()
        rows = uow.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
        rows[0].status, rows[0].last_status, rows[0].last_error = "uncertain", None, "no answer within 10 s"
        rows[1].status, rows[1].last_status, rows[1].last_error = "failed", 404, "HTTP 404: <html>"
        uow.commit()
        first, second = rows[0].id, rows[1].id
    config = _config(tmp_path, app)

    assert main(["outbox", "--config", config]) == 0
    listing = capsys.readouterr().out
    assert "不确定" in listing and "失败" in listing and "早会通知" in listing and "404 HTTP 404" in listing

    assert main(["outbox", "retry", "--uncertain", "--config", config]) == 0
    assert "已重新排队 1 条" in capsys.readouterr().out
    assert main(["outbox", "dismiss", str(second), "--reason", "群已解散", "--config", config]) == 0
    capsys.readouterr()
    with app.unit_of_work() as uow:
        assert uow.session.get(OutboxMessage, first).status == "pending"
        dismissed = uow.session.get(OutboxMessage, second)
        assert (dismissed.status, dismissed.last_error) == ("dismissed", "已忽略：群已解散")
    assert main(["outbox", "retry", str(second), "--config", config]) == 1


def test_inbox_shows_pending_and_rejected_messages(app, world, clock, tmp_path, capsys):
    import asyncio

    from bot.runtime import Inbox

    inbox = Inbox(app)
    inbox.intake.start()
    inbox.accept(message("/打卡", message_id="wx-waiting", at=clock.now()))
    asyncio.run(inbox.reject_async("dingtalk", "frame:f-1", "{not json", "JSONDecodeError: Expecting property name"))
    inbox.intake.stop()
    assert main(["inbox", "--config", _config(tmp_path, app)]) == 0
    out = capsys.readouterr().out
    assert "wx-waiting" in out and "排队中" in out
    assert "frame:f-1" in out and "无法读取" in out and "JSONDecodeError" in out
