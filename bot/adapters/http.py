"""The HTTP calls adapters make to platform APIs, and what their answers mean to the outbox.

- Connection refused / connect timeout: nothing was sent → `RetryLater`.
- 429, 500, 502, 503: the platform did not take it → `RetryLater` (Retry-After respected).
- 504 or a read timeout after the request left: it may have been taken → `OutcomeUnknown`
  (the row becomes `uncertain`, never resent by itself).
- Anything else comes back as an `Answer`; the platform's sender decides whether its body is the
  documented success shape. A body that is not a JSON object (an HTML 404 page, a proxy's error)
  is never success: `answer.json` is None and `answer.describe()` keeps status + a short excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from bot.delivery import OutcomeUnknown, RetryLater
from bot.media import MediaTooLarge

__all__ = ["Answer", "post_json", "put_json", "get_bytes", "EXCERPT_CHARS"]

EXCERPT_CHARS = 200
NOT_TAKEN = {429, 500, 502, 503}


@dataclass(frozen=True)
class Answer:
    status: int
    json: dict[str, Any] | None  # None: the body was not a JSON object
    excerpt: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.json is not None

    def get(self, key: str, default: Any = None) -> Any:
        return (self.json or {}).get(key, default)

    def describe(self) -> str:
        return f"HTTP {self.status}: {self.excerpt}"


def post_json(
    session: requests.Session, url: str, payload: dict[str, Any], *, timeout: float, headers: dict | None = None
) -> Answer:
    return _send_json(session, "POST", url, payload, timeout=timeout, headers=headers)


def put_json(
    session: requests.Session, url: str, payload: dict[str, Any], *, timeout: float, headers: dict | None = None
) -> Answer:
    """Like `post_json`, with PUT (DingTalk redraws a card instance with PUT)."""
    return _send_json(session, "PUT", url, payload, timeout=timeout, headers=headers)


def _send_json(
    session: requests.Session, method: str, url: str, payload: dict[str, Any], *, timeout: float, headers: dict | None
) -> Answer:
    try:
        response = session.request(method, url, json=payload, timeout=timeout, headers=headers)
    except requests.ConnectionError as error:  # includes ConnectTimeout: nothing was sent
        raise RetryLater(f"connection failed: {type(error).__name__}") from error
    except requests.Timeout as error:  # read timeout: the request left, the answer did not come
        raise OutcomeUnknown(f"no answer within {timeout:g} s") from error
    answer = Answer(response.status_code, _json_object(response), excerpt(response.text))
    if response.status_code in NOT_TAKEN:
        raise RetryLater(answer.describe(), _retry_after(response), status=response.status_code)
    if response.status_code == 504:
        raise OutcomeUnknown(answer.describe(), status=504)
    return answer


def get_bytes(
    session: requests.Session, url: str, *, timeout: float, max_bytes: int, headers: dict | None = None
) -> bytes:
    """Download at most `max_bytes`: a larger Content-Length is refused before reading, and a body
    that grows past the cap while streaming is cut off (a 60 MB body is never read whole)."""
    with session.get(url, timeout=timeout, headers=headers, stream=True) as response:
        response.raise_for_status()
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise MediaTooLarge(int(declared), max_bytes)
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise MediaTooLarge(size, max_bytes)
            chunks.append(chunk)
    return b"".join(chunks)


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
