"""Addresses of the 公开栏 pages, and the line that ends a table reply when `public_url` is set."""

from __future__ import annotations

from bot.config import Settings

__all__ = ["page_line", "township_url", "village_url"]

PAGE_LINE = "\n公开栏：{url}"


def village_url(settings: Settings, village_id: int) -> str:
    return f"{settings.public_url}/board/v/{village_id}" if settings.public_url else ""


def township_url(settings: Settings, township_id: int) -> str:
    return f"{settings.public_url}/board/t/{township_id}" if settings.public_url else ""


def page_line(ctx, village_id: int | None = None, township_id: int | None = None) -> str:
    """"\n公开栏：<url>" of the village asked about (else the chat's village, else the township), or ''."""
    settings = ctx.settings
    if not settings.public_url:
        return ""
    village_id = village_id or (ctx.group.village_id if ctx.group else None) or (
        ctx.member.village_id if ctx.member else None)
    if village_id is not None:
        return PAGE_LINE.format(url=village_url(settings, village_id))
    township_id = township_id or (ctx.group.township_id if ctx.group else ctx.member.township_id if ctx.member else None)
    return PAGE_LINE.format(url=township_url(settings, township_id)) if township_id else ""
