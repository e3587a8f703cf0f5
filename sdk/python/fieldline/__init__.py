"""Fieldline API client for Python: `from fieldline import Fieldline`."""
from . import webhooks
from ._client import Fieldline
from ._generated import *  # noqa: F401,F403  (the TypedDicts of the API's objects)
from ._resource import AUTO
from .errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FieldlineError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
    WebhookVerificationError,
)
from .oauth import ClientCredentials
from .pagination import EventStream, Page, ServerSentEvent
from .version import __version__

__all__ = [
    "AUTO", "APIConnectionError", "APIError", "AuthenticationError", "BadRequestError", "ClientCredentials",
    "ConflictError", "EventStream", "Fieldline", "FieldlineError", "ForbiddenError", "NotFoundError", "Page",
    "RateLimitError", "ServerError", "ServerSentEvent", "ValidationError", "WebhookVerificationError",
    "__version__", "webhooks",
]
