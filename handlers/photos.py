"""One path for every photo a cadre sends (minutes pages, notebook pages): fetch it through the
platform's fetcher (already downloaded off the hot path by the inbox's media lane), check it with
Pillow (type by content, size and pixel caps — an SVG or a PDF is refused), store it by hash with a
thumbnail, and return its `media_files` row."""

from __future__ import annotations

from bot.errors import UserError
from bot.media import MediaTooLarge, MediaUnavailable
from storage.files import FileStore, ImageRejected
from storage.models import MediaFile
from storage.repositories import ResolutionRepository

REJECTED = "❌ 图片没有保存：{reason}"
DOWNLOAD_FAILED = "❌ 图片下载失败，请重新发送。"
TOO_LARGE = "图片太大，上限 {mb} MB"

__all__ = ["keep_photo"]


def keep_photo(ctx, attachment) -> MediaFile:
    """Download, check and keep one photo; a bad file raises UserError so nothing is stored."""
    settings = ctx.settings.resolutions
    try:
        data = ctx.fetch_attachment(attachment)
    except MediaTooLarge as error:
        raise UserError(REJECTED.format(reason=TOO_LARGE.format(mb=settings.max_image_bytes // 1048576))) from error
    except MediaUnavailable as error:
        raise UserError(DOWNLOAD_FAILED) from error
    store = FileStore(
        ctx.settings.data_dir / "media", max_bytes=settings.max_image_bytes, thumbnail_px=settings.thumbnail_px,
        max_pixels=settings.max_image_pixels,
    )
    try:
        stored = store.store_image(data)
    except ImageRejected as error:
        raise UserError(REJECTED.format(reason=error)) from error
    repository = ResolutionRepository(ctx.session)
    return repository.media_by_sha(stored.sha256) or repository.add(
        MediaFile(
            sha256=stored.sha256, content_type=stored.content_type, size=stored.size, width=stored.width,
            height=stored.height, path=stored.path, thumbnail_path=stored.thumbnail_path, created_at=ctx.now(),
        )
    )
