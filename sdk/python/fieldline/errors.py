"""Typed errors: every API error carries the RFC 9457 problem details and the request id."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional


class FieldlineError(Exception):
    """An error answer of the API (status >= 400), or a failure to reach it (`APIConnectionError`).

    `problem` is the whole problem-details object; `code` its stable machine code
    (`not_found`, `validation_failed`, ...); `request_id` the server's `X-Request-Id`.
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        title: Optional[str] = None,
        detail: Optional[str] = None,
        request_id: Optional[str] = None,
        problem: Optional[Dict[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.request_id = request_id
        self.problem: Dict[str, Any] = problem or {}
        self.headers: Dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} (request {self.request_id})" if self.request_id else text


class APIError(FieldlineError):
    """The server answered with an error status."""


class BadRequestError(APIError):
    """400: malformed request (unknown filter, bad cursor, ...)."""


class AuthenticationError(APIError):
    """401: missing, invalid, expired or revoked credential (also a refused OAuth token request)."""


class ForbiddenError(APIError):
    """403: `forbidden` or `insufficient_scope` (the credential lacks the scope)."""


class NotFoundError(APIError):
    """404: no such object in this account."""


class ConflictError(APIError):
    """409: `conflict`, `invalid_state_transition` or `payments_not_configured`."""


class ValidationError(APIError):
    """422: `validation_failed` (see `errors`) or `idempotency_key_reused`."""

    @property
    def errors(self) -> List[Dict[str, Any]]:
        """Field errors: [{"path": "email", "message": "..."}]."""
        return list(self.problem.get("errors") or [])


class RateLimitError(APIError):
    """429: `rate_limited` or `quota_exceeded`; `retry_after` in seconds when the server says."""

    @property
    def retry_after(self) -> Optional[float]:
        from ._http import parse_retry_after
        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(APIError):
    """5xx: `internal_error`, `service_unavailable`."""


class APIConnectionError(FieldlineError):
    """The request never got an answer (connection refused or reset, timeout)."""


class WebhookVerificationError(Exception):
    """A webhook whose signature, timestamp or headers do not check out."""


_BY_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError,
              409: ConflictError, 422: ValidationError, 429: RateLimitError}


def error_from_response(status: int, headers: Mapping[str, str], body: Any) -> APIError:
    """The typed error for an error answer; `body` is the parsed JSON (a problem) or the raw text."""
    problem: Dict[str, Any] = body if isinstance(body, dict) else {}
    if "error" in problem and "code" not in problem:  # OAuth token endpoint (RFC 6749 section 5.2)
        problem = {**problem, "code": problem["error"], "detail": problem.get("error_description")}
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    title = problem.get("title")
    detail = problem.get("detail")
    message = f"{status} {problem.get('code') or title or 'error'}" + (f": {detail}" if detail else "")
    if not problem and isinstance(body, str) and body.strip():
        message += f": {body.strip()[:200]}"
    return cls(
        message, status=status, code=problem.get("code"), title=title, detail=detail,
        request_id=problem.get("request_id") or headers.get("x-request-id"), problem=problem, headers=headers,
    )
