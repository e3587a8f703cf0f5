#!/usr/bin/env python3
"""Generates fieldline/_generated.py (TypedDicts and resource classes) from an OpenAPI document.

    python3 sdk/python/generate.py [--openapi FILE] [--out DIR] [--check]

Standard library only. Every operation carrying `x-fieldline-sdk` ("jobs.complete", "search")
becomes a method (`client.jobs.complete`, `client.search`); every component schema that is an
object becomes a TypedDict. The output depends only on the document, so `--check` can tell
whether the committed file is stale.
"""
from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
DEFAULT_OPENAPI = HERE.parent.parent / "openapi.json"
DEFAULT_OUT = HERE / "fieldline"
OUTPUT_FILE = "_generated.py"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Attributes of the client itself: a top-level operation may not take these names.
RESERVED_CLIENT_NAMES = {"close", "request"}
# Names the generated module imports or the package exports: a schema so named gets a `Schema` suffix.
RESERVED_TYPE_NAMES = {"Any", "Dict", "List", "Literal", "Mapping", "Optional", "TypedDict", "Union", "AUTO",
                       "FileInput", "Page", "EventStream", "ServerSentEvent", "Fieldline", "ClientCredentials"}


# ---------------------------------------------------------------- names

def snake(name: str) -> str:
    """`listRecipients` -> `list_recipients`, `jobPhotos` -> `job_photos`, `OAuthClient` -> `o_auth_client`."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = s.strip("_").lower() or "_"
    if s[0].isdigit():
        s = "_" + s
    return s + "_" if keyword.iskeyword(s) else s


def pascal(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", name)
    s = "".join(p[:1].upper() + p[1:] for p in parts if p) or "_"
    return "_" + s if s[0].isdigit() else s


def is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


# ---------------------------------------------------------------- schema -> type

class Context:
    def __init__(self, document: Dict[str, Any]):
        self.document = document
        self.schema_names: Dict[str, str] = {}  # component name -> Python class name
        for name in sorted(self.components("schemas")):
            schema = self.components("schemas")[name]
            if self.is_object(schema):
                cls = pascal(name)
                self.schema_names[name] = cls + "Schema" if cls in RESERVED_TYPE_NAMES or cls.endswith("Error") else cls

    def components(self, kind: str) -> Dict[str, Any]:
        return (self.document.get("components") or {}).get(kind) or {}

    def resolve(self, node: Any) -> Any:
        """Follows local `$ref`s (`#/components/...`)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node, seen = target, seen + 1
        return node

    @staticmethod
    def is_object(schema: Any) -> bool:
        return isinstance(schema, dict) and bool(schema.get("properties")) and schema.get("type", "object") == "object"

    def py_type(self, schema: Any) -> str:
        if not isinstance(schema, dict) or not schema:
            return "Any"
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name in self.schema_names:
                    return self.schema_names[name]
            return self.py_type(self.resolve(schema))
        if "const" in schema:
            return literal([schema["const"]])
        if "enum" in schema:
            values = [v for v in schema["enum"] if v is not None]
            t = literal(values) if values else "None"
            return optional(t) if None in schema["enum"] else t
        for combiner in ("anyOf", "oneOf"):
            if combiner in schema:
                return union([self.py_type(s) for s in schema[combiner]])
        if "allOf" in schema:
            parts = schema["allOf"]
            return self.py_type(parts[0]) if len(parts) == 1 else "Dict[str, Any]"
        kind = schema.get("type")
        if isinstance(kind, list):
            return union([self.py_type({**schema, "type": k}) for k in kind])
        if kind == "string":
            return "bytes" if schema.get("format") == "binary" else "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            return f"List[{self.py_type(schema.get('items'))}]"
        if kind == "object" or "properties" in schema:
            extra = schema.get("additionalProperties")
            if not schema.get("properties") and isinstance(extra, dict) and extra:
                return f"Dict[str, {self.py_type(extra)}]"
            return "Dict[str, Any]"
        return "Any"


def literal(values: List[Any]) -> str:
    return "Literal[" + ", ".join(json_literal(v) for v in values) + "]"


def json_literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float, str)):
        return repr(value)
    return repr(json.dumps(value, sort_keys=True))


def optional(t: str) -> str:
    return t if t in ("Any", "None") or t.startswith("Optional[") else f"Optional[{t}]"


def union(types: List[str]) -> str:
    unique: List[str] = []
    for t in types:
        if t not in unique:
            unique.append(t)
    if "Any" in unique:
        return "Any"
    nullable = "None" in unique
    rest = [t for t in unique if t != "None"]
    if not rest:
        return "None"
    t = rest[0] if len(rest) == 1 else "Union[" + ", ".join(rest) + "]"
    return optional(t) if nullable else t


