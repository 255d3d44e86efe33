"""Photos off the hot path. A message with images is handed to the media lane instead of being
dispatched in line: its downloads run on a small pool of their own, outside any database
transaction (on SQLite a transaction holds the one write lock), and only then is it dispatched —
so a slow image URL delays nobody else's `/打卡`.

Order per sender within a chat is kept: while a member's message is in the lane, their later
messages in that chat wait behind it (their photo is filed before their `/纪要 结束`). Other
members are not held: twenty `/打卡` do not wait for one slow photo. The price: another member's
`/纪要 结束` sent while a photo is still downloading may close the minutes first.
Handlers call `ctx.fetch_attachment` as before; `Prefetched` answers from the bytes fetched ahead.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from bot.media import MediaFetcher, MediaUnavailable
from bot.messages import Attachment, InboundMessage

log = logging.getLogger(__name__)

__all__ = ["MediaLane", "Prefetched"]

Job = tuple[int, InboundMessage]


class Prefetched:
    """Wraps a platform's fetcher: bytes (or the failure) fetched ahead are used once, then dropped."""

    def __init__(self, inner: MediaFetcher) -> None:
        self.inner = inner
        self._ready: dict[str, bytes | MediaUnavailable] = {}
        self._lock = threading.Lock()

    def prefetch(self, attachment: Attachment) -> None:
        try:
            data: bytes | MediaUnavailable = self.inner.fetch(attachment)
        except MediaUnavailable as error:
            data = error
        with self._lock:
            self._ready[attachment.ref] = data

    def fetch(self, attachment: Attachment) -> bytes:
        with self._lock:
            data = self._ready.pop(attachment.ref, None)
        if data is None:
            return self.inner.fetch(attachment)
        if isinstance(data, MediaUnavailable):
            raise data
        return data

    def forget(self, attachment: Attachment) -> None:
        with self._lock:
            self._ready.pop(attachment.ref, None)


class MediaLane:
    def __init__(self, fetchers: dict, handle: Callable[[list[Job]], None], workers: int = 2) -> None:
        for platform, fetcher in list(fetchers.items()):
            if not isinstance(fetcher, Prefetched):
                fetchers[platform] = Prefetched(fetcher)
        self._fetchers = fetchers
        self._handle = handle  # dispatch + record, as the inline path does
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="media")
        self._chats: dict[tuple[str, str, str], deque[Job]] = {}
        self._lock = threading.Lock()

    def take(self, jobs: list[Job]) -> list[Job]:
        """Keep the jobs that belong in the lane (images, or a chat busy in the lane); return the rest."""
        inline = []
        with self._lock:
            for job in jobs:
                chat = (job[1].platform, job[1].chat_id, job[1].sender_id)
                if chat in self._chats:
                    self._chats[chat].append(job)
                elif job[1].images:
                    self._chats[chat] = deque()
                    self._pool.submit(self._run, chat, job)
                else:
                    inline.append(job)
        return inline

    def busy(self) -> bool:
        with self._lock:
            return bool(self._chats)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _run(self, chat: tuple[str, str, str], job: Job) -> None:
        while job is not None:
            try:
                self._one(job)
            except Exception:
                log.exception("media lane failed on %s message %s", job[1].platform, job[1].message_id)
            with self._lock:
                waiting = self._chats[chat]
                job = waiting.popleft() if waiting else None
                if job is None:
                    del self._chats[chat]

    def _one(self, job: Job) -> None:
        fetcher = self._fetchers.get(job[1].platform)
        images = job[1].images if isinstance(fetcher, Prefetched) else ()
        for image in images:
            fetcher.prefetch(image)  # outside any transaction
        try:
            self._handle([job])
        finally:
            for image in images:
                fetcher.forget(image)
