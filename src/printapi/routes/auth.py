"""The OAuth2 token endpoint (spec §1.3): client credentials in the form body or HTTP Basic.

Errors here follow RFC 6749 §5.2 (``{"error": ..., "error_description": ...}``), not the API's
error body, because OAuth client libraries parse them.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import Response

from printapi.api import RuntimeDep, WriteSession
from printapi.auth import service
from printapi.auth.service import OAuthError

router = APIRouter(tags=["auth"])

_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MEDIA = "application/json;charset=UTF-8"

_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                        "scope": {"type": "string", "description": "Optional subset, space separated"},
                    },
                }
            }
        },
    },
    "responses": {
        "200": {
            "description": "An access token",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "access_token": {"type": "string"},
                            "token_type": {"type": "string"},
                            "expires_in": {"type": "integer"},
                            "scope": {"type": "string"},
                        },
                    }
                }
            },
        },
        "400": {"description": "RFC 6749 error (invalid_request, unsupported_grant_type, invalid_scope)"},
        "401": {"description": "RFC 6749 invalid_client"},
    },
}


def _json(body: dict[str, object], status: int, extra: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status_code=status, media_type=_MEDIA, headers={**_HEADERS, **(extra or {})}
    )


def error_response(error: OAuthError) -> Response:
    extra = {"WWW-Authenticate": 'Basic realm="printapi"'} if error.status == 401 else None
    return _json({"error": error.error, "error_description": error.description}, error.status, extra)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "Malformed HTTP Basic credentials.", status=401) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "Malformed HTTP Basic credentials.", status=401)
    # RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded.")
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    if any("\x00" in value for value in values.values()):
        raise OAuthError("invalid_request", "Parameters must not contain NUL characters.")
    return values


@router.post("/oauth", summary="Get an access token (client credentials)", openapi_extra=_DOC)
async def issue_token(request: Request, session: WriteSession, runtime: RuntimeDep) -> Response:
    try:
        form = await _form(request)
        basic = _basic_credentials(request.headers.get("authorization"))
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required.")
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
        if basic and ("client_id" in form or "client_secret" in form):
            raise OAuthError(
                "invalid_request", "Authenticate the client with HTTP Basic or the form, not both."
            )
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id or not secret:
            raise OAuthError("invalid_request", "client_id and client_secret are required.")
        grant = await service.issue_token(
            session,
            client_id=client_id,
            client_secret=secret,
            requested_scope=form.get("scope"),
            secret_key=runtime.settings.secret_key,
            ttl=runtime.settings.token_ttl,
            now=runtime.clock.now(),
        )
    except OAuthError as error:
        return error_response(error)
    return _json(
        {
            "access_token": grant.access_token,
            "token_type": "bearer",
            "expires_in": grant.expires_in,
            "scope": grant.scope,
        },
        200,
    )
