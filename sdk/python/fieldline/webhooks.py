"""Webhook signatures (Standard Webhooks): HMAC-SHA256 over `{id}.{timestamp}.{payload}`,
sent as `webhook-signature: v1,<base64>` (several, space-separated, while a secret rotates)."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping, Optional, Union

from .errors import WebhookVerificationError

DEFAULT_TOLERANCE = 300  # seconds between the signature's timestamp and now


def _key(secret: str) -> bytes:
    encoded = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise WebhookVerificationError("the secret is not a whsec_ base64 secret") from error


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if not value:
        raise WebhookVerificationError(f"missing header {name}")
    return str(value)


def sign(payload: Union[str, bytes], secret: str, msg_id: str, timestamp: Optional[int] = None) -> str:
    """The `webhook-signature` value (`v1,<base64>`) for `payload`; for tests of your own receiver."""
    body = payload.encode("utf-8") if isinstance(payload, str) else payload
    ts = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(_key(secret), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(payload: Union[str, bytes], headers: Mapping[str, str], secret: str, tolerance: int = DEFAULT_TOLERANCE) -> Any:
    """Checks a delivery and returns the parsed event; raises WebhookVerificationError otherwise.

    `payload` must be the raw body exactly as received (not re-serialized JSON); `headers` any
    mapping (names compared case-insensitively).
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        ts = int(timestamp)
    except ValueError as error:
        raise WebhookVerificationError("webhook-timestamp is not a number") from error
    if abs(time.time() - ts) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too old or in the future")
    expected = sign(payload, secret, msg_id, ts).split(",", 1)[1]
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            body = payload.decode("utf-8") if isinstance(payload, bytes) else payload
            try:
                return json.loads(body)
            except ValueError as error:
                raise WebhookVerificationError("the payload is not JSON") from error
    raise WebhookVerificationError("no signature matches")
