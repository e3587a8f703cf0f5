"""OAuth 2.0 token providers: anything with `get_token()` and `invalidate()` can be `Fieldline(auth=...)`."""
from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from typing import Any, Optional, Protocol, Sequence, Union

from ._http import RetryPolicy, Transport, send_with_retries, urllib_transport
from .errors import error_from_response

TOKEN_PATH = "/v1/auth/oauth2/token"


class TokenProvider(Protocol):
    def get_token(self) -> str: ...

    def invalidate(self) -> None: ...


class ClientCredentials:
    """The client-credentials grant (RFC 6749 section 4.4): fetches a token, keeps it until shortly
    before it expires, fetches a new one after that or after `invalidate()` (the client calls it on
    a 401). The secret travels by HTTP Basic authentication (`client_secret_basic`).

    `token_url` defaults to the client's `base_url` + `/v1/auth/oauth2/token`.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        scope: Union[str, Sequence[str], None] = None,
        token_url: Optional[str] = None,
        *,
        timeout: float = 30,
        transport: Optional[Transport] = None,
        expiry_margin: float = 30,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.scope = scope if scope is None or isinstance(scope, str) else " ".join(scope)
        self.token_url = token_url
        self._timeout = timeout
        self._transport = transport or urllib_transport
        self._margin = expiry_margin
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def bind(self, base_url: str, transport: Transport) -> None:
        """Called by the client: the default token URL and the transport come from it."""
        if self.token_url is None:
            self.token_url = base_url.rstrip("/") + TOKEN_PATH
        if self._transport is urllib_transport:
            self._transport = transport

    def get_token(self) -> str:
        with self._lock:
            if self._token is None or time.time() >= self._expires_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        if not self.token_url:
            raise ValueError("ClientCredentials needs token_url (or to be passed to Fieldline(auth=...))")
        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        basic = base64.b64encode(
            f"{urllib.parse.quote(self.client_id, safe='')}:{urllib.parse.quote(self._secret, safe='')}".encode()
        ).decode()
        headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        # A token request creates nothing: safe to retry like a GET.
        response = send_with_retries(self._transport, RetryPolicy(), "POST", self.token_url, headers,
                                     urllib.parse.urlencode(form).encode(), self._timeout, retryable=True)
        body: Any
        try:
            body = json.loads(response.body.decode("utf-8") or "null")
        except ValueError:
            body = response.body.decode("utf-8", "replace")
        if response.status >= 400 or not isinstance(body, dict) or "access_token" not in body:
            raise error_from_response(response.status if response.status >= 400 else 401, response.headers, body)
        self._token = str(body["access_token"])
        expires_in = body.get("expires_in")
        self._expires_at = time.time() + max(0.0, float(expires_in) - self._margin) if expires_in else float("inf")
