"""The HTTP calls adapters make to platform APIs, with the outbox's error classes: a request the
platform surely did not take (connection refused, 429, 5xx) raises `RetryLater`; a request that
may have reached it (read timeout) propagates, so the outbox marks the row uncertain."""

from __future__ import annotations

from typing import Any

import requests

from bot.delivery import RetryLater

__all__ = ["post_json", "put_json", "get_bytes"]


def post_json(
    session: requests.Session, url: str, payload: dict[str, Any], *, timeout: float, headers: dict | None = None
) -> tuple[int, dict[str, Any]]:
    return _send_json(session, "POST", url, payload, timeout=timeout, headers=headers)


def put_json(
    session: requests.Session, url: str, payload: dict[str, Any], *, timeout: float, headers: dict | None = None
) -> tuple[int, dict[str, Any]]:
    return _send_json(session, "PUT", url, payload, timeout=timeout, headers=headers)


def _send_json(session, method: str, url: str, payload, *, timeout: float, headers) -> tuple[int, dict[str, Any]]:
    try:
        response = session.request(method, url, json=payload, timeout=timeout, headers=headers)
    except requests.ConnectionError as error:  # includes ConnectTimeout: nothing was sent
        raise RetryLater(f"connection failed: {type(error).__name__}") from error
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryLater(f"HTTP {response.status_code}", _retry_after(response))
    try:
        body = response.json()
    except ValueError:
        body = {}
    return response.status_code, body if isinstance(body, dict) else {}


def get_bytes(session: requests.Session, url: str, *, timeout: float, headers: dict | None = None) -> bytes:
    response = session.get(url, timeout=timeout, headers=headers)
    response.raise_for_status()
    return response.content


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
