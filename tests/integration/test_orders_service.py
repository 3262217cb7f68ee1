"""The order service on real databases: placing, reading back, pricing, and moving orders.

Every move goes through ``change_status`` and ``effects.handle`` in a write transaction, as the
routes and the CLI do; what a move causes (the history row, cancelled files) must commit or roll
back with it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from printapi import effects
from printapi.auth.principal import Principal
from printapi.kit import ids
from printapi.kit.clock import FixedClock
from printapi.kit.errors import ConcurrentChange, Conflict, IllegalTransition, InvalidInput
from printapi.kit.problems import Sent
from printapi.models import Base, ItemFile, Order, OrderItem, OrderStatusChange
from printapi.orders import repository
from printapi.orders import service as orders
from printapi.orders.pricing import Section, Tax
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.conftest import Credentials, book_item, make_credentials, order_body
from tests.integration.conftest import make_order_request, make_principal, place

CONTENT_URL = "https://files.example.nl/book.pdf"
COVER_URL = "https://files.example.nl/cover.pdf"


@pytest.fixture
def principal(shop: Credentials) -> Principal:
    return make_principal(shop)


async def read_order(runtime: Runtime, principal: Principal, order_id: str) -> Order:
    async with runtime.db.read() as session:
        return await orders.get_order(session, principal=principal, order_id=order_id)


async def history(runtime: Runtime, order: Order) -> list[tuple[str, str | None, str, str | None]]:
    async with runtime.db.read() as session:
        rows = await repository.history_of(session, order_pk=order.pk)
    return [(row.status, row.previous_status, row.source, row.note) for row in rows]


async def files_of(runtime: Runtime, order: Order) -> dict[int, str]:
    async with runtime.db.read() as session:
        rows = await session.execute(
            select(ItemFile.pk, ItemFile.status).where(ItemFile.order_pk == order.pk)
        )
    return {row.pk: row.status for row in rows}


async def move(
    runtime: Runtime,
    principal: Principal,
    order_id: str,
    status: OrderStatus,
    *,
    tracking_url: str | None = None,
) -> Order:
    """Read the order and move it, in one committed write transaction (as an operator)."""
    async with runtime.db.write() as session:
        order = await orders.get_order_head(session, principal=principal, order_id=order_id)
        changed = await orders.change_status(
            session,
            order=order,
            change=StatusChangeIn(status=status, tracking_url=tracking_url),
            source="operator",
            now=runtime.clock.now(),
        )
        await effects.handle(session, changed)
        return changed.order


async def _rows_in(runtime: Runtime, *tables: type[Base]) -> tuple[int, ...]:
    async with runtime.db.read() as session:
        counts = [await session.scalar(select(func.count()).select_from(table)) for table in tables]
    return tuple(int(count or 0) for count in counts)


class _Abort(Exception):
    """Raised inside a transaction to roll it back on purpose."""


class TestPlaceOrder:
    async def test_a_placed_order_reads_back_with_its_items_in_order_and_their_files(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        body = order_body(
            book_item(id="first", title="Zomer 2025", metadata='{"sku": 1}'),
            book_item(pageCount=48, quantity=2, files={"content": CONTENT_URL, "cover": COVER_URL}),
            id="shop-0001",
            email="klant@example.nl",
        )

        order_id = await place(runtime, principal, body)
        order = await read_order(runtime, principal, order_id)

        assert order_id == "shop-0001"
        assert (order.status, order.email, order.ship_country) == ("Created", "klant@example.nl", "NL")
        assert order.created_at == runtime.clock.now()
        first, second = order.items
        assert (first.id, first.title, first.meta, first.page_count, first.quantity) == (
            "first",
            "Zomer 2025",
            '{"sku": 1}',
            32,
            1,
        )
        assert (second.position, second.page_count, second.quantity) == (1, 48, 2)
        assert second.id != first.id
        assert [(f.kind, f.status, f.download_url) for f in first.files] == [
            ("content", "AwaitingUpload", None),
            ("cover", "AwaitingUpload", None),
        ]
        assert all(f.upload_code and len(f.upload_code) == 20 for f in first.files)
        assert [(f.kind, f.status, f.download_url) for f in second.files] == [
            ("content", "DownloadPending", CONTENT_URL),
            ("cover", "DownloadPending", COVER_URL),
        ]
        # Downloads get an upload code too: a download that fails for good can be replaced by an upload.
        assert all(f.upload_code and len(f.upload_code) == 20 for f in second.files)
        assert await history(runtime, order) == [("Created", None, "api", None)]

    async def test_the_reference_order_is_priced_as_the_real_service_prices_it(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body(book_item()))
        order = await read_order(runtime, principal, order_id)

        bill = orders.invoice_of(order)

        rate = Decimal("0.09")
        assert (order.shipping_method, order.shipping_trackable) == ("Brievenbuspakje", True)
        assert bill.production == Section(Decimal("10.69"), [Tax(rate, Decimal("0.96"), Decimal("10.69"))])
        assert bill.shipping == Section(Decimal("2.95"), [Tax(rate, Decimal("0.27"), Decimal("2.95"))])
        assert bill.handling == Section(Decimal("0.87"), [Tax(rate, Decimal("0.08"), Decimal("0.87"))])
        assert bill.discount == Section(Decimal("0.00"), [])
        assert bill.total == Section(Decimal("14.51"), [Tax(rate, Decimal("1.31"), Decimal("14.51"))])
        assert str(order.shipping_cost) == "2.95"

    async def test_a_custom_id_the_account_already_used_is_a_conflict_and_adds_nothing(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        await place(runtime, principal, order_body(id="dup-1"))

        with pytest.raises(Conflict) as raised:
            await place(runtime, principal, order_body(book_item(pageCount=64), id="dup-1"))

        assert raised.value.status == 409
        async with runtime.db.read() as session:
            found = await repository.find_by_id(session, order_id="dup-1")
        assert len(found) == 1
        assert (await read_order(runtime, principal, "dup-1")).items[0].page_count == 32

    @pytest.mark.parametrize("custom", [True, False], ids=["custom id", "generated id"])
    async def test_an_id_taken_between_the_check_and_the_insert_writes_nothing_under_it(
        self, runtime: Runtime, principal: Principal, monkeypatch: pytest.MonkeyPatch, custom: bool
    ) -> None:
        """The unique index decides (``repository.add``); on PostgreSQL the order, its items,
        files and history row are one statement, of which nothing may stay behind."""
        wanted = {"id": "taken"} if custom else {}
        request = Sent.of(make_order_request(order_body(book_item(), book_item(), **wanted)))
        monkeypatch.setattr(ids, "random_order_id", iter(["taken", "drawn-again"]).__next__)
        now, no_delay = runtime.clock.now(), timedelta(0)
        async with runtime.db.read() as session:
            draft = await orders.prepare_order(
                session, principal=principal, request=request, express_surcharge=Decimal(0), now=now
            )
        await place(runtime, principal, order_body(id="taken"))  # in between, by another request

        async with runtime.db.write() as session:
            store = orders.store_order(
                session, principal=principal, draft=draft, production_delay=no_delay, now=now
            )
            if custom:
                with pytest.raises(Conflict):
                    await store
            else:
                assert (await store).order.id == "drawn-again"

        # "taken" has one item with two files; "drawn-again", when placed, two with two each.
        expected = (1, 1, 2, 1) if custom else (2, 3, 6, 2)
        assert await _rows_in(runtime, Order, OrderItem, ItemFile, OrderStatusChange) == expected
        if not custom:
            again = await read_order(runtime, principal, "drawn-again")
            assert [len(item.files) for item in again.items] == [2, 2]
            assert await history(runtime, again) == [("Created", None, "api", None)]

    async def test_another_account_may_use_the_same_custom_id(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        other = make_principal(await make_credentials(runtime))
        await place(runtime, principal, order_body(id="shared-id"))

        await place(runtime, other, order_body(id="shared-id"))

        assert (await read_order(runtime, other, "shared-id")).account_id == other.account_id

    async def test_bad_items_are_all_named_and_nothing_is_stored(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        body = order_body(book_item(productId="no_such_product"), book_item(pageCount=33), id="bad-1")

        with pytest.raises(InvalidInput) as raised:
            await place(runtime, principal, body)

        fields = [error.field for error in raised.value.errors]
        assert fields == ["items[0].productId", "items[1].pageCount"]
        async with runtime.db.read() as session:
            assert await repository.find_by_id(session, order_id="bad-1") == []

    async def test_an_order_request_is_built_from_the_camel_case_wire_body(self) -> None:
        request = make_order_request(order_body(book_item(pageCount=40), productionSpeed="Express"))

        assert request.items[0].page_count == 40
        assert request.production_speed == "Express"


class TestChangeStatus:
    async def test_a_legal_move_updates_the_order_and_writes_its_history_row(
        self, runtime: Runtime, principal: Principal, clock: FixedClock
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        clock.advance(timedelta(minutes=5))

        await move(runtime, principal, order_id, OrderStatus.PROCESSING)

        order = await read_order(runtime, principal, order_id)
        assert order.status == "Processing"
        assert order.status_changed_at == clock.now()
        assert await history(runtime, order) == [
            ("Created", None, "api", None),
            ("Processing", "Created", "operator", None),
        ]

    async def test_an_illegal_move_is_refused_and_changes_nothing(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body())

        with pytest.raises(IllegalTransition):
            await move(runtime, principal, order_id, OrderStatus.SHIPPED)

        order = await read_order(runtime, principal, order_id)
        assert order.status == "Created"
        assert await history(runtime, order) == [("Created", None, "api", None)]

    @pytest.mark.parametrize("late_target", [OrderStatus.PROCESSING, OrderStatus.CANCELLED])
    async def test_a_session_that_read_the_old_status_loses_to_the_one_that_moved_first(
        self, runtime: Runtime, principal: Principal, late_target: OrderStatus
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        async with runtime.db.read() as session:
            stale = await orders.get_order_head(session, principal=principal, order_id=order_id)
        await move(runtime, principal, order_id, OrderStatus.PROCESSING)

        with pytest.raises(ConcurrentChange):
            async with runtime.db.write() as session:
                await effects.handle(
                    session,
                    await orders.change_status(
                        session,
                        order=stale,
                        change=StatusChangeIn(status=late_target),
                        source="operator",
                        now=runtime.clock.now(),
                    ),
                )

        order = await read_order(runtime, principal, order_id)
        assert order.status == "Processing"
        assert await history(runtime, order) == [
            ("Created", None, "api", None),
            ("Processing", "Created", "operator", None),
        ]
        assert set((await files_of(runtime, order)).values()) == {"AwaitingUpload"}

    async def test_the_history_row_is_written_in_the_transaction_of_the_move_and_rolls_back_with_it(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        seen_inside: list[str] = []

        async def cancel_then_fail() -> None:
            async with runtime.db.write() as session:
                order = await orders.get_order_head(session, principal=principal, order_id=order_id)
                await effects.handle(
                    session,
                    await orders.change_status(
                        session,
                        order=order,
                        change=StatusChangeIn(status=OrderStatus.CANCELLED, reason="klant annuleert"),
                        source="operator",
                        now=runtime.clock.now(),
                    ),
                )
                seen_inside.extend(
                    row.status for row in await repository.history_of(session, order_pk=order.pk)
                )
                raise _Abort

        with pytest.raises(_Abort):
            await cancel_then_fail()

        assert seen_inside == ["Created", "Cancelled"]
        order = await read_order(runtime, principal, order_id)
        assert order.status == "Created"
        assert await history(runtime, order) == [("Created", None, "api", None)]
        assert set((await files_of(runtime, order)).values()) == {"AwaitingUpload"}

    async def test_cancelling_marks_every_open_file_cancelled_and_leaves_accepted_ones(
        self, runtime: Runtime, principal: Principal, clock: FixedClock
    ) -> None:
        order_id = await place(
            runtime,
            principal,
            order_body(book_item(), book_item(files={"content": CONTENT_URL, "cover": COVER_URL})),
        )
        order = await read_order(runtime, principal, order_id)
        accepted = order.items[0].files[0].pk
        async with runtime.db.write() as session:
            await session.execute(update(ItemFile).where(ItemFile.pk == accepted).values(status="Accepted"))
        clock.advance(timedelta(hours=1))

        await move(runtime, principal, order_id, OrderStatus.CANCELLED)

        statuses = await files_of(runtime, order)
        assert statuses.pop(accepted) == "Accepted"
        assert list(statuses.values()) == ["Cancelled"] * 3
        async with runtime.db.read() as session:
            stamps = (
                await session.execute(
                    select(ItemFile.updated_at).where(
                        ItemFile.order_pk == order.pk, ItemFile.status == "Cancelled"
                    )
                )
            ).scalars()
            assert set(stamps) == {clock.now()}

    async def test_a_shipped_order_keeps_its_tracking_url_and_the_history_notes_it(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        url = "https://track.example.nl/3SABC123"
        await move(runtime, principal, order_id, OrderStatus.PROCESSING)

        await move(runtime, principal, order_id, OrderStatus.SHIPPED, tracking_url=url)

        order = await read_order(runtime, principal, order_id)
        assert (order.status, order.tracking_url) == ("Shipped", url)
        assert (await history(runtime, order))[-1] == ("Shipped", "Processing", "operator", url)

    async def test_a_tracking_url_on_any_other_move_is_refused_and_changes_nothing(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body())

        with pytest.raises(InvalidInput, match="trackingUrl"):
            await move(runtime, principal, order_id, OrderStatus.PROCESSING, tracking_url="https://t.nl/1")

        order = await read_order(runtime, principal, order_id)
        assert (order.status, order.tracking_url) == ("Created", None)


class TestStatusHistoryFeedsSync:
    async def test_statuses_since_lists_the_moves_after_the_moment_oldest_first(
        self, runtime: Runtime, principal: Principal, clock: FixedClock
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        since = clock.now()
        clock.advance(timedelta(seconds=1))
        await move(runtime, principal, order_id, OrderStatus.PROCESSING)
        clock.advance(timedelta(seconds=1))
        await move(runtime, principal, order_id, OrderStatus.CANCELLED)

        async with runtime.db.read() as session:
            changes = await orders.statuses_since(session, principal=principal, since=since)

        assert [(c.order_id, c.status) for c in changes] == [
            (order_id, "Processing"),
            (order_id, "Cancelled"),
        ]
        assert all(isinstance(c, OrderStatusChange) for c in changes)
