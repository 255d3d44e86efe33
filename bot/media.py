"""Fetching the bytes of an attachment (a photo of minutes or notes). Each adapter registers a
`MediaFetcher` for its platform on the app; handlers call `ctx.fetch_attachment(attachment)` and
never learn how the platform's media API works."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.messages import Attachment

__all__ = ["MediaFetcher", "MediaTooLarge", "MediaUnavailable", "LocalFileFetcher"]


class MediaUnavailable(Exception):
    """The attachment could not be downloaded (expired link, network, no fetcher)."""


class MediaTooLarge(MediaUnavailable):
    """The download was stopped at the size cap."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"more than {limit} bytes ({size} seen)")
        self.size, self.limit = size, limit


class MediaFetcher(Protocol):
    def fetch(self, attachment: Attachment) -> bytes: ...


class LocalFileFetcher:
    """For the console: an attachment's ref is a path on this machine."""

    def fetch(self, attachment: Attachment) -> bytes:
        try:
            return Path(attachment.ref).expanduser().read_bytes()
        except OSError as error:
            raise MediaUnavailable(str(error)) from error
