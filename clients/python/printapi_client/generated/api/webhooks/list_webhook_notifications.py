from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.notification_list_out import NotificationListOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    endpoint_id: str,
    *,
    offset: int | Unset = 0,
    limit: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["offset"] = offset

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/webhooks/{endpoint_id}/notifications".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | NotificationListOut | None:
    if response.status_code == 200:
        response_200 = NotificationListOut.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | NotificationListOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | Unset = 0,
    limit: int | None | Unset = UNSET,
) -> Response[ErrorOut | NotificationListOut]:
    """The delivery log of an endpoint, newest first, with every attempt

    Args:
        endpoint_id (str):
        offset (int | Unset): Results to skip. Default: 0.
        limit (int | None | Unset): Page size: 20 unless given, 100 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | NotificationListOut]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        offset=offset,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | Unset = 0,
    limit: int | None | Unset = UNSET,
) -> ErrorOut | NotificationListOut | None:
    """The delivery log of an endpoint, newest first, with every attempt

    Args:
        endpoint_id (str):
        offset (int | Unset): Results to skip. Default: 0.
        limit (int | None | Unset): Page size: 20 unless given, 100 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | NotificationListOut
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        offset=offset,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | Unset = 0,
    limit: int | None | Unset = UNSET,
) -> Response[ErrorOut | NotificationListOut]:
    """The delivery log of an endpoint, newest first, with every attempt

    Args:
        endpoint_id (str):
        offset (int | Unset): Results to skip. Default: 0.
        limit (int | None | Unset): Page size: 20 unless given, 100 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | NotificationListOut]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        offset=offset,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    offset: int | Unset = 0,
    limit: int | None | Unset = UNSET,
) -> ErrorOut | NotificationListOut | None:
    """The delivery log of an endpoint, newest first, with every attempt

    Args:
        endpoint_id (str):
        offset (int | Unset): Results to skip. Default: 0.
        limit (int | None | Unset): Page size: 20 unless given, 100 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | NotificationListOut
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            offset=offset,
            limit=limit,
        )
    ).parsed