# ---------------------------------------------------------------- docstrings

def docstring(lines: List[str], indent: str) -> str:
    text = "\n".join(lines).strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = "\n".join((indent + line).rstrip() for line in text.splitlines())
    return f'{indent}"""{body.lstrip()}\n{indent}"""\n' if "\n" in text else f'{indent}"""{text}"""\n'


# ---------------------------------------------------------------- TypedDicts

def render_typed_dicts(ctx: Context) -> str:
    out: List[str] = []
    for name in sorted(ctx.schema_names):
        schema = ctx.components("schemas")[name]
        cls = ctx.schema_names[name]
        props: Dict[str, Any] = schema.get("properties") or {}
        required = [p for p in props if p in set(schema.get("required") or [])]
        optional_props = [p for p in props if p not in required]
        fields = {p: ctx.py_type(props[p]) for p in props}
        doc = schema.get("description")
        if not all(is_identifier(p) for p in props):
            # Keys that are not identifiers (`from`, `a-b`) need the functional form.
            out.append(functional_typed_dict(cls, fields, required, optional_props, doc))
            continue
        if required and optional_props:
            out.append(f"class _{cls}Required(TypedDict):\n")
            out.extend(f"    {p}: {fields[p]}\n" for p in required)
            out.append(f"\n\nclass {cls}(_{cls}Required, total=False):\n")
            if doc:
                out.append(docstring([doc], "    "))
            out.extend(f"    {p}: {fields[p]}\n" for p in optional_props)
        else:
            total = "" if required else ", total=False"
            out.append(f"class {cls}(TypedDict{total}):\n")
            if doc:
                out.append(docstring([doc], "    "))
            out.extend(f"    {p}: {fields[p]}\n" for p in props)
        out.append("\n\n")
    return "".join(out)


def functional_typed_dict(cls: str, fields: Dict[str, str], required: List[str], optional_props: List[str], doc: Optional[str]) -> str:
    """Keys that are not identifiers (`from`, `a-b`) need TypedDict's functional form; the class
    then inherits the required and the optional halves."""
    def mapping(keys: List[str]) -> str:
        return "{" + ", ".join(f"{k!r}: {fields[k]!r}" for k in keys) + "}"
    out = f"_{cls}Required = TypedDict({('_' + cls + 'Required')!r}, {mapping(required)})\n"
    out += f"_{cls}Optional = TypedDict({('_' + cls + 'Optional')!r}, {mapping(optional_props)}, total=False)\n\n\n"
    out += f"class {cls}(_{cls}Required, _{cls}Optional):\n" + (docstring([doc], "    ") if doc else "    pass\n")
    return out + "\n\n"


# ---------------------------------------------------------------- operations

