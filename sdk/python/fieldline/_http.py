"""One HTTP request with retries: exponential backoff with full jitter, `Retry-After` honoured,
and never a retried POST without an `Idempotency-Key` (the server could act twice)."""
from __future__ import annotations

import email.utils
import http.client
import random
import socket
import time
import urllib.error
import urllib.request
from typing import IO, Callable, Dict, Mapping, Optional

from .errors import APIConnectionError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_sleep = time.sleep  # tests replace it to see the waits without waiting


class Response:
    """A status, lower-cased headers and the body (`stream` instead when the caller asked to stream)."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes = b"", stream: Optional[IO[bytes]] = None) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.stream = stream


# A transport sends one request and returns its Response, or raises OSError / http.client.HTTPException.
Transport = Callable[..., Response]


def urllib_transport(method: str, url: str, headers: Mapping[str, str], body: Optional[bytes], timeout: float, stream: bool = False) -> Response:
    """The default transport: urllib.request (proxies from the environment, TLS verified)."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    try:
        raw = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:  # an answer, even if an error status
        raw = error
    except urllib.error.URLError as error:
        reason = error.reason
        raise reason if isinstance(reason, OSError) else ConnectionError(str(reason)) from error
    response_headers = {k.lower(): v for k, v in raw.headers.items()}
    if stream and raw.status < 300:
        return Response(raw.status, response_headers, stream=raw)
    try:
        return Response(raw.status, response_headers, raw.read())
    finally:
        raw.close()


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """`Retry-After` in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RetryPolicy:
    """`max_retries` retries after the first attempt; waits `min(max_backoff, initial_backoff * 2**n)`
    times a random fraction (full jitter), or what `Retry-After` says; never waits longer than
    `max_retry_wait` (a longer `Retry-After`, e.g. a monthly quota, is returned to the caller at once)."""

    def __init__(self, max_retries: int = 2, initial_backoff: float = 0.5, max_backoff: float = 8.0, max_retry_wait: float = 60.0) -> None:
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff
        self.max_retry_wait = max_retry_wait

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_backoff, self.initial_backoff * (2 ** attempt)))


def send_with_retries(
    transport: Transport,
    policy: RetryPolicy,
    method: str,
    url: str,
    headers: Dict[str, str],
    body: Optional[bytes],
    timeout: float,
    stream: bool = False,
    retryable: Optional[bool] = None,
) -> Response:
    """Sends until an answer that is not worth retrying, or until the retries run out.
    A POST is retried only when it carries an Idempotency-Key (or the caller knows it is safe:
    `retryable=True`); other methods always may be."""
    if retryable is None:
        retryable = method.upper() != "POST" or any(k.lower() == "idempotency-key" for k in headers)
    attempt = 0
    while True:
        try:
            response = transport(method, url, headers, body, timeout, stream=stream)
        except (OSError, http.client.HTTPException, socket.timeout) as error:
            if retryable and attempt < policy.max_retries:
                _sleep(policy.backoff(attempt))
                attempt += 1
                continue
            raise APIConnectionError(f"{method} {url} got no answer: {error}") from error
        if response.status in RETRY_STATUSES and retryable and attempt < policy.max_retries:
            wait = parse_retry_after(response.headers.get("retry-after"))
            if wait is None:
                wait = policy.backoff(attempt)
            if wait <= policy.max_retry_wait:
                if response.stream is not None:
                    response.stream.close()
                _sleep(wait)
                attempt += 1
                continue
        return response


__all__ = ["Response", "RetryPolicy", "Transport", "parse_retry_after", "send_with_retries", "urllib_transport"]
