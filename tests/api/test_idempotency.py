"""``Idempotency-Key`` on POST and PATCH (docs/api.md, "Extension: Idempotency-Key"), on both databases.

A retried request with the same key answers what the first one did, byte for byte, with
``Idempotent-Replayed: true``, and changes nothing more; the key and the first answer are written
in the transaction of the request's change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from printapi import worker
from printapi.idempotency import service
from printapi.idempotency.middleware import policy_of
from printapi.idempotency.service import Answer, Claim, KeyInUse, KeyReused
from printapi.kit.clock import FixedClock
from printapi.kit.errors import ServiceUnavailable
from printapi.models import IdempotencyKey, Order
from printapi.orders import service as orders
from printapi.runtime import Runtime
from tests.api.helpers import API_JSON, assert_error, order_count
from tests.conftest import Credentials, app_for, bearer, make_credentials, order_body

KEY = "order-2025-0001"
REPLAYED = "idempotent-replayed"


def keyed(headers: dict[str, str], key: str = KEY) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def key_rows(runtime: Runtime) -> list[IdempotencyKey]:
    async with runtime.db.read() as session:
        return list((await session.execute(select(IdempotencyKey))).scalars())


async def order_rows(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int((await session.execute(select(func.count()).select_from(Order))).scalar_one())


class TestARetriedPost:
    async def test_answers_the_first_201_again_and_places_one_order(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        first = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))
        second = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        assert first.status_code == second.status_code == 201, (first.text, second.text)
        assert second.content == first.content
        assert second.headers["location"] == first.headers["location"]
        assert second.headers["content-type"] == first.headers["content-type"] == API_JSON
        assert second.headers[REPLAYED] == "true"
        assert REPLAYED not in first.headers
        assert await order_count(client, auth_headers) == 1

    async def test_without_the_header_places_two_orders_as_before(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], runtime: Runtime
    ) -> None:
        first = await client.post("/v2/orders", json=order_body(), headers=auth_headers)
        second = await client.post("/v2/orders", json=order_body(), headers=auth_headers)

        assert first.status_code == second.status_code == 201
        assert first.json()["id"] != second.json()["id"]
        assert REPLAYED not in second.headers
        assert await key_rows(runtime) == []

    async def test_with_another_body_is_a_422_naming_the_key_and_changes_nothing(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        other = order_body(shipping={"address": {**order_body()["shipping"]["address"], "city": "Gouda"}})
        response = await client.post("/v2/orders", json=other, headers=keyed(auth_headers))

        body = assert_error(response, 422, field="Idempotency-Key")
        assert KEY in body["message"]
        assert await order_count(client, auth_headers) == 1

    async def test_to_another_path_with_the_same_key_is_a_422(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        response = await client.post("/v1/orders", json=order_body(), headers=keyed(auth_headers))

        assert_error(response, 422, field="Idempotency-Key")

    async def test_with_a_method_or_path_no_route_takes_is_the_router_s_405_or_404_and_claims_nothing(
        self, client: httpx.AsyncClient, runtime: Runtime, auth_headers: dict[str, str]
    ) -> None:
        await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        patched = await client.patch("/v2/orders", json=order_body(), headers=keyed(auth_headers))
        nowhere = await client.post("/v2/no-such-thing", json={}, headers=keyed(auth_headers, "another"))

        assert_error(patched, 405)
        assert "POST" in patched.headers["Allow"]
        assert_error(nowhere, 404)
        assert [row.key for row in await key_rows(runtime)] == [KEY]  # "another" was not claimed

    async def test_of_another_api_client_is_independent(
        self, client: httpx.AsyncClient, runtime: Runtime, shop: Credentials, auth_headers: dict[str, str]
    ) -> None:
        second_client = await make_credentials(runtime, email=shop.email)  # same account and environment
        other_headers = await bearer(client, second_client)

        first = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))
        second = await client.post("/v2/orders", json=order_body(), headers=keyed(other_headers))

        assert first.status_code == second.status_code == 201
        assert REPLAYED not in second.headers
        assert first.json()["id"] != second.json()["id"]
        assert await order_count(client, auth_headers) == 2

    async def test_refused_with_a_400_is_answered_the_same_way_again(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        bad = order_body(items=[])
        first = await client.post("/v2/orders", json=bad, headers=keyed(auth_headers))
        second = await client.post("/v2/orders", json=bad, headers=keyed(auth_headers))

        assert_error(first, 400)
        assert second.status_code == 400
        assert second.content == first.content
        assert second.headers[REPLAYED] == "true"
        assert await order_count(client, auth_headers) == 0


class TestTenIdenticalPostsAtOnce:
    async def test_place_one_order_answered_201_once_and_409_or_replayed_otherwise(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], runtime: Runtime
    ) -> None:
        answers = await asyncio.gather(
            *(client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers)) for _ in range(10))
        )

        firsts = [a for a in answers if a.status_code == 201 and REPLAYED not in a.headers]
        replays = [a for a in answers if a.status_code == 201 and a.headers.get(REPLAYED) == "true"]
        in_use = [a for a in answers if a.status_code == 409]
        assert len(firsts) == 1, [(a.status_code, a.text) for a in answers]
        assert len(firsts) + len(replays) + len(in_use) == 10
        assert all(replay.content == firsts[0].content for replay in replays)
        for answer in in_use:
            assert KEY in assert_error(answer, 409, field="Idempotency-Key")["message"]
        assert await order_rows(runtime) == 1


class TestTheKeyAndTheAnswer:
    async def test_are_written_in_the_transaction_of_the_change(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], runtime: Runtime
    ) -> None:
        with transactions(runtime) as seen:
            response = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        assert response.status_code == 201
        # The order's INSERT: a statement of its own on SQLite, the first part of one on PostgreSQL.
        placing = [t for t in seen if any("INSERT INTO orders " in s for s in t)]
        assert len(placing) == 1, seen
        assert any(s.startswith("UPDATE idempotency_keys") for s in placing[0]), placing
        (row,) = await key_rows(runtime)
        assert row.status == "done"
        assert row.response_status == 201
        assert row.response_body == response.content

    async def test_of_a_request_that_outlived_its_lease_and_lost_its_key_are_undone_with_a_409(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        runtime: Runtime,
        clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        real_store = orders.store_order
        taken_over: list[Claim | Answer] = []

        async def store_after_a_retry_took_the_key(*args: Any, **kwargs: Any) -> Any:
            clock.advance(timedelta(seconds=runtime.settings.idempotency_lease_seconds))
            (row,) = await key_rows(runtime)
            async with runtime.db.write() as session:  # a retry, in another process
                taken_over.append(
                    await service.claim(
                        session,
                        client_pk=row.client_pk,
                        key=row.key,
                        fingerprint=row.fingerprint,
                        policy=policy_of(runtime),
                        now=clock.now(),
                    )
                )
            return await real_store(*args, **kwargs)

        monkeypatch.setattr(orders, "store_order", store_after_a_retry_took_the_key)
        response = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        assert_error(response, 409, field="Idempotency-Key")
        assert await order_rows(runtime) == 0  # the order of the run that lost its key rolled back
        (retry,) = taken_over
        assert isinstance(retry, Claim)
        (row,) = await key_rows(runtime)
        assert (row.status, row.claim) == ("running", retry.claim)  # the retry's, to finish

    async def test_are_not_kept_after_a_server_error_so_a_retry_runs(
        self,
        client: httpx.AsyncClient,
        auth_headers: dict[str, str],
        runtime: Runtime,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        async def unavailable(*_args: Any, **_kwargs: Any) -> None:
            raise ServiceUnavailable(message="The database is being moved.")

        with monkeypatch.context() as patched:
            patched.setattr(orders, "store_order", unavailable)
            failed = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))
        assert failed.status_code == 503
        assert await key_rows(runtime) == []

        retried = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))

        assert retried.status_code == 201
        assert REPLAYED not in retried.headers
        assert await order_count(client, auth_headers) == 1

    async def test_are_not_kept_after_an_unexpected_error(
        self, runtime: Runtime, auth_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async def broken(*_args: Any, **_kwargs: Any) -> None:
            raise RuntimeError("a bug")

        transport = httpx.ASGITransport(app=app_for(runtime), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            with monkeypatch.context() as patched:
                patched.setattr(orders, "store_order", broken)
                failed = await http.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))
            assert failed.status_code == 500
            assert await key_rows(runtime) == []

            retried = await http.post("/v2/orders", json=order_body(), headers=keyed(auth_headers))
        assert retried.status_code == 201
        assert await order_rows(runtime) == 1


class TestAKey:
    @pytest.mark.parametrize("key", ["", "x" * 256, "bestelling-é", "tab\there"])
    async def test_that_is_not_1_to_255_printable_ascii_characters_is_a_400_and_nothing_is_written(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str], runtime: Runtime, key: str
    ) -> None:
        headers = [*auth_headers.items(), ("Idempotency-Key", key.encode("latin-1"))]
        response = await client.post("/v2/orders", json=order_body(), headers=headers)

        assert_error(response, 400, field="Idempotency-Key")
        assert await key_rows(runtime) == []
        assert await order_rows(runtime) == 0

    async def test_of_255_characters_with_spaces_and_punctuation_is_taken(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        key = ("a b~!" * 51)[:255]
        first = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers, key))
        second = await client.post("/v2/orders", json=order_body(), headers=keyed(auth_headers, key))

        assert first.status_code == second.status_code == 201
        assert second.headers[REPLAYED] == "true"

    async def test_without_a_valid_token_leaves_the_401_to_the_route(
        self, client: httpx.AsyncClient, runtime: Runtime
    ) -> None:
        headers = {"Authorization": "Bearer not-a-token", "Idempotency-Key": KEY}
        response = await client.post("/v2/orders", json=order_body(), headers=headers)

        assert_error(response, 401)
        assert await key_rows(runtime) == []

    async def test_is_replayed_for_24_hours_then_runs_anew(
        self, client: httpx.AsyncClient, shop: Credentials, clock: FixedClock
    ) -> None:
        first = await client.post("/v2/orders", json=order_body(), headers=keyed(await bearer(client, shop)))
        clock.advance(timedelta(hours=23, minutes=59))
        headers = keyed(await bearer(client, shop))  # tokens live 4 hours
        replayed = await client.post("/v2/orders", json=order_body(), headers=headers)
        clock.advance(timedelta(minutes=1))
        headers = keyed(await bearer(client, shop))
        anew = await client.post("/v2/orders", json=order_body(), headers=headers)

        assert replayed.headers[REPLAYED] == "true"
        assert replayed.content == first.content
        assert anew.status_code == 201
        assert REPLAYED not in anew.headers
        assert anew.json()["id"] != first.json()["id"]

    async def test_that_expired_is_pruned_by_the_worker_and_a_live_one_is_kept(
        self, client: httpx.AsyncClient, shop: Credentials, clock: FixedClock, runtime: Runtime
    ) -> None:
        await client.post("/v2/orders", json=order_body(), headers=keyed(await bearer(client, shop), "old"))
        clock.advance(timedelta(hours=20))
        await client.post("/v2/orders", json=order_body(), headers=keyed(await bearer(client, shop), "new"))
        clock.advance(timedelta(hours=4))

        assert await worker.prune_idempotency_keys(runtime) == 1
        assert [row.key for row in await key_rows(runtime)] == ["new"]
        assert await worker.prune_idempotency_keys(runtime) == 0
        assert "prune-idempotency-keys" in {job.name for job in worker.jobs(runtime.settings)}


class TestAPatch:
    async def test_of_the_account_is_replayed_and_another_body_with_its_key_is_a_422(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        headers = keyed(auth_headers, "settings-1")
        first = await client.patch("/v2/account", json={"paymentScreen": True}, headers=headers)
        second = await client.patch("/v2/account", json={"paymentScreen": True}, headers=headers)
        other = await client.patch("/v2/account", json={"paymentScreen": False}, headers=headers)

        assert first.status_code == second.status_code == 200, first.text
        assert second.content == first.content
        assert second.headers[REPLAYED] == "true"
        assert_error(other, 422, field="Idempotency-Key")
        account = await client.get("/v2/account", headers=auth_headers)
        assert account.json()["paymentScreen"] is True

    async def test_of_a_webhook_endpoint_is_replayed(
        self, client: httpx.AsyncClient, auth_headers: dict[str, str]
    ) -> None:
        endpoint = {"url": "https://shop.example.nl/hooks"}
        created = await client.post("/v2/webhooks", json=endpoint, headers=keyed(auth_headers, "hook-1"))
        assert created.status_code == 201, created.text
        path = f"/v2/webhooks/{created.json()['id']}"
        change = {"description": "the shop"}

        first = await client.patch(path, json=change, headers=keyed(auth_headers, "hook-2"))
        second = await client.patch(path, json=change, headers=keyed(auth_headers, "hook-2"))

        assert first.status_code == second.status_code == 200, first.text
        assert second.content == first.content
        assert second.headers[REPLAYED] == "true"


class TestTheClaim:
    """The decisions on a key, as two processes would meet them (the service on the database)."""

    async def claim(self, runtime: Runtime, fingerprint: str = "f1", client_pk: int = 1) -> Claim | Answer:
        async with runtime.db.write() as session:
            return await service.claim(
                session,
                client_pk=client_pk,
                key=KEY,
                fingerprint=fingerprint,
                policy=policy_of(runtime),
                now=runtime.clock.now(),
            )

    async def test_of_a_running_key_is_a_409_until_its_lease_runs_out_then_it_is_taken_over(
        self, runtime: Runtime, clock: FixedClock
    ) -> None:
        first = await self.claim(runtime)
        assert isinstance(first, Claim)
        with pytest.raises(KeyInUse):
            await self.claim(runtime)

        clock.advance(timedelta(seconds=runtime.settings.idempotency_lease_seconds))
        second = await self.claim(runtime)

        assert isinstance(second, Claim)
        assert second.pk == first.pk
        assert second.claim != first.claim

    async def test_a_run_that_lost_its_key_cannot_record_its_answer(
        self, runtime: Runtime, clock: FixedClock
    ) -> None:
        first = await self.claim(runtime)
        assert isinstance(first, Claim)
        clock.advance(timedelta(seconds=runtime.settings.idempotency_lease_seconds))
        second = await self.claim(runtime)
        assert isinstance(second, Claim)
        answer = Answer(201, (("content-type", API_JSON),), b"{}")

        async with runtime.db.write() as session:
            with pytest.raises(KeyInUse):
                await service.record(session, claim=first, answer=answer)
        async with runtime.db.write() as session:
            await service.record(session, claim=second, answer=answer)

        assert await self.claim(runtime) == answer

    async def test_of_another_request_while_the_first_runs_is_a_422(self, runtime: Runtime) -> None:
        await self.claim(runtime)

        with pytest.raises(KeyReused):
            await self.claim(runtime, fingerprint="f2")

    async def test_a_released_key_is_claimed_anew(self, runtime: Runtime) -> None:
        first = await self.claim(runtime)
        assert isinstance(first, Claim)
        async with runtime.db.write() as session:
            await service.release(session, claim=first)

        again = await self.claim(runtime, fingerprint="f2")

        assert isinstance(again, Claim)


@contextmanager
def transactions(runtime: Runtime) -> Iterator[list[list[str]]]:
    """The statements of each write-engine transaction run meanwhile, in order."""
    seen: list[list[str]] = []
    engine = runtime.db.write_engine.sync_engine

    def begin(_conn: object) -> None:
        seen.append([])

    def statement(_conn: object, _cursor: object, text: str, *_rest: object) -> None:
        if seen:
            seen[-1].append(" ".join(text.split()))

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "before_cursor_execute", statement)
