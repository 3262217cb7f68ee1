from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.upload_item_file_files_body import UploadItemFileFilesBody
from ...models.upload_out import UploadOut
from ...types import Response


def _get_kwargs(
    code: str,
    *,
    body: UploadItemFileFilesBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/files/{code}".format(
            code=quote(str(code), safe=""),
        ),
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | UploadOut | None:
    if response.status_code == 200:
        response_200 = UploadOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorOut.from_dict(response.json())

        return response_415

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | UploadOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    body: UploadItemFileFilesBody,
) -> Response[ErrorOut | UploadOut]:
    """Upload a print file to an item's uploadUrl

     The raw file with Content-Type application/pdf, image/png or image/jpeg (or multipart/form-data). It
    is checked against the product's file spec; a file that fails gets 400 with every finding.

    Args:
        code (str):
        body (UploadItemFileFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | UploadOut]
    """

    kwargs = _get_kwargs(
        code=code,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    *,
    client: AuthenticatedClient,
    body: UploadItemFileFilesBody,
) -> ErrorOut | UploadOut | None:
    """Upload a print file to an item's uploadUrl

     The raw file with Content-Type application/pdf, image/png or image/jpeg (or multipart/form-data). It
    is checked against the product's file spec; a file that fails gets 400 with every finding.

    Args:
        code (str):
        body (UploadItemFileFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | UploadOut
    """

    return sync_detailed(
        code=code,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    body: UploadItemFileFilesBody,
) -> Response[ErrorOut | UploadOut]:
    """Upload a print file to an item's uploadUrl

     The raw file with Content-Type application/pdf, image/png or image/jpeg (or multipart/form-data). It
    is checked against the product's file spec; a file that fails gets 400 with every finding.

    Args:
        code (str):
        body (UploadItemFileFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | UploadOut]
    """

    kwargs = _get_kwargs(
        code=code,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    *,
    client: AuthenticatedClient,
    body: UploadItemFileFilesBody,
) -> ErrorOut | UploadOut | None:
    """Upload a print file to an item's uploadUrl

     The raw file with Content-Type application/pdf, image/png or image/jpeg (or multipart/form-data). It
    is checked against the product's file spec; a file that fails gets 400 with every finding.

    Args:
        code (str):
        body (UploadItemFileFilesBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | UploadOut
    """

    return (
        await asyncio_detailed(
            code=code,
            client=client,
            body=body,
        )
    ).parsed
