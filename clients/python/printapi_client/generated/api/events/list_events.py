from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.event_list_out import EventListOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | EventListOut | None:
    if response.status_code == 200:
        response_200 = EventListOut.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | EventListOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> Response[ErrorOut | EventListOut]:
    """Order and payment changes after a cursor, oldest first

     Every change of an order or its payment in this account and environment, kept for the retention
    period. Leave `after` out to start at the oldest event kept; pass the answer's `cursor` to read on.
    Each event is listed once, in the same order on every read, even while changes are being made.

    Args:
        after (None | str | Unset): The cursor of the last answer, or an event's id; left out:
            from the oldest event kept.
        limit (int | None | Unset): Events per answer: 100 unless given, 1000 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | EventListOut]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> ErrorOut | EventListOut | None:
    """Order and payment changes after a cursor, oldest first

     Every change of an order or its payment in this account and environment, kept for the retention
    period. Leave `after` out to start at the oldest event kept; pass the answer's `cursor` to read on.
    Each event is listed once, in the same order on every read, even while changes are being made.

    Args:
        after (None | str | Unset): The cursor of the last answer, or an event's id; left out:
            from the oldest event kept.
        limit (int | None | Unset): Events per answer: 100 unless given, 1000 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | EventListOut
    """

    return sync_detailed(
        client=client,
        after=after,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> Response[ErrorOut | EventListOut]:
    """Order and payment changes after a cursor, oldest first

     Every change of an order or its payment in this account and environment, kept for the retention
    period. Leave `after` out to start at the oldest event kept; pass the answer's `cursor` to read on.
    Each event is listed once, in the same order on every read, even while changes are being made.

    Args:
        after (None | str | Unset): The cursor of the last answer, or an event's id; left out:
            from the oldest event kept.
        limit (int | None | Unset): Events per answer: 100 unless given, 1000 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | EventListOut]
    """

    kwargs = _get_kwargs(
        after=after,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
) -> ErrorOut | EventListOut | None:
    """Order and payment changes after a cursor, oldest first

     Every change of an order or its payment in this account and environment, kept for the retention
    period. Leave `after` out to start at the oldest event kept; pass the answer's `cursor` to read on.
    Each event is listed once, in the same order on every read, even while changes are being made.

    Args:
        after (None | str | Unset): The cursor of the last answer, or an event's id; left out:
            from the oldest event kept.
        limit (int | None | Unset): Events per answer: 100 unless given, 1000 at most.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | EventListOut
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            limit=limit,
        )
    ).parsed
