"""What the generated resource classes stand on: the base class, the idempotency sentinel, file inputs."""
from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Union

if TYPE_CHECKING:
    from ._client import Fieldline


class _Auto:
    """The default of `idempotency_key`: a fresh UUID4 per call (kept across its retries)."""

    _instance: Optional["_Auto"] = None

    def __new__(cls) -> "_Auto":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "AUTO"

    def __bool__(self) -> bool:
        return True


AUTO: Any = _Auto()

# bytes, an open binary file, or (filename, bytes-or-file[, content_type]).
FileInput = Union[bytes, IO[bytes], Tuple[str, Union[bytes, IO[bytes]]], Tuple[str, Union[bytes, IO[bytes]], str]]


def merge(base: Optional[Mapping[str, Any]], extra: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """`body`/`params` dict plus keyword arguments (which win); None when both are empty."""
    if base is None and not extra:
        return None
    return {**(base or {}), **extra}


class Resource:
    """A namespace of operations (`client.customers`); every method delegates to the client."""

    def __init__(self, client: "Fieldline") -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
