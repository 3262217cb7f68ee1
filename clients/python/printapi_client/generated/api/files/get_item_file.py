from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.get_item_file_kind import GetItemFileKind
from ...types import Response


def _get_kwargs(
    order_id: str,
    item_id: str,
    kind: GetItemFileKind,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/orders/{order_id}/items/{item_id}/files/{kind}".format(
            order_id=quote(str(order_id), safe=""),
            item_id=quote(str(item_id), safe=""),
            kind=quote(str(kind), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorOut | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 307:
        response_307 = cast(Any, None)
        return response_307

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | ErrorOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    order_id: str,
    item_id: str,
    kind: GetItemFileKind,
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorOut]:
    """Download a stored print file of your order (extension)

    Args:
        order_id (str):
        item_id (str):
        kind (GetItemFileKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut]
    """

    kwargs = _get_kwargs(
        order_id=order_id,
        item_id=item_id,
        kind=kind,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    order_id: str,
    item_id: str,
    kind: GetItemFileKind,
    *,
    client: AuthenticatedClient,
) -> Any | ErrorOut | None:
    """Download a stored print file of your order (extension)

    Args:
        order_id (str):
        item_id (str):
        kind (GetItemFileKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut
    """

    return sync_detailed(
        order_id=order_id,
        item_id=item_id,
        kind=kind,
        client=client,
    ).parsed


async def asyncio_detailed(
    order_id: str,
    item_id: str,
    kind: GetItemFileKind,
    *,
    client: AuthenticatedClient,
) -> Response[Any | ErrorOut]:
    """Download a stored print file of your order (extension)

    Args:
        order_id (str):
        item_id (str):
        kind (GetItemFileKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorOut]
    """

    kwargs = _get_kwargs(
        order_id=order_id,
        item_id=item_id,
        kind=kind,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    order_id: str,
    item_id: str,
    kind: GetItemFileKind,
    *,
    client: AuthenticatedClient,
) -> Any | ErrorOut | None:
    """Download a stored print file of your order (extension)

    Args:
        order_id (str):
        item_id (str):
        kind (GetItemFileKind):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorOut
    """

    return (
        await asyncio_detailed(
            order_id=order_id,
            item_id=item_id,
            kind=kind,
            client=client,
        )
    ).parsed
