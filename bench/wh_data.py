"""What the webhook benchmark puts into its database, through the app's own services.

Accounts, endpoints and orders are made exactly as the app makes them; notifications are queued
by ``notify_order_changed`` inside the transaction that wrote the orders, as a status change
queues them. The methods are coroutines: run them on one event loop (``asyncio.Runner``), since
the engine's connections belong to the loop that opened them.
"""

from __future__ import annotations

import time
from decimal import Decimal

from sqlalchemy import func, select, text

from printapi import effects
from printapi.auth import service as auth
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import SHOP_SCOPES
from printapi.config import Settings
from printapi.kit.outbound import OutboundGuard, parse_networks
from printapi.models import WebhookNotification
from printapi.orders import service as orders
from printapi.orders.schemas import OrderIn, StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from printapi.webhooks import service as webhooks

LOOPBACK = ("127.0.0.0/8",)
ORDER = {
    "items": [{"productId": "boek_hc_a5_sta", "pageCount": 32, "quantity": 1}],
    "shipping": {
        "address": {
            "name": "J. Jansen",
            "line1": "Dorpsstraat 1",
            "postCode": "1234 AB",
            "city": "Utrecht",
            "country": "NL",
        }
    },
}
ORDERS_PER_TRANSACTION = 100
TO_PROCESSING = StatusChangeIn(status=OrderStatus.PROCESSING)


class AppData:
    def __init__(self, database_url: str, secret_key: str) -> None:
        settings = Settings(
            database_url=database_url, secret_key=secret_key, log_level="WARNING", embedded_worker=False
        )
        self.runtime = Runtime.create(settings)
        self.guard = OutboundGuard(parse_networks(LOOPBACK))

    async def close(self) -> None:
        await self.runtime.close()

    async def account(self, email: str) -> Principal:
        """A new shop account, and the caller its test credentials would be."""
        async with self.runtime.db.write() as session:
            account = await auth.create_account(
                session, email=email, password_hash=None, now=self.runtime.clock.now()
            )
        return Principal(
            account_id=account.id,
            account_email=account.email,
            environment=Environment.TEST,
            scopes=frozenset(SHOP_SCOPES),
        )

    async def add_endpoints(self, principal: Principal, urls: list[str]) -> None:
        async with self.runtime.db.write() as session:
            for url in urls:
                await webhooks.create_endpoint(
                    session,
                    account_id=principal.account_id,
                    environment=principal.environment.value,
                    url=url,
                    guard=self.guard,
                    now=self.runtime.clock.now(),
                )

    async def place_orders(self, principal: Principal, count: int, *, notify: bool) -> list[str]:
        """``count`` orders (status Created), ORDERS_PER_TRANSACTION per transaction; with ``notify``
        each also queues its notifications, as a status change in that transaction would."""
        order_ids: list[str] = []
        request = OrderIn.model_validate(ORDER)
        surcharge = Decimal(self.runtime.settings.express_surcharge)
        while len(order_ids) < count:
            batch = min(ORDERS_PER_TRANSACTION, count - len(order_ids))
            async with self.runtime.db.write() as session:
                for _ in range(batch):
                    now = self.runtime.clock.now()
                    order = await orders.place_order(
                        session, principal=principal, request=request, express_surcharge=surcharge, now=now
                    )
                    if notify:
                        await webhooks.notify_order_changed(session, order=order, now=now)
                    order_ids.append(order.id)
        return order_ids

    async def move_to_processing(self, principal: Principal, order_id: str) -> float:
        """One status change in its own transaction; returns the wall-clock time right after commit."""
        async with self.runtime.db.write() as session:
            await effects.handle(
                session,
                await orders.simulate_status(
                    session,
                    principal=principal,
                    order_id=order_id,
                    change=TO_PROCESSING,
                    now=self.runtime.clock.now(),
                ),
            )
        return time.time()

    async def pending(self) -> int:
        """``SELECT count(*) FROM webhook_notifications WHERE status = 'pending'``."""
        async with self.runtime.db.read() as session:
            query = text("SELECT count(*) FROM webhook_notifications WHERE status = 'pending'")
            return int((await session.execute(query)).scalar_one())

    async def statuses(self, principal: Principal) -> dict[str, int]:
        """The account's notifications by status."""
        model = WebhookNotification
        query = (
            select(model.status, func.count())
            .where(model.account_id == principal.account_id)
            .group_by(model.status)
        )
        async with self.runtime.db.read() as session:
            return {str(row[0]): int(row[1]) for row in await session.execute(query)}
