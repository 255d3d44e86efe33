"""A content-addressed file store for images (minutes photos): checked with Pillow, stored once
under `<data_dir>/media/<sha256[:2]>/<sha256>.<ext>` with a JPEG thumbnail under `thumbs/`.

Files are written before the database row commits; if the transaction rolls back the file stays,
which is harmless: the same bytes map to the same path and are reused next time.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

__all__ = ["FileStore", "ImageRejected", "StoredImage"]

# Types we accept, by what Pillow finds in the bytes (never by the file name).
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "GIF": ("image/gif", "gif"),
           "WEBP": ("image/webp", "webp"), "BMP": ("image/bmp", "bmp")}


class ImageRejected(Exception):
    """Not an image we keep; the message (Chinese) says why."""


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    content_type: str
    size: int
    width: int
    height: int
    path: str  # relative to the store's root
    thumbnail_path: str


class FileStore:
    def __init__(self, root: Path, *, max_bytes: int, thumbnail_px: int = 320, max_pixels: int = 50_000_000) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.thumbnail_px = thumbnail_px

    def check_image(self, data: bytes) -> StoredImage:
        """Validate without writing anything: size limit, a real image of an accepted type."""
        if len(data) > self.max_bytes:
            raise ImageRejected(f"图片太大（{len(data) / 1048576:.1f} MB），上限 {self.max_bytes / 1048576:.0f} MB")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    image.verify()
                with Image.open(io.BytesIO(data)) as image:  # reads the header only
                    self._check_pixels(*image.size)
                    image.load()
                    kind, size = image.format, image.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as error:
            raise ImageRejected("这不是一张能打开的图片（文件已损坏或不是图片）") from error
        if kind not in FORMATS:
            raise ImageRejected(f"不支持 {kind} 格式的图片，请发送 JPG 或 PNG")
        sha = hashlib.sha256(data).hexdigest()
        content_type, ext = FORMATS[kind]
        return StoredImage(sha, content_type, len(data), size[0], size[1],
                           f"{sha[:2]}/{sha}.{ext}", f"thumbs/{sha[:2]}/{sha}.jpg")

    def _check_pixels(self, width: int, height: int) -> None:
        # A small PNG can declare 9400 × 9400 pixels and take ~700 MB to decode: refuse it first.
        if width * height > self.max_pixels:
            raise ImageRejected(f"图片像素太多（{width}×{height}），请压缩后再发")

    def store_image(self, data: bytes) -> StoredImage:
        """Check, then write the image and its thumbnail unless the same bytes are stored already."""
        stored = self.check_image(data)
        target = self.root / stored.path
        if not target.exists():
            _write_atomically(target, data)
        thumb = self.root / stored.thumbnail_path
        if not thumb.exists():
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail((self.thumbnail_px, self.thumbnail_px))
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, "JPEG", quality=80)
            _write_atomically(thumb, buffer.getvalue())
        return stored

    def path_of(self, relative: str) -> Path:
        return self.root / relative


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
