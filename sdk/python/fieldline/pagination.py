"""Lists: a Page iterates every item of every page (following `next_cursor`); an EventStream
reads server-sent events."""
from __future__ import annotations

import json
from typing import IO, Any, Callable, Dict, Generic, Iterator, List, Optional, TypeVar

T = TypeVar("T")


class Page(Generic[T]):
    """The first page of a list, eagerly fetched, plus iteration over all the rest.

    `page.data`, `page.has_more`, `page.next_cursor` and `page.total` describe the first page;
    `for item in page` yields every item of every page, fetching the next one only when needed;
    `page.pages()` yields the pages themselves.
    """

    def __init__(self, fetch: Callable[[Dict[str, Any]], Dict[str, Any]], query: Optional[Dict[str, Any]] = None) -> None:
        self._fetch = fetch
        self._query = dict(query or {})
        body = fetch(self._query)
        self.data: List[T] = list(body.get("data") or [])
        page = body.get("page") or {}
        self.has_more: bool = bool(page.get("has_more"))
        self.next_cursor: Optional[str] = page.get("next_cursor")
        self.total: Optional[int] = page.get("total")

    def next_page(self) -> Optional["Page[T]"]:
        """The following page, or None on the last one."""
        if not self.has_more or not self.next_cursor:
            return None
        query = {k: v for k, v in self._query.items() if k not in ("cursor", "offset")}
        query["cursor"] = self.next_cursor
        return Page(self._fetch, query)

    def pages(self) -> Iterator["Page[T]"]:
        page: Optional[Page[T]] = self
        while page is not None:
            yield page
            page = page.next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data

    def __repr__(self) -> str:
        return f"<Page of {len(self.data)} item(s), has_more={self.has_more}>"


class ServerSentEvent:
    def __init__(self, event: str, data: str, id: Optional[str], retry: Optional[int]) -> None:
        self.event, self.data, self.id, self.retry = event, data, id, retry

    def json(self) -> Any:
        return json.loads(self.data)

    def __repr__(self) -> str:
        return f"<ServerSentEvent {self.event} id={self.id}>"


class EventStream:
    """Server-sent events (`text/event-stream`) as they arrive; a context manager that closes the connection."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def __iter__(self) -> Iterator[ServerSentEvent]:
        event, data, last_id, retry = "message", [], None, None  # type: str, List[str], Optional[str], Optional[int]
        for raw_line in self._raw:
            line = raw_line.decode("utf-8").rstrip("\r\n")
            if not line:
                if data:
                    yield ServerSentEvent(event, "\n".join(data), last_id, retry)
                event, data = "message", []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                last_id = value
            elif name == "retry" and value.isdigit():
                retry = int(value)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