class Operation:
    def __init__(self, ctx: Context, path: str, method: str, op: Dict[str, Any], path_params: List[Any]):
        self.ctx, self.path, self.method, self.op = ctx, path, method.upper(), op
        sdk_name: str = op["x-fieldline-sdk"]
        self.namespace, _, name = sdk_name.rpartition(".")
        self.name = snake(name)
        params = [ctx.resolve(p) for p in path_params + (op.get("parameters") or [])]
        by_key: Dict[Tuple[str, str], Any] = {}
        for p in params:  # operation-level parameters override path-level ones
            by_key[(p.get("in"), p.get("name"))] = p
        in_path = [p for p in by_key.values() if p.get("in") == "path"]
        order = re.findall(r"{([^}]+)}", path)
        self.path_params = sorted(in_path, key=lambda p: order.index(p["name"]) if p["name"] in order else len(order))
        self.query_params = [p for p in by_key.values() if p.get("in") == "query"]
        body = ctx.resolve(op.get("requestBody")) or {}
        content = body.get("content") or {}
        self.body_required = bool(body.get("required"))
        self.body_kind: Optional[str] = None
        self.body_schema: Any = None
        if "application/json" in content:
            self.body_kind, self.body_schema = "json", content["application/json"].get("schema")
        elif "multipart/form-data" in content:
            self.body_kind, self.body_schema = "multipart", content["multipart/form-data"].get("schema")
        elif content:
            self.body_kind = "raw"
        self.result, self.return_type = self.response_shape()

    def response_shape(self) -> Tuple[str, str]:
        responses = self.op.get("responses") or {}
        codes = sorted(c for c in responses if str(c).startswith("2"))
        if not codes:
            return "json", "Any"
        content = (self.ctx.resolve(responses[codes[0]]) or {}).get("content") or {}
        if not content:
            return "none", "None"
        json_type = next((t for t in content if t == "application/json" or t.endswith("+json")), None)
        if json_type is None:
            if any(t.startswith("text/event-stream") for t in content):
                return "stream", "EventStream"
            return "bytes", "bytes"
        schema = content[json_type].get("schema") or {}
        resolved = self.ctx.resolve(schema) or {}
        props = resolved.get("properties") or {} if isinstance(resolved, dict) else {}
        others = [t for t in content if t != json_type]
        if "data" in props and "page" in props:
            item = self.ctx.py_type((self.ctx.resolve(props["data"]) or {}).get("items"))
            return "page", f"Page[{item}]"
        if set(props) == {"data"}:
            kind, t = "data", self.ctx.py_type(props["data"])
        else:
            kind, t = "json", self.ctx.py_type(schema)
        if others:  # e.g. CSV beside JSON: the caller gets bytes for anything but JSON
            return kind + "_or_bytes", union([t, "bytes"])
        return kind, t

    def signature_and_call(self) -> Tuple[str, str]:
        args = ["self"]
        for p in self.path_params:
            args.append(f"{snake(p['name'])}: str")
        if self.path_params:
            args.append("/")
        call = [f'"{self.method}"', repr(self.path)]
        path_args = ", ".join(f"{p['name']!r}: {snake(p['name'])}" for p in self.path_params)
        call.append(f"path_params={{{path_args}}}" if self.path_params else "path_params=None")
        if self.body_kind == "json":
            body_type = self.ctx.py_type(self.body_schema)
            args.append(f"body: Optional[{body_type}] = None" if not body_type.startswith("Optional[") else f"body: {body_type} = None")
        if self.query_params:
            args.append("params: Optional[Mapping[str, Any]] = None")
        args.append("*")
        if self.body_kind == "multipart":
            args.append("files: Mapping[str, FileInput]")
            call.append("files=files")
        if self.body_kind == "raw":
            args.append("content: Optional[bytes] = None")
            args.append("content_type: str = 'application/octet-stream'")
            call.append("content=content, content_type=content_type")
        if self.result == "stream":  # SSE resumption (the WHATWG EventSource header)
            args.append("last_event_id: Optional[str] = None")
            call.append('headers={"Last-Event-ID": last_event_id} if last_event_id else None')
        if self.method == "POST":
            args.append("idempotency_key: Optional[str] = AUTO")
            call.append("idempotency_key=idempotency_key")
        if self.body_kind in ("json", "multipart"):
            args.append("**fields: Any")
            call.append("body=merge(body, fields)" if self.body_kind == "json" else "form=fields")
            if self.body_kind == "json" and self.body_required:
                call.append("body_required=True")
            if self.query_params:
                call.append("query=params")
        elif self.query_params:
            args.append("**query: Any")
            call.append("query=merge(params, query)")
        star = args.index("*")
        if star == len(args) - 1 or args[star + 1].startswith("**"):
            args.pop(star)
        call.append(f'result="{self.result}"')
        return ", ".join(args), ", ".join(call)

    def doc_lines(self) -> List[str]:
        lines = [self.op.get("summary") or f"{self.method} {self.path}"]
        if self.op.get("description"):
            lines += ["", self.op["description"]]
        lines += ["", f"``{self.method} {self.path}``"]
        if self.body_kind == "json":
            lines.append("The JSON body: ``body`` and/or keyword arguments (merged).")
        if self.body_kind == "multipart":
            props = (self.ctx.resolve(self.body_schema) or {}).get("properties") or {}
            binaries = [k for k, v in props.items() if (v or {}).get("format") == "binary"]
            plain = [k for k in props if k not in binaries]
            lines.append("multipart/form-data: ``files={" + ", ".join(f"{k!r}: ..." for k in binaries) + "}``"
                         + (" and form fields as keyword arguments: " + ", ".join(plain) if plain else "") + ".")
        if self.query_params:
            names = [p["name"] for p in self.query_params]
            lines.append("Query parameters (``params`` dict" + (")" if self.body_kind else " and/or keyword arguments)") + ": " + ", ".join(names) + ".")
        if self.result == "page":
            lines.append("Returns a Page: iterate it for every item of every page.")
        elif self.result.endswith("_or_bytes"):
            lines.append("Returns parsed JSON, or the raw bytes when the server answers another type (e.g. CSV).")
        elif self.result == "bytes":
            lines.append("Returns the raw bytes of the response.")
        elif self.result == "stream":
            lines.append("Returns an EventStream: iterate it for server-sent events; close it when done. "
                         "``last_event_id`` resumes after that event (sent as Last-Event-ID).")
        return lines

    def render(self) -> str:
        signature, call = self.signature_and_call()
        return (f"    def {self.name}({signature}) -> {self.return_type}:\n"
                + docstring(self.doc_lines(), "        ")
                + f"        return self._client._operation({call})\n")


