"""Retries against a local server that answers what we tell it to: which answers are retried,
how long the client waits, and that a POST without a key never goes twice."""
from __future__ import annotations

import socket
from typing import List

import pytest

import fieldline
from fieldline import ClientCredentials, Fieldline
from conftest import LocalServer

OK = (200, {}, {"data": {"id": "cus_1", "object": "customer"}})


def local_client(server: LocalServer, **options: object) -> Fieldline:
    return Fieldline(api_key="fl_test_local", base_url=server.url, **options)  # type: ignore[arg-type]


def test_a_429_is_retried_after_the_retry_after_it_names(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [(429, {"retry-after": "2"}, {"code": "rate_limited", "status": 429}), OK]
    assert local_client(local_server).customers.get("cus_1")["id"] == "cus_1"
    assert sleeps == [2.0] and len(local_server.requests) == 2


def test_5xx_answers_back_off_exponentially_with_jitter_then_give_up_with_a_server_error(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [(503, {}, {"code": "service_unavailable", "status": 503})] * 4
    with pytest.raises(fieldline.ServerError) as caught:
        local_client(local_server, max_retries=3, initial_backoff=0.5, max_backoff=8).customers.get("cus_1")
    assert caught.value.status == 503 and caught.value.code == "service_unavailable"
    assert len(local_server.requests) == 4 and len(sleeps) == 3
    for attempt, wait in enumerate(sleeps):
        assert 0 <= wait <= 0.5 * 2 ** attempt


def test_a_retry_after_longer_than_max_retry_wait_is_returned_at_once(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [(429, {"retry-after": "86400"}, {"code": "quota_exceeded", "status": 429, "request_id": "req_q"})]
    with pytest.raises(fieldline.RateLimitError) as caught:
        local_client(local_server).customers.list()
    assert caught.value.code == "quota_exceeded" and caught.value.retry_after == 86400.0 and caught.value.request_id == "req_q"
    assert sleeps == [] and len(local_server.requests) == 1


def test_a_post_is_retried_with_the_same_automatic_key(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [(500, {}, {"code": "internal_error", "status": 500}), (201, {}, {"data": {"id": "cus_1"}})]
    assert local_client(local_server).customers.create(name="A")["id"] == "cus_1"
    keys = [r["headers"].get("Idempotency-Key") for r in local_server.requests]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert local_server.requests[0]["body"] == b'{"name": "A"}'


def test_a_post_without_a_key_is_not_retried(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [(503, {}, {"code": "service_unavailable", "status": 503}), OK]
    with pytest.raises(fieldline.ServerError):
        local_client(local_server).customers.create(name="A", idempotency_key=None)
    assert len(local_server.requests) == 1 and "Idempotency-Key" not in local_server.requests[0]["headers"]


def test_4xx_answers_other_than_429_are_not_retried(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [(409, {}, {"code": "conflict", "status": 409, "detail": "busy"})]
    with pytest.raises(fieldline.ConflictError, match="busy"):
        local_client(local_server).customers.update("cus_1", name="B")
    assert len(local_server.requests) == 1 and local_server.requests[0]["method"] == "PATCH"


def test_a_refused_connection_is_retried_then_an_api_connection_error(sleeps: List[float]) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(fieldline.APIConnectionError):
        Fieldline(api_key="k", base_url=f"http://127.0.0.1:{port}").customers.list()
    assert len(sleeps) == 2


def test_a_401_makes_the_token_provider_fetch_a_new_token_once(local_server: LocalServer, sleeps: List[float]) -> None:
    local_server.answers += [
        (200, {}, {"access_token": "tok_1", "token_type": "Bearer", "expires_in": 3600}),
        (401, {}, {"code": "unauthenticated", "status": 401}),
        (200, {}, {"access_token": "tok_2", "token_type": "Bearer", "expires_in": 3600}),
        OK,
    ]
    provider = ClientCredentials("client", "secret", scope="read:customers")
    assert local_client_with(local_server, provider).customers.get("cus_1")["id"] == "cus_1"
    paths = [(r["method"], r["path"], r["headers"].get("Authorization")) for r in local_server.requests]
    assert paths[0][:2] == ("POST", "/v1/auth/oauth2/token") and paths[0][2].startswith("Basic ")
    assert local_server.requests[0]["body"] == b"grant_type=client_credentials&scope=read%3Acustomers"
    assert [p[2] for p in paths[1:]] == ["Bearer tok_1", paths[2][2], "Bearer tok_2"]


def local_client_with(server: LocalServer, provider: ClientCredentials) -> Fieldline:
    return Fieldline(auth=provider, base_url=server.url)


def test_query_values_are_encoded_for_the_api(local_server: LocalServer) -> None:
    local_server.answers += [(200, {}, {"data": [], "page": {"has_more": False, "next_cursor": None}})]
    page = local_client(local_server).customers.list({"created_at[gte]": "2026-01-01T00:00:00Z"}, status=["active", "lead"], count=True, q=None)
    assert list(page) == []
    assert local_server.requests[0]["path"] == "/v1/customers?created_at[gte]=2026-01-01T00%3A00%3A00Z&status=active,lead&count=true"
