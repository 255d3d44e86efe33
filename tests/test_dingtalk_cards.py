"""DingTalk tap cards on loopback: a vote opened by a typed /表决 goes out as an interactive card
(createAndDeliver, callbackType STREAM); a tap arrives as a card callback frame on the Stream
stand-in, is acked, counts like a typed /同意 and redraws the card (PUT /v1.0/card/instances)."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.platform_config import DingTalkSettings, OutboxSettings
from bot.serve import Server
from storage.models import Ballot
from tests.standins import until
from tests.test_dingtalk_loopback import chatbot_frame


@pytest.fixture
def app(settings, clock, standin):
    dingtalk = DingTalkSettings(enabled=True, client_id="ding-app", client_secret="s3cret", api_base=standin.base,
                                card_template_id="tpl-cadre-card")
    application = build_app(
        settings.model_copy(update={"dingtalk": dingtalk, "outbox": OutboxSettings(poll_seconds=0.05)}),
        clock=clock, migrate_db=False,
    )
    yield application
    application.close()


@pytest.fixture
async def server(app, world, standin):
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    await asyncio.wait_for(standin.connected.wait(), 10)
    yield bot
    await bot.stop()


def card_frame(frame_id: str, out_track_id: str, command: str, user: str) -> dict:
    data = {
        "outTrackId": out_track_id,
        "corpId": "ding-corp",
        "userId": user,
        "spaceType": "IM_GROUP",
        "spaceId": "dt-lianhu",
        "type": "actionCallback",
        "content": json.dumps({"cardPrivateData": {"actionIds": ["tap"], "params": {"command": command}}}),
    }
    headers = {"appId": "app-1", "connectionId": "conn-1", "contentType": "application/json",
               "messageId": frame_id, "time": "1795000000000", "topic": "/v1.0/card/instances/callback"}
    return {"specVersion": "1.0", "type": "CALLBACK", "headers": headers, "data": json.dumps(data)}


def ballots(app) -> int:
    with app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count(Ballot.id)))


async def deliver(server):
    await asyncio.to_thread(server.inbox.join)
    return await asyncio.to_thread(server.worker.run_once)


async def test_the_stream_client_subscribes_to_card_callbacks(server, standin):
    assert {"type": "CALLBACK", "topic": "/v1.0/card/instances/callback"} in standin.subscriptions


async def test_a_vote_is_a_card_and_a_tap_votes_and_redraws_it(server, standin, app):
    await standin.push(chatbot_frame(standin, "f-open", "m-open", "/表决 是否同意修建村道"))
    await until(lambda: standin.acks)
    await deliver(server)
    [created] = standin.sent("/v1.0/card/instances/createAndDeliver")
    assert created.body["cardTemplateId"] == "tpl-cadre-card"
    assert created.body["callbackType"] == "STREAM"
    assert created.body["openSpaceId"] == "dtv1.card//IM_GROUP.dt-lianhu"
    params = created.body["cardData"]["cardParamMap"]
    assert params["title"] == "表决 #1"
    assert [b["command"] for b in json.loads(params["buttons"])] == ["/同意", "/反对", "/弃权"]

    track = created.body["outTrackId"]
    await standin.push(card_frame("tap-frame-1", track, "/同意", "zhaol"))
    await until(lambda: len(standin.acks) == 2)
    assert standin.acks[-1]["headers"]["messageId"] == "tap-frame-1"
    await until(lambda: ballots(app) == 1)
    await deliver(server)
    said = [json.loads(c.body["msgParam"])["content"] for c in standin.sent("/v1.0/robot/groupMessages/send")]
    assert said == ["✅ 赵磊：同意（已投 1/2）"]
    [redrawn] = [c for c in standin.sent("/v1.0/card/instances") if c.path == "/v1.0/card/instances"]
    assert redrawn.body["outTrackId"] == track
    assert redrawn.body["cardData"]["cardParamMap"]["text"] == "是否同意修建村道\n同意 1 · 反对 0 · 弃权 0（已投 1/2）"


async def test_the_same_tap_frame_twice_counts_once(server, standin, app):
    await standin.push(chatbot_frame(standin, "f-open", "m-open", "/表决 是否同意修建村道"))
    await until(lambda: standin.acks)
    await deliver(server)
    [created] = standin.sent("/v1.0/card/instances/createAndDeliver")
    for _ in range(2):
        await standin.push(card_frame("tap-frame-same", created.body["outTrackId"], "/反对", "zhaol"))
    await until(lambda: len(standin.acks) == 3)
    await deliver(server)
    assert ballots(app) == 1
    said = [json.loads(c.body["msgParam"])["content"] for c in standin.sent("/v1.0/robot/groupMessages/send")]
    assert said == ["✅ 赵磊：反对（已投 1/2）"]


async def test_without_a_card_template_the_vote_is_plain_text(server, standin, app):
    app.settings.dingtalk.card_template_id = ""  # the sender reads the same settings object
    await standin.push(chatbot_frame(standin, "f-open", "m-open", "/表决 是否同意修建村道"))
    await until(lambda: standin.acks)
    await deliver(server)
    assert standin.sent("/v1.0/card/instances") == []
    [call] = standin.sent("/session/m-open")
    assert call.body["text"]["content"].startswith("🗳 表决 #1：是否同意修建村道")
