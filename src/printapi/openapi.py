"""The OpenAPI document at ``/v2/openapi.json``: FastAPI generates it from the routes; this
module documents the error answers the exception handlers send (and drops FastAPI's 422, which is
never sent)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from printapi.kit.schema import ErrorOut

_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
_CONFLICTS = {
    ("post", "/v2/orders"): "An order with this id exists already",
    ("post", "/v2/operator/coupons"): "A coupon with this code exists already",
    ("post", "/v2/orders/{order_id}/status"): "The order was changed by someone else meanwhile",
    (
        "post",
        "/v2/operator/accounts/{account_id}/orders/{order_id}/status",
    ): "The order was changed meanwhile",
}


def _document_errors(schema: dict[str, Any]) -> None:
    """Every operation's error answers, in the documented body; FastAPI's 422 is never sent."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            responses.pop("422", None)
            if path == "/v2/oauth" or not path.startswith("/v2/"):
                continue
            errors = {"400": "Invalid input: every problem is listed in errors"}
            if "security" in operation:
                errors |= {
                    "401": "No, unknown or expired token",
                    "403": "The token's scopes or the state forbid it",
                }
            if "{" in path:
                errors["404"] = "Unknown, or not yours"
            if "requestBody" in operation:
                errors["413"] = "The body is larger than the limit"
                errors["415"] = "The body is not JSON (Content-Type: application/json)"
            if conflict := _CONFLICTS.get((method, path)):
                errors["409"] = conflict
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": _ERROR_REF})


def install(app: FastAPI) -> None:
    """Serves the document built here (once, on the first request) as the app's OpenAPI document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            _document_errors(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
