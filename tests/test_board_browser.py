"""The village 公开栏 page as a villager's phone shows it: the bot's web server on 127.0.0.1,
opened in headless Chromium (Debian's `chromium`, driven by Playwright; `make test` installs it)."""

import re
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from bot.serve import Server
from tests.board_helpers import PLATFORM_IDS, PUBLISHED, UNPUBLISHED, fill_village

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def server(app, world, clock):
    fill_village(world, clock)
    bot = Server(app, host="127.0.0.1", port=0, scheduler=False, outbox_worker=False)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def phone():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make test installs it (apt-get install chromium)"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = await browser.new_page(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
        yield page
        await browser.close()


async def test_village_page_on_a_phone_shows_figures_and_nothing_private(server, phone, world, tmp_path):
    url = f"http://127.0.0.1:{server.port}/board/v/{world.villages['雅庄村']}"
    response = await phone.goto(url)
    assert response.status == 200
    assert await phone.title() == "雅庄村 公开栏"
    attendance = await phone.locator("#attendance tbody tr").all_inner_texts()
    assert [row.split("\t")[:3] for row in attendance] == [
        ["张建国", "1", "0"], ["李秀英", "1", "1"], ["王伟", "0", "0"], ["周敏", "0", "0"]]
    points = await phone.locator("#points tbody tr").all_inner_texts()
    assert "王伟\t村干部\t89\t★★☆☆☆\t🟡 黄色预警" in points
    assert await phone.locator("#points th", has_text="名次").count() == 0  # no ranking by default
    assert await phone.locator(".chart rect").count() >= 1
    resolution = phone.locator("#resolutions article")
    assert await resolution.count() == 1 and PUBLISHED in await resolution.inner_text()
    thumbnail = phone.locator("#resolutions img")
    assert await thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0  # served by content hash
    assert re.search(r"最后更新：\d{4}-\d\d-\d\d \d\d:\d\d", await phone.locator("footer").inner_text())
    shot = tmp_path / "village-390x844.png"
    await phone.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    html = await phone.content()
    assert UNPUBLISHED not in html
    assert not [uid for uid in PLATFORM_IDS if uid in html]
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", html)  # no mobile phone number
