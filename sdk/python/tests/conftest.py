"""Fixtures: a client of the server named by FIELDLINE_BASE_URL / FIELDLINE_API_KEY (set by
test/sdk-python.test.ts), and a tiny local HTTP server for answers the real one won't give."""
from __future__ import annotations

import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the package without installing it

import fieldline  # noqa: E402
from fieldline import _http  # noqa: E402


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        if os.environ.get("FIELDLINE_REQUIRE_SERVER") == "1":
            pytest.fail(f"{name} is not set")
        pytest.skip(f"{name} is not set: run through test/sdk-python.test.ts")
    return value


@pytest.fixture
def base_url() -> str:
    return env("FIELDLINE_BASE_URL")


@pytest.fixture
def client(base_url: str) -> fieldline.Fieldline:
    return fieldline.Fieldline(api_key=env("FIELDLINE_API_KEY"), base_url=base_url)


@pytest.fixture
def unique() -> str:
    """A marker no other test uses, to find exactly this test's objects."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """Every wait the retry loop asks for, recorded instead of slept."""
    recorded: List[float] = []
    monkeypatch.setattr(_http, "_sleep", recorded.append)
    return recorded


Answer = Tuple[int, Dict[str, str], Any]


class LocalServer:
    """Answers each request with the next of `answers` (then 200 {"data": {}}); keeps every request."""

    def __init__(self) -> None:
        self.answers: List[Answer] = []
        self.requests: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                outer.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                       "body": self.rfile.read(length)})
                status, headers, body = outer.answers.pop(0) if outer.answers else (200, {}, {"data": {}})
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in {"content-type": "application/json", "x-request-id": "req_local", **headers}.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PATCH = do_DELETE = handle_one

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def webhook_sample() -> Dict[str, Any]:
    with open(env("FIELDLINE_WEBHOOK_SAMPLE"), encoding="utf-8") as f:
        return json.load(f)


def lose_first_response(real: Callable[..., _http.Response], lost: List[str]) -> Callable[..., _http.Response]:
    """A transport whose first answer is received by the server's work but lost on the way back."""

    def transport(method: str, url: str, headers: Dict[str, str], body: Any, timeout: float, stream: bool = False) -> _http.Response:
        response = real(method, url, headers, body, timeout, stream=stream)
        if not lost:
            lost.append(headers.get("Idempotency-Key") or "")
            raise ConnectionResetError("connection reset by peer (simulated, after the server answered)")
        return response

    return transport
