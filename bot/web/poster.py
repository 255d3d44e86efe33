"""The printable 公开栏 poster: the village's name and a QR code of its page (segno), drawn with
Pillow on an A4 page at 150 dpi, saved as PNG or PDF (by the file's extension)."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

__all__ = ["NoChineseFont", "find_font", "render_poster", "save_poster"]

A4 = (1240, 1754)  # 210 × 297 mm at 150 dpi
RED, INK, GREY = (183, 28, 28), (34, 34, 34), (90, 90, 90)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
TITLE = "{village} 公开栏"
INVITE = "微信或手机相机扫码，查看本村考勤、会议、积分和公开的决议"
FOOT = "{township} · 村务助手"


class NoChineseFont(Exception):
    """No font with Chinese glyphs was found; the message (Chinese) says how to get one."""


def find_font(configured: str = "") -> str:
    for candidate in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise NoChineseFont("找不到中文字体：请安装 fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei），"
                        "或在配置 [board] font 里写上字体文件路径。")


def render_poster(village: str, township: str, url: str, font_path: str) -> Image.Image:
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    width = A4[0]
    draw.rectangle((0, 0, width, 230), fill=RED)
    _centred(draw, TITLE.format(village=village), 95, ImageFont.truetype(font_path, 110), "white")
    _centred(draw, INVITE, 330, ImageFont.truetype(font_path, 40), INK)
    code = _qr_image(url, 900)
    page.paste(code, ((width - code.width) // 2, 420))
    _centred(draw, url, 420 + code.height + 60, ImageFont.truetype(font_path, 34), GREY)
    _centred(draw, FOOT.format(township=township), A4[1] - 120, ImageFont.truetype(font_path, 44), INK)
    return page


def save_poster(image: Image.Image, out: str | Path) -> Path:
    path = Path(out)
    if path.suffix.lower() == ".pdf":
        image.save(path, "PDF", resolution=150)
    else:
        image.save(path, "PNG")
    return path


def _qr_image(url: str, size: int) -> Image.Image:
    """The QR code (error correction M, quiet zone of 4 modules) scaled to about `size` pixels."""
    code = segno.make(url, error="m", micro=False)
    modules = code.symbol_size(border=4)[0]
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=max(1, size // modules), border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _centred(draw: ImageDraw.ImageDraw, text: str, y: int, font, fill) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((A4[0] - (right - left)) / 2, y - (bottom - top) / 2), text, font=font, fill=fill)
