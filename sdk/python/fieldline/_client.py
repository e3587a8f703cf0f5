"""The client: credentials, the base URL, one request turned into a typed result or a typed error."""
from __future__ import annotations

import datetime
import json
import os
import urllib.parse
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import _generated
from ._http import Response, RetryPolicy, Transport, send_with_retries, urllib_transport
from ._resource import AUTO
from .errors import FieldlineError, error_from_response
from .oauth import TokenProvider
from .pagination import EventStream, Page
from .version import __version__

DEFAULT_BASE_URL = "http://localhost:3000"


class Fieldline(_generated.TopLevelOperations):
    """A Fieldline API client.

        client = Fieldline(api_key="fl_test_...")            # or FIELDLINE_API_KEY in the environment
        client = Fieldline(access_token="flo_at_...")
        client = Fieldline(auth=ClientCredentials(client_id, client_secret, scope="read:customers"))

    Every namespace of the API is an attribute (`client.customers`, `client.job_photos`, ...);
    operations without one are methods (`client.search(q="ada")`).

    `max_retries` retries follow 429/500/502/503/504 answers and network errors, with
    exponential backoff and full jitter (`initial_backoff`, `max_backoff`) or the server's
    `Retry-After` (up to `max_retry_wait` seconds). A POST is only retried with an
    Idempotency-Key, which every POST gets automatically unless called with `idempotency_key=None`.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        access_token: Optional[str] = None,
        auth: Optional[TokenProvider] = None,
        base_url: Optional[str] = None,
        max_retries: int = 2,
        timeout: float = 30,
        *,
        initial_backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_wait: float = 60.0,
        default_headers: Optional[Mapping[str, str]] = None,
        transport: Optional[Transport] = None,
    ) -> None:
        given = [x for x in (api_key, access_token, auth) if x is not None]
        if len(given) > 1:
            raise ValueError("pass one of api_key, access_token or auth")
        if not given:
            api_key = os.environ.get("FIELDLINE_API_KEY")
        self._client = self  # the generated top-level operations call self._client._operation
        self._static_token = api_key or access_token
        self._auth = auth
        self.base_url = (base_url or os.environ.get("FIELDLINE_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.retry_policy = RetryPolicy(max_retries, initial_backoff, max_backoff, max_retry_wait)
        self._default_headers = dict(default_headers or {})
        self._transport: Transport = transport or urllib_transport
        bind = getattr(auth, "bind", None)
        if callable(bind):
            bind(self.base_url, self._transport)
        for attr, cls in _generated.NAMESPACES.items():
            setattr(self, attr, cls(self))

    def __repr__(self) -> str:
        return f"<Fieldline {self.base_url}>"

    def close(self) -> None:
        """Nothing to release (a connection per request); here for symmetry with other clients."""

    def __enter__(self) -> "Fieldline":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        idempotency_key: Optional[str] = AUTO,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Any:
        """Any call by hand (`client.request("GET", "/v1/customers/cus_...")`): the parsed JSON answer."""
        return self._operation(method.upper(), path, None, query=query, body=body, idempotency_key=idempotency_key,
                               headers=headers, result="json_or_bytes")

    def _operation(
        self,
        method: str,
        path: str,
        path_params: Optional[Mapping[str, str]],
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Optional[Mapping[str, Any]] = None,
        body_required: bool = False,
        files: Optional[Mapping[str, Any]] = None,
        form: Optional[Mapping[str, Any]] = None,
        content: Optional[bytes] = None,
        content_type: Optional[str] = None,
        idempotency_key: Optional[str] = AUTO,
        headers: Optional[Mapping[str, str]] = None,
        result: str = "json",
    ) -> Any:
        for name, value in (path_params or {}).items():
            if value is None or value == "":
                raise ValueError(f"{name} is required")
            path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        url = self.base_url + path + encode_query(query)
        request_headers = {"Accept": "application/json", "User-Agent": f"fieldline-python/{__version__}", **self._default_headers, **(headers or {})}
        data: Optional[bytes] = None
        if files is not None:
            data, request_headers["Content-Type"] = encode_multipart(form or {}, files)
        elif content is not None:
            data, request_headers["Content-Type"] = content, content_type or "application/octet-stream"
        elif body is not None or body_required:
            data = json.dumps(body if body is not None else {}, default=json_default).encode("utf-8")
            request_headers["Content-Type"] = "application/json"
        if method == "POST" and idempotency_key is not None and idempotency_key is not False:
            request_headers["Idempotency-Key"] = str(uuid.uuid4()) if idempotency_key is AUTO else str(idempotency_key)

        if result == "page":
            return Page(lambda q: self._fetch_json(method, self.base_url + path + encode_query(q), request_headers, data), dict(query or {}))
        if result == "stream":
            request_headers["Accept"] = "text/event-stream"
            response = self._send(method, url, request_headers, data, stream=True)
            assert response.stream is not None
            return EventStream(response.stream)
        response = self._send(method, url, request_headers, data)
        return decode(response, result)

    def _fetch_json(self, method: str, url: str, headers: Dict[str, str], data: Optional[bytes]) -> Dict[str, Any]:
        return decode(self._send(method, url, headers, data), "json")

    def _send(self, method: str, url: str, headers: Dict[str, str], data: Optional[bytes], stream: bool = False) -> Response:
        for attempt in (1, 2):
            token = self._auth.get_token() if self._auth is not None else self._static_token
            if token:
                headers = {**headers, "Authorization": f"Bearer {token}"}
            response = send_with_retries(self._transport, self.retry_policy, method, url, headers, data, self.timeout, stream=stream)
            if response.status == 401 and self._auth is not None and attempt == 1:
                self._auth.invalidate()  # expired or revoked: one more try with a fresh token
                continue
            if response.status >= 400:
                raise error_from_response(response.status, response.headers, parse_body(response))
            return response
        raise AssertionError("unreachable")


def decode(response: Response, result: str) -> Any:
    if result == "none" or response.status == 204:
        return None
    is_json = "json" in response.headers.get("content-type", "")
    if result == "bytes" or (result.endswith("_or_bytes") and not is_json):
        return response.body
    body = parse_body(response)
    if result.startswith("data"):
        if not isinstance(body, dict) or "data" not in body:
            raise FieldlineError(f"expected {{data: ...}}, got {str(body)[:200]}", status=response.status,
                                 request_id=response.headers.get("x-request-id"))
        return body["data"]
    return body


def parse_body(response: Response) -> Any:
    text = response.body.decode("utf-8", "replace")
    if "json" in response.headers.get("content-type", "") and text:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def json_default(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(query_value(v) for v in value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value)


def encode_query(query: Optional[Mapping[str, Any]]) -> str:
    """`{"created_at[gte]": "2026-01-01", "status[in]": ["a", "b"], "count": True}`: None values are left out."""
    pairs: List[Tuple[str, str]] = [(str(k), query_value(v)) for k, v in (query or {}).items() if v is not None]
    return "?" + urllib.parse.urlencode(pairs, safe=",[]") if pairs else ""


def encode_multipart(fields: Mapping[str, Any], files: Mapping[str, Any]) -> Tuple[bytes, str]:
    boundary = "fieldline-" + uuid.uuid4().hex
    parts: List[bytes] = []
    for name, value in fields.items():
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, default=json_default)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + text.encode("utf-8") + b"\r\n")
    for name, spec in files.items():
        filename, content, ctype = file_parts(name, spec)
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def file_parts(name: str, spec: Any) -> Tuple[str, bytes, str]:
    """bytes, a binary file, or (filename, bytes or file[, content type])."""
    filename, ctype = name, None
    if isinstance(spec, tuple):
        filename, spec, ctype = (spec + (None,))[:3] if len(spec) == 2 else spec
    if hasattr(spec, "read"):
        filename = filename if filename != name else os.path.basename(getattr(spec, "name", name) or name)
        spec = spec.read()
    if isinstance(spec, str):
        spec = spec.encode("utf-8")
    return str(filename).replace('"', ""), bytes(spec), ctype or sniff_type(bytes(spec))


def sniff_type(content: bytes) -> str:
    signatures = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG", "image/png"), (b"GIF8", "image/gif"))
    for prefix, ctype in signatures:
        if content.startswith(prefix):
            return ctype
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
