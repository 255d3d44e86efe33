"""The 公开栏 over real HTTP on 127.0.0.1: township page, published resolutions only, photos by
content hash without listing, and the admin view behind the township's secret token."""

import logging

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.serve import Server
from storage.models import MediaFile, PointsEntry
from tests.board_helpers import PLATFORM_IDS, PUBLISHED, UNPUBLISHED, fill_village
from tests.factories import add_village
from tests.query_count import reads, statements, touching

TOKEN = "s3cret-admin-token-芝英"


@pytest.fixture
async def server(app, world, clock, settings):
    settings.board.admin_tokens = {"芝英镇": SecretStr(TOKEN)}
    fill_village(world, clock)
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def get(server):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        async def fetch(path: str) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
            async with session.get(f"http://127.0.0.1:{server.port}{path}", allow_redirects=False) as response:
                body = await response.read()
                text = body.decode("utf-8", "replace")
                return response.status, text, response.headers
        yield fetch


async def test_township_page_lists_villages_meetings_and_published_resolutions(get, world):
    status, html, headers = await get(f"/board/t/{world.township_id}")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>芝英镇 公开栏</h1>" in html
    assert f'<a href="/board/v/{world.villages["雅庄村"]}">雅庄村</a>' in html
    assert PUBLISHED in html and UNPUBLISHED not in html
    assert "最后更新：<time>2026-11-24 08:40</time>" in html
    assert not [uid for uid in PLATFORM_IDS if uid in html]


async def test_only_published_resolutions_have_a_page(get):
    status, html, _ = await get("/resolutions/1")
    assert status == 200 and PUBLISHED in html and "会议记录照片" in html
    status, html, _ = await get("/resolutions/2")
    assert status == 404 and UNPUBLISHED not in html
    assert (await get("/board/v/999"))[0] == 404


async def test_photos_by_content_hash_and_nothing_else(get, app):
    with app.unit_of_work() as uow:
        media = uow.session.scalar(select(MediaFile))
    status, _, headers = await get(f"/media/{media.path}")
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and "immutable" in headers["Cache-Control"]
    assert (await get(f"/media/{media.thumbnail_path}"))[0] == 200
    for path in ("/media/", f"/media/{media.sha256[:2]}/", "/media/thumbs/", "/static/",
                 f"/media/{media.sha256[:2]}/{'0' * 64}.jpg", "/media/../cadrebot.sqlite3"):
        assert (await get(path))[0] == 404, path


async def test_admin_view_needs_the_townships_token_and_never_logs_it(get, caplog):
    caplog.set_level(logging.DEBUG)
    status, html, headers = await get(f"/board/admin/{TOKEN}")
    assert status == 200 and "芝英镇 管理视图" in html
    assert "多次无故缺岗" in html and "张建国" in html  # the entry and who scored it
    assert headers["Referrer-Policy"] == "no-referrer" and headers["Cache-Control"] == "no-store"
    assert (await get("/board/admin/wrong-token"))[0] == 404
    public = (await get("/board/v/1"))[1]
    assert "多次无故缺岗" not in public
    assert TOKEN not in caplog.text


async def test_the_link_the_bot_hands_out_opens_the_resolution(get, world, settings):
    settings.resolutions.public_url = "http://127.0.0.1:1/"
    reply = world.chat().reply("/积分", "lixy")
    assert reply.endswith(f"\n公开栏：http://127.0.0.1:1/board/v/{world.villages['雅庄村']}")
    status, html, _ = await get(f"/board/v/{world.villages['雅庄村']}")
    assert status == 200 and "李秀英" in html


async def test_pages_are_compressed_for_a_weak_connection(server, world):
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        url = f"http://127.0.0.1:{server.port}/board/v/{world.villages['雅庄村']}"
        async with session.get(url, headers={"Accept-Encoding": "gzip"}) as response:
            body = await response.read()
    assert response.headers["Content-Encoding"] == "gzip" and len(body) < 4000


async def test_points_on_the_page_follow_the_townships_choice(get, world, settings):
    from bot.points_config import TownshipPoints

    page = f"/board/v/{world.villages['雅庄村']}"
    points = (await get(page))[1].split('id="points"')[1]
    assert "<th>名次</th>" not in points and points.index("王伟") < points.index("陈静")  # roster order, no ranks
    settings.points.townships["芝英镇"] = TownshipPoints(rankings=True)
    points = (await get(page))[1].split('id="points"')[1]
    assert "<th>名次</th>" in points and points.index("王伟") > points.index("陈静")  # 89 ranks below 100
    settings.points.townships["芝英镇"] = TownshipPoints(enabled=False)
    assert 'id="points"' not in (await get(page))[1]


def test_the_admin_view_reads_the_ledger_in_the_same_queries_for_any_number_of_villages_and_entries(
    app, world, clock
):
    from bot.web.routes import Board

    fill_village(world, clock)
    board = Board(app)
    with statements(app.engine) as seen:
        assert "多次无故缺岗" in board.admin_html("芝英镇")
    few = reads(seen)
    for n in range(1, 5):
        add_village(world, f"新村{n}", [(f"新书记{n}", "书记"), *((f"新干部{n}-{i}", "村干部") for i in range(3))])
        for i in range(3):
            score(world, f"新干部{n}-{i}", by=f"新书记{n}", reason=f"新村{n}防汛值守{i}")
    with statements(app.engine) as seen:
        html = board.admin_html("芝英镇")
    assert "<h3>新村4</h3>" in html and "<td>新干部4-2</td><td>+3</td><td>志愿服务</td><td>新村4防汛值守2</td>" in html
    assert "<td>manual</td><td>新书记4</td>" in html
    assert reads(seen) == few


def score(world, name: str, *, by: str, reason: str) -> None:
    with world.app.unit_of_work() as uow:
        uow.session.add(PointsEntry(township_id=world.township_id, member_id=world.members[name], points=3,
                                    area="志愿服务", reason=reason, source="manual", created_by_id=world.members[by],
                                    day=world.app.clock.today(), created_at=world.app.clock.now()))
        uow.commit()


def test_the_township_page_reads_villages_and_relays_once_for_any_number_of_township_meetings(app, world, clock):
    from bot.web.routes import Board

    township = world.chat("wx-zhiying")
    township.reply("/会议 新建 2026-11-24 09:00 例会", "sunli")
    clock.advance(hours=2)  # 09:50
    world.chat().reply("/传达 1 已传达", "lixy")
    _, few = _relay_page(Board(app), world)
    for hour in (12, 13):
        township.reply(f"/会议 新建 2026-11-24 {hour}:00 例会{hour}", "sunli")
    clock.advance(hours=4)  # 13:50
    html, many = _relay_page(Board(app), world)
    assert html.count("传达：未传达 雅庄村、莲湖村") == 2 and html.count("传达：已传达 雅庄村；未传达 莲湖村") == 1
    assert many == few


def _relay_page(board, world) -> tuple[str, int]:
    with statements(world.app.engine) as seen:
        html = board.township_html(world.township_id)
    return html, touching(seen, "FROM villages", "FROM meeting_relays")
