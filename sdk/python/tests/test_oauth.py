"""The client-credentials provider against the server's real token endpoint."""
from __future__ import annotations

import pytest

import fieldline
from fieldline import ClientCredentials, Fieldline
from conftest import env


def test_client_credentials_fetch_a_token_that_calls_the_api_and_refresh_after_invalidate(base_url: str, unique: str) -> None:
    provider = ClientCredentials(env("FIELDLINE_OAUTH_CLIENT_ID"), env("FIELDLINE_OAUTH_CLIENT_SECRET"), scope=["read:customers", "write:customers"])
    client = Fieldline(auth=provider, base_url=base_url)
    assert provider.token_url == base_url + "/v1/auth/oauth2/token"
    created = client.customers.create(name="Via OAuth", company=unique)
    first_token = provider.get_token()
    assert first_token.startswith("flo_at_") and provider.get_token() == first_token, "cached"
    assert [c["id"] for c in client.customers.list(company=unique)] == [created["id"]]
    provider.invalidate()
    assert provider.get_token() != first_token
    assert client.customers.get(created["id"])["id"] == created["id"]


def test_a_token_without_the_scope_is_forbidden_and_a_wrong_secret_is_refused(base_url: str) -> None:
    read_only = Fieldline(auth=ClientCredentials(env("FIELDLINE_OAUTH_CLIENT_ID"), env("FIELDLINE_OAUTH_CLIENT_SECRET"), scope="read:customers"), base_url=base_url)
    with pytest.raises(fieldline.ForbiddenError):
        read_only.customers.create(name="Nope")
    wrong = Fieldline(auth=ClientCredentials(env("FIELDLINE_OAUTH_CLIENT_ID"), "flo_cs_wrong"), base_url=base_url)
    with pytest.raises(fieldline.AuthenticationError):
        wrong.customers.list()
