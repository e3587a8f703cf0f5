"""The generator on documents other than the committed one: a new resource appears in the SDK
with no other change, and --check names a stale file."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import fieldline
from fieldline import _http

SDK = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SDK))
import generate  # noqa: E402

GADGET = {"type": "object", "required": ["id", "object", "name"], "properties": {
    "id": {"type": "string"}, "object": {"type": "string", "const": "gadget"}, "name": {"type": "string"},
    "color": {"anyOf": [{"type": "string", "enum": ["red", "blue"]}, {"type": "null"}]}, "from": {"type": "string"}}}
PAGE = {"type": "object", "required": ["has_more", "next_cursor"], "properties": {"has_more": {"type": "boolean"}, "next_cursor": {"type": ["string", "null"]}}}


def json_response(schema: Dict[str, Any]) -> Dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


DOCUMENT: Dict[str, Any] = {
    "openapi": "3.1.0", "info": {"title": "Tiny", "version": "1"},
    "paths": {
        "/v1/gadgets": {
            "get": {"x-fieldline-sdk": "gadgets.list", "summary": "List gadgets",
                    "parameters": [{"$ref": "#/components/parameters/Limit"}, {"name": "name[contains]", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": json_response({"$ref": "#/components/schemas/GadgetList"})}},
            "post": {"x-fieldline-sdk": "gadgets.create", "summary": "Create a gadget",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GadgetCreate"}}}},
                     "responses": {"201": json_response({"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Gadget"}}})}},
        },
        "/v1/gadgets/{id}": {
            "get": {"x-fieldline-sdk": "gadgets.get", "summary": "Get a gadget", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": json_response({"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Gadget"}}})}},
        },
        "/v1/gadgets/{id}/polish": {
            "post": {"x-fieldline-sdk": "gadgetPolishers.polishNow", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                     "responses": {"200": json_response({"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Gadget"}}})}},
        },
        "/v1/ping": {"get": {"x-fieldline-sdk": "ping", "responses": {"200": {"content": {"text/plain": {}}}}}},
        "/v1/hook": {"post": {"operationId": "notInTheSdk", "responses": {"200": json_response({})}}},
    },
    "components": {
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}},
        "schemas": {
            "Gadget": GADGET, "Page": PAGE,
            "GadgetCreate": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "color": GADGET["properties"]["color"]}},
            "GadgetList": {"type": "object", "required": ["data", "page"], "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Gadget"}}, "page": {"$ref": "#/components/schemas/Page"}}},
        },
    },
}


@pytest.fixture
def tiny_sdk(tmp_path: Path) -> Iterator[types.ModuleType]:
    """A copy of the package regenerated from the tiny document (as after adding a resource and
    running generate.py), imported under its own name."""
    package = tmp_path / "fieldline_tiny"
    shutil.copytree(SDK / "fieldline", package, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tiny.json").write_text(json.dumps(DOCUMENT))
    assert generate.main(["--openapi", str(tmp_path / "tiny.json"), "--out", str(package)]) == 0
    spec = importlib.util.spec_from_file_location("fieldline_tiny", package / "__init__.py", submodule_search_locations=[str(package)])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["fieldline_tiny"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        for name in [n for n in sys.modules if n == "fieldline_tiny" or n.startswith("fieldline_tiny.")]:
            del sys.modules[name]


class FakeTransport:
    def __init__(self, answers: List[Any]) -> None:
        self.answers: Iterator[Any] = iter(answers)
        self.calls: List[Dict[str, Any]] = []

    def __call__(self, method: str, url: str, headers: Dict[str, str], body: Any, timeout: float, stream: bool = False) -> _http.Response:
        self.calls.append({"method": method, "url": url, "headers": headers, "body": body})
        status, payload = next(self.answers)
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return _http.Response(status, {"content-type": "text/plain" if isinstance(payload, bytes) else "application/json"}, raw)


def test_a_new_resource_in_the_document_becomes_client_gadgets_list_get_create(tiny_sdk: types.ModuleType) -> None:
    gadget = {"id": "gad_1", "object": "gadget", "name": "Sprocket", "color": None}
    transport = FakeTransport([
        (200, {"data": [gadget], "page": {"has_more": True, "next_cursor": "c2"}}),
        (200, {"data": [{**gadget, "id": "gad_2"}], "page": {"has_more": False, "next_cursor": None}}),
        (200, {"data": gadget}), (201, {"data": gadget}), (200, {"data": gadget}), (200, b"pong"),
    ])
    client = tiny_sdk.Fieldline(api_key="k", base_url="http://tiny.test", transport=transport)
    assert [g["id"] for g in client.gadgets.list({"name[contains]": "Spr"}, limit=1)] == ["gad_1", "gad_2"]
    assert client.gadgets.get("gad_1") == gadget
    assert client.gadgets.create(name="Sprocket", color="red") == gadget
    assert client.gadget_polishers.polish_now("gad 1") == gadget
    assert client.ping() == b"pong"
    sent = [(c["method"], c["url"]) for c in transport.calls]
    assert sent == [
        ("GET", "http://tiny.test/v1/gadgets?name[contains]=Spr&limit=1"),
        ("GET", "http://tiny.test/v1/gadgets?name[contains]=Spr&limit=1&cursor=c2"),
        ("GET", "http://tiny.test/v1/gadgets/gad_1"),
        ("POST", "http://tiny.test/v1/gadgets"),
        ("POST", "http://tiny.test/v1/gadgets/gad%201/polish"),
        ("GET", "http://tiny.test/v1/ping"),
    ]
    assert json.loads(transport.calls[3]["body"]) == {"name": "Sprocket", "color": "red"}
    assert transport.calls[3]["headers"]["Idempotency-Key"]
    assert not hasattr(client, "not_in_the_sdk")


def test_schemas_become_typed_dicts_with_literals_optionals_and_required_keys(tiny_sdk: types.ModuleType) -> None:
    tiny_sdk = tiny_sdk._generated
    assert tiny_sdk.Gadget.__required_keys__ == frozenset({"id", "object", "name"})
    assert tiny_sdk.GadgetCreate.__required_keys__ == frozenset({"name"})
    assert tiny_sdk.GadgetCreate.__optional_keys__ == frozenset({"color"})
    assert tiny_sdk.Gadget.__optional_keys__ == frozenset({"color", "from"}), "`from` is not an identifier: functional form"
    source = generate.generate(DOCUMENT)["_generated.py"]
    assert "object: Literal['gadget']" in source or "'object': \"Literal['gadget']\"" in source
    assert "Optional[Literal['red', 'blue']]" in source
    assert "class PageSchema(TypedDict)" in source, "a schema named like a runtime class is renamed"
    assert "-> Page[Gadget]:" in source
    assert generate.generate(DOCUMENT) == generate.generate(json.loads(json.dumps(DOCUMENT))), "deterministic"


def test_check_names_the_stale_file_and_exits_1(tmp_path: Path) -> None:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(DOCUMENT))
    out = tmp_path / "pkg"
    script = str(SDK / "generate.py")
    assert subprocess.run([sys.executable, script, "--openapi", str(document), "--out", str(out)], capture_output=True).returncode == 0
    fresh = subprocess.run([sys.executable, script, "--openapi", str(document), "--out", str(out), "--check"], capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr
    DOCUMENT_CHANGED = json.loads(json.dumps(DOCUMENT))
    DOCUMENT_CHANGED["paths"]["/v1/gadgets/{id}"]["get"]["summary"] = "Fetch a gadget"
    document.write_text(json.dumps(DOCUMENT_CHANGED))
    stale = subprocess.run([sys.executable, script, "--openapi", str(document), "--out", str(out), "--check"], capture_output=True, text=True)
    assert stale.returncode == 1 and str(out / "_generated.py") in stale.stderr


def test_the_committed_module_matches_the_repository_document() -> None:
    document = SDK.parent.parent / "openapi.json"
    committed = (SDK / "fieldline" / "_generated.py").read_text(encoding="utf-8")
    assert generate.generate(json.loads(document.read_text(encoding="utf-8")))["_generated.py"] == committed
    assert isinstance(fieldline.Fieldline(api_key="k").job_photos, fieldline._generated.JobPhotosResource)