def collect_operations(ctx: Context) -> List[Operation]:
    ops: List[Operation] = []
    for path, item in (ctx.document.get("paths") or {}).items():
        item = ctx.resolve(item) or {}
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict) and op.get("x-fieldline-sdk"):
                ops.append(Operation(ctx, path, method, op, item.get("parameters") or []))
    return ops


def render_resources(ctx: Context, ops: List[Operation]) -> Tuple[str, List[Tuple[str, str]]]:
    groups: Dict[str, List[Operation]] = {}
    for op in ops:
        groups.setdefault(op.namespace, []).append(op)
    out: List[str] = []
    namespaces: List[Tuple[str, str]] = []
    taken = set(ctx.schema_names.values())
    for namespace in sorted(groups, key=lambda n: (n != "", n)):
        members = groups[namespace]
        seen: Dict[str, Operation] = {}
        for op in members:
            if op.name in seen:
                raise SystemExit(f"generate.py: {namespace or '(top level)'}.{op.name} names two operations: "
                                 f"{seen[op.name].method} {seen[op.name].path} and {op.method} {op.path}")
            if not namespace and op.name in RESERVED_CLIENT_NAMES:
                raise SystemExit(f"generate.py: top-level operation {op.name!r} would hide the client's own attribute")
            seen[op.name] = op
        if namespace:
            cls = pascal(namespace) + "Resource"
            if cls in taken:
                raise SystemExit(f"generate.py: resource class {cls} collides with a schema name")
            taken.add(cls)
            attr = snake(namespace)
            namespaces.append((attr, cls))
            out.append(f"class {cls}(_Resource):\n")
            out.append(docstring([f"``client.{attr}``: {len(members)} operation(s)."], "    "))
        else:
            out.append("class TopLevelOperations(_Resource):\n")
            out.append(docstring(["Operations without a namespace, called on the client itself (``client.search(...)``)."], "    "))
        for op in members:
            out.append("\n" + op.render())
        out.append("\n\n")
    if "" not in groups:
        out.append("class TopLevelOperations(_Resource):\n    pass\n\n\n")
    attrs = [a for a, _ in namespaces]
    top = {op.name for op in groups.get("", [])}
    clash = sorted(top & set(attrs))
    if clash:
        raise SystemExit(f"generate.py: {clash} name both a namespace and a top-level operation")
    return "".join(out), namespaces


HEADER = '''# Generated by sdk/python/generate.py from {source} — do not edit.
# Regenerate: python3 sdk/python/generate.py
"""Types and resource classes of the Fieldline API {version}: {ops} operations, {schemas} types."""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Mapping, Optional, TypedDict, Union

from ._resource import AUTO, FileInput, Resource as _Resource, merge
from .pagination import EventStream, Page

'''


def generate(document: Dict[str, Any], source: str = "openapi.json") -> Dict[str, str]:
    """Returns {file name relative to the package: content} for `document`."""
    ctx = Context(document)
    ops = collect_operations(ctx)
    types = render_typed_dicts(ctx)
    resources, namespaces = render_resources(ctx, ops)
    version = (document.get("info") or {}).get("version", "")
    text = HEADER.format(source=source, version=version, ops=len(ops), schemas=len(ctx.schema_names))
    text += "\n" + types + resources
    text += "# client attribute -> resource class\nNAMESPACES = {\n"
    text += "".join(f"    {attr!r}: {cls},\n" for attr, cls in namespaces)
    text += "}\n"
    text += "\n__all__ = [\n" + "".join(f"    {n!r},\n" for n in sorted(ctx.schema_names.values())) + "]\n"
    return {OUTPUT_FILE: text}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", default=str(DEFAULT_OPENAPI), help="the OpenAPI document (default: the repository's openapi.json)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="the package directory to write into (default: sdk/python/fieldline)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 naming every stale file")
    args = parser.parse_args(argv)
    with open(args.openapi, encoding="utf-8") as f:
        document = json.load(f)
    files = generate(document, source=Path(args.openapi).name)
    out = Path(args.out)
    stale = []
    for name, content in files.items():
        target = out / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == content:
            continue
        if args.check:
            stale.append(str(target))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            print(f"wrote {target}")
    if stale:
        for name in stale:
            print(f"stale: {name} differs from what {args.openapi} generates; run python3 sdk/python/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
