"""A Python SDK for printapi, the self-hostable Print API v2 server.

``PrintApi`` / ``AsyncPrintApi`` keep the token, retry, page and upload; ``.client`` runs every
operation of ``printapi_client.generated.api`` (generated from the server's OpenAPI document),
``ok()`` turns an answer into its model or an ``ApiError``, and ``verify_webhook`` checks a webhook
call's signature. See README.md.
"""

from printapi_client._answers import ok
from printapi_client._retries import Retries
from printapi_client._version import __version__
from printapi_client.api import AsyncPrintApi, PrintApi
from printapi_client.errors import (
    ApiError,
    AuthenticationError,
    FieldError,
    PrintApiError,
    WebhookVerificationError,
)
from printapi_client.webhooks import VerifiedWebhook, verify_webhook

__all__ = [
    "ApiError",
    "AsyncPrintApi",
    "AuthenticationError",
    "FieldError",
    "PrintApi",
    "PrintApiError",
    "Retries",
    "VerifiedWebhook",
    "WebhookVerificationError",
    "__version__",
    "ok",
    "verify_webhook",
]
