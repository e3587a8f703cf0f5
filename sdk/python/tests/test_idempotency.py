"""Automatic Idempotency-Keys against the real server: a POST whose answer is lost is retried
safely, once; without a key it is never retried."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest

import fieldline
from fieldline import Fieldline, _http
from conftest import env, lose_first_response


def recording(real: Any, answers: List[_http.Response], keys: List[str]) -> Any:
    def transport(method: str, url: str, headers: Dict[str, str], body: Any, timeout: float, stream: bool = False) -> _http.Response:
        keys.append(headers.get("Idempotency-Key", ""))
        response = real(method, url, headers, body, timeout, stream=stream)
        answers.append(response)
        return response
    return transport


def test_a_post_whose_answer_is_lost_is_retried_with_its_key_and_creates_one_object(base_url: str, unique: str, sleeps: List[float]) -> None:
    lost: List[str] = []
    answers: List[_http.Response] = []
    keys: List[str] = []
    transport = lose_first_response(recording(_http.urllib_transport, answers, keys), lost)
    client = Fieldline(api_key=env("FIELDLINE_API_KEY"), base_url=base_url, transport=transport)
    created = client.customers.create(name="Once", company=unique)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], "the retry repeats the same key"
    assert answers[1].headers.get("idempotent-replayed") == "true"
    assert len(sleeps) == 1
    found = list(client.customers.list(company=unique))
    assert [c["id"] for c in found] == [created["id"]]


def test_a_post_that_opted_out_of_idempotency_is_not_retried(base_url: str, unique: str, sleeps: List[float]) -> None:
    lost: List[str] = []
    keys: List[str] = []
    transport = lose_first_response(recording(_http.urllib_transport, [], keys), lost)
    client = Fieldline(api_key=env("FIELDLINE_API_KEY"), base_url=base_url, transport=transport)
    with pytest.raises(fieldline.APIConnectionError):
        client.customers.create(name="No key", company=unique, idempotency_key=None)
    assert keys == [""] and sleeps == [], "sent once, without a key"
    assert len(list(client.customers.list(company=unique))) == 1, "the server acted once"


def test_the_same_explicit_key_gives_back_the_first_object(client: Fieldline, unique: str) -> None:
    key = f"py-sdk-{unique}"
    first = client.customers.create(name="Keyed", company=unique, idempotency_key=key)
    again = client.customers.create(name="Keyed", company=unique, idempotency_key=key)
    assert again == first
    with pytest.raises(fieldline.ValidationError) as caught:
        client.customers.create(name="Another body", company=unique, idempotency_key=key)
    assert caught.value.code == "idempotency_key_reused"
