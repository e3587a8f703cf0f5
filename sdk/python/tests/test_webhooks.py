"""webhooks.verify on a delivery the server really signed and sent (captured by the Node driver)."""
from __future__ import annotations

import time
from typing import Any, Dict

import pytest

from fieldline import WebhookVerificationError, webhooks


def test_a_delivery_signed_by_the_server_verifies_and_parses(webhook_sample: Dict[str, Any]) -> None:
    event = webhooks.verify(webhook_sample["payload"], webhook_sample["headers"], webhook_sample["secret"])
    assert event["object"] == "event" and event["type"] == "customer.created"
    assert event["data"]["object"]["name"] == "Webhook Sample"
    as_bytes = webhooks.verify(webhook_sample["payload"].encode(), {k.upper(): v for k, v in webhook_sample["headers"].items()}, webhook_sample["secret"])
    assert as_bytes == event


def test_a_tampered_payload_is_rejected(webhook_sample: Dict[str, Any]) -> None:
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(webhook_sample["payload"].replace("Webhook Sample", "Webhook Sampl3"), webhook_sample["headers"], webhook_sample["secret"])


def test_a_wrong_secret_is_rejected(webhook_sample: Dict[str, Any]) -> None:
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(webhook_sample["payload"], webhook_sample["headers"], "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")


def test_a_stale_timestamp_is_rejected(webhook_sample: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    sent = int(webhook_sample["headers"]["webhook-timestamp"])
    monkeypatch.setattr(webhooks.time, "time", lambda: sent + 301)
    with pytest.raises(WebhookVerificationError, match="timestamp"):
        webhooks.verify(webhook_sample["payload"], webhook_sample["headers"], webhook_sample["secret"])


def test_one_matching_signature_among_several_is_enough_and_a_missing_header_is_not(webhook_sample: Dict[str, Any]) -> None:
    headers = dict(webhook_sample["headers"])
    headers["webhook-signature"] = "v1,bm90IGl0 " + headers["webhook-signature"]
    assert webhooks.verify(webhook_sample["payload"], headers, webhook_sample["secret"])["type"] == "customer.created"
    del headers["webhook-id"]
    with pytest.raises(WebhookVerificationError, match="webhook-id"):
        webhooks.verify(webhook_sample["payload"], headers, webhook_sample["secret"])


def test_sign_produces_what_verify_accepts() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    now = int(time.time())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": webhooks.sign('{"a":1}', secret, "msg_1", now)}
    assert webhooks.verify('{"a":1}', headers, secret) == {"a": 1}
