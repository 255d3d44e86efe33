"""`cadrebot board poster`: a printable A4 page with the village's name and a QR code that
encodes its 公开栏 address (checked module by module against segno's own matrix)."""

import segno
from PIL import Image

from bot.cli import main

URL = "https://cunwu.example.cn"


def _qr_matches(image: Image.Image, text: str) -> bool:
    """Find the dark square between the title band and the footer, sample each module's centre."""
    band = image.convert("RGB").crop((0, 380, image.width, image.height - 300))
    dark = band.point(lambda v: 255 if v < 80 else 0).convert("L")  # per channel: black stays black
    dark = dark.point(lambda v: 255 if v == 255 else 0)
    left, top, right, bottom = dark.getbbox()
    matrix = segno.make(text, error="m", micro=False).matrix
    size = len(matrix)
    module = (right - left) / size
    return all(
        (dark.getpixel((int(left + (x + 0.5) * module), int(top + (y + 0.5) * module))) == 255) == bool(matrix[y][x])
        for y in range(size) for x in range(size)
    )


def test_poster_png_has_the_qr_code_of_the_village_page(world, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("CADREBOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CADREBOT_BOARD__PUBLIC_URL", URL + "/")
    out = tmp_path / "雅庄村.png"
    assert main(["board", "poster", "--village", "雅庄村", "--out", str(out)]) == 0
    image = Image.open(out)
    assert image.size == (1240, 1754)
    assert _qr_matches(image, f"{URL}/board/v/{world.villages['雅庄村']}")
    assert not _qr_matches(image, f"{URL}/board/v/{world.villages['莲湖村']}")


def test_poster_pdf_and_the_errors_a_user_can_fix(world, settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CADREBOT_DATABASE_URL", settings.database_url)
    assert main(["board", "poster", "--village", "雅庄村", "--out", str(tmp_path / "a.png")]) == 2
    assert "请先在配置里设置公开栏地址" in capsys.readouterr().err
    monkeypatch.setenv("CADREBOT_BOARD__PUBLIC_URL", URL)
    assert main(["board", "poster", "--village", "桃源村", "--out", str(tmp_path / "a.png")]) == 2
    assert "数据库里没有「桃源村」" in capsys.readouterr().err
    out = tmp_path / "雅庄村.pdf"
    assert main(["board", "poster", "--village", "雅庄村", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
