"""HTTP for print files: the upload target of ``uploadUrl`` (spec §3.11), and stored files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import UploadFile

from printapi import effects
from printapi.api import MAX_DB_INT, ReadSession, RuntimeDep, require, stored_file_response
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import Scope
from printapi.files import service
from printapi.files.service import MEDIA_TYPES, Limits
from printapi.kit.errors import InvalidInput, UnsupportedMediaType
from printapi.kit.schema import WireOut
from printapi.kit.wire import WireResponse

router = APIRouter(tags=["files"])

Uploader = Annotated[Principal, Depends(require(Scope.FILES_UPLOAD))]
Tracker = Annotated[Principal, Depends(require(Scope.ORDERS_TRACK))]
Operator = Annotated[Principal, Depends(require(Scope.OPERATOR))]
Kind = Literal["content", "cover"]

_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            **{media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    }
}


_DOWNLOAD_DOC: dict[int | str, dict[str, object]] = {
    307: {
        "description": "Files in an object store: a redirect to a short-lived presigned URL of the store "
        "(PRINTAPI_S3_PRESIGN_SECONDS) that serves the file under the same name and type"
    },
}


class UploadOut(WireOut):
    file_name: Kind
    file_type: Literal["PDF", "PNG", "JPEG"]


async def _chunks(part: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await part.read(1024 * 1024):
        yield chunk


@asynccontextmanager
async def _body(request: Request) -> AsyncIterator[tuple[str, AsyncIterator[bytes]]]:
    """The declared media type and the bytes: the raw body, or the first file part of a multipart
    body (spooled to disk by Starlette, not kept in memory, and closed whatever happens)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        yield media, request.stream()
        return
    form = await request.form(max_files=1, max_fields=10)
    try:
        part = next((value for value in form.values() if isinstance(value, UploadFile)), None)
        if part is None:
            raise InvalidInput.on("file", "the multipart body has no file part")
        media = (part.content_type or "").split(";")[0].strip().lower()
        # A part without a type of its own is taken as a PDF; preflight checks what it really is.
        yield ("application/pdf" if media in ("", "application/octet-stream") else media), _chunks(part)
    finally:
        await form.close()


@router.post(
    "/files/{code}",
    response_model=UploadOut,
    summary="Upload a print file to an item's uploadUrl",
    description="The raw file with Content-Type application/pdf, image/png or image/jpeg (or "
    "multipart/form-data). It is checked against the product's file spec; a file that fails gets 400 "
    "with every finding.",
    openapi_extra=_UPLOAD_DOC,
    responses={
        403: {"description": "Already accepted, or the order takes no more files"},
        415: {"description": "Not PDF, PNG or JPEG"},
    },
)
async def upload_item_file(
    code: str, request: Request, principal: Uploader, runtime: RuntimeDep
) -> WireResponse:
    settings = runtime.settings
    limits = Limits(
        settings.max_upload_bytes, settings.preflight_timeout_seconds, settings.preflight_memory_mb
    )
    async with _body(request) as (media, body):
        if media not in MEDIA_TYPES:
            raise UnsupportedMediaType(
                message=f"Content-Type {media or '(none)'} is not a print file.",
                hints=[
                    "Send application/pdf, image/png or image/jpeg, or multipart/form-data with one file."
                ],
            )
        uploaded = await service.upload(
            db=runtime.db,
            storage=runtime.storage,
            principal=principal,
            code=code,
            declared_type=MEDIA_TYPES[media],
            body=body,
            limits=limits,
            now=runtime.clock.now(),
            effects=effects.handle,
        )
    return WireResponse(
        UploadOut(file_name=uploaded.file_name, file_type=uploaded.file_type), zone=runtime.zone
    )


@router.get(
    "/orders/{order_id}/items/{item_id}/files/{kind}",
    summary="Download a stored print file of your order (extension)",
    response_class=StreamingResponse,
    responses=_DOWNLOAD_DOC,
)
async def get_item_file(
    order_id: str, item_id: str, kind: Kind, principal: Tracker, session: ReadSession, runtime: RuntimeDep
) -> Response:
    file = await service.stored(
        session,
        account_id=principal.account_id,
        environment=principal.environment,
        order_id=order_id,
        item_id=item_id,
        kind=kind,
    )
    return await stored_file_response(runtime, file, name=f"{order_id}-{item_id}-{kind}")


@router.get(
    "/operator/accounts/{account_id}/orders/{order_id}/items/{item_id}/files/{kind}",
    summary="Download a stored print file (operators)",
    tags=["operator"],
    response_class=StreamingResponse,
    responses=_DOWNLOAD_DOC,
)
async def get_account_item_file(
    account_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    order_id: str,
    item_id: str,
    kind: Kind,
    _: Operator,
    session: ReadSession,
    runtime: RuntimeDep,
    environment: Annotated[Environment | None, Query()] = None,
) -> Response:
    file = await service.stored(
        session, account_id=account_id, environment=environment, order_id=order_id, item_id=item_id, kind=kind
    )
    return await stored_file_response(runtime, file, name=f"{order_id}-{item_id}-{kind}")
