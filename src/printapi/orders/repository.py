"""SQL for orders and their items, and the status history (the files are ``files/``'s)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Table, bindparam, column, exists, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import class_mapper, joinedload
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.types import TypeEngine

from printapi.auth.principal import Environment
from printapi.models import Account, ItemFile, Order, OrderItem, OrderStatusChange, Shipment
from printapi.orders.states import OrderStatus

# One round trip: an order has few items and files, so joining them costs less than asking twice more.
_WITH_ITEMS = joinedload(Order.items).joinedload(OrderItem.files)
_WITH_PAYMENT = joinedload(Order.payment)


async def get_for_account(
    session: AsyncSession, *, account_id: int, environment: str, order_id: str
) -> Order | None:
    """The order with its items and files, or None (also when it belongs to someone else)."""
    values = {"account_id": account_id, "environment": environment, "order_id": order_id}
    return await _whole(session, _WHOLE, values)


async def get_by_pk(session: AsyncSession, *, order_pk: int) -> Order | None:
    """The order with its items, files and payment as the database has them now (populate_existing:
    a change made by an UPDATE in this transaction, as the effects of a move make, shows)."""
    return await _whole(session, _WHOLE_BY_PK, {"order_pk": order_pk})


async def _whole(session: AsyncSession, statement: Any, values: dict[str, Any]) -> Order | None:
    order = (await session.execute(statement, values)).unique().scalar_one_or_none()
    if order is not None:
        # Only an order in production can have left in parcels (orders/shipments/): a Created
        # one, the order a shop reads most, is spared the query.
        shipments = (
            []
            if order.status == OrderStatus.CREATED
            else list((await session.execute(_SHIPMENTS, {"order_pk": order.pk})).unique().scalars())
        )
        set_committed_value(order, "shipments", shipments)
    return order


# Built once, as the statements below: building the read of a whole order cost a third of
# the CPU its query took (bench/hot_path.py). Shipments apart: joined, they would multiply the rows.
_WHOLE = (
    select(Order)
    .where(
        Order.account_id == bindparam("account_id"),
        Order.environment == bindparam("environment"),
        Order.id == bindparam("order_id"),
    )
    .options(_WITH_ITEMS, _WITH_PAYMENT)
)
_WHOLE_BY_PK = (
    select(Order)
    .where(Order.pk == bindparam("order_pk"))
    .options(_WITH_ITEMS, _WITH_PAYMENT)
    .execution_options(populate_existing=True)
)
_SHIPMENTS = (
    select(Shipment)
    .where(Shipment.order_pk == bindparam("order_pk"))
    .options(joinedload(Shipment.items))
    .order_by(Shipment.number)
)


async def get_by_checkout_code(
    session: AsyncSession, *, code: str, account_id: int, environment: str
) -> Order | None:
    query = select(Order).where(
        Order.checkout_code == code, Order.account_id == account_id, Order.environment == environment
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_head_for_account(
    session: AsyncSession, *, account_id: int, environment: str, order_id: str
) -> Order | None:
    """The order row and its payment (no items), for status reads and changes."""
    values = {"account_id": account_id, "environment": environment, "order_id": order_id}
    return (await session.execute(_HEAD, values)).scalar_one_or_none()


# Built once (as the other statements of a status change): building it per call cost more CPU
# than running it.
_HEAD = (
    select(Order)
    .where(
        Order.account_id == bindparam("account_id"),
        Order.environment == bindparam("environment"),
        Order.id == bindparam("order_id"),
    )
    .options(_WITH_PAYMENT)
)


async def id_and_status(session: AsyncSession, *, order_pk: int) -> tuple[str, str] | None:
    """One row by primary key, nothing joined: the benchmark baseline."""
    row = (await session.execute(select(Order.id, Order.status).where(Order.pk == order_pk))).one_or_none()
    return (row[0], row[1]) if row else None


async def find_by_id(
    session: AsyncSession, *, order_id: str, account_id: int | None = None, environment: str | None = None
) -> list[Order]:
    """Every order with this id across accounts (operators), optionally of one account and environment."""
    query = select(Order).where(Order.id == order_id).options(_WITH_PAYMENT)
    if account_id is not None:
        query = query.where(Order.account_id == account_id)
    if environment is not None:
        query = query.where(Order.environment == environment)
    return list((await session.execute(query.order_by(Order.pk))).scalars())


async def id_taken(session: AsyncSession, *, account_id: int, environment: str, order_id: str) -> bool:
    values = {"account_id": account_id, "environment": environment, "order_id": order_id}
    return bool((await session.execute(_TAKEN, values)).scalar())


async def add(session: AsyncSession, order: Order, *, created: dict[str, Any]) -> bool:
    """Insert a new order built by the service, with its items, their files and ``created``, the
    first row of its status history (the columns of ``OrderStatusChange`` but its ``order_pk``);
    or, when its id is taken, nothing (False). ``order`` and its items get their keys (the
    files do not: nothing that placing does next needs them); all stay plain objects outside the
    session: what placing does next reads them, and changes the order, if at all, by statements
    of its own.

    Not the ORM's unit of work, which took a sixth of a placement's Python calls
    (bench/hot_path.py): on SQLite one INSERT per table (the items' RETURNING their keys, the
    files' one executemany), on PostgreSQL one statement for all four (``_placement``)."""
    if session.get_bind().dialect.name == "postgresql":
        return await _add_in_one_statement(session, order, created)
    pk = (await session.execute(_INSERT_ORDER, [_values(order)])).scalar_one_or_none()
    if pk is None:
        return False  # the id is taken in the account and environment: nothing was written
    order.loaded(pk=pk)
    items = order.items
    for item in items:
        item.loaded(order_pk=pk)
    item_pks = (await session.execute(_INSERT_ITEMS, _rows(items))).scalars().all()
    files = []
    for item, item_pk in zip(items, item_pks, strict=True):
        item.loaded(pk=item_pk)
        for file in item.files:
            file.loaded(item_pk=item_pk, order_pk=pk)
            files.append(file)
    if files:  # nothing placing does next needs their keys: no RETURNING, so one executemany
        await session.execute(_INSERT_FILES, _rows(files))
    await add_history(session, {"order_pk": order.pk, **created})
    return True


async def _add_in_one_statement(session: AsyncSession, order: Order, created: dict[str, Any]) -> bool:
    """PostgreSQL: the order, its items, their files and its first history row in one round trip
    instead of four. A round trip over TCP costs the API process more CPU than its SQL: the three
    saved were a fifth of a placement's (bench/hot_path.py: 3.79 -> 3.05 ms). The items and files
    go as one array per column; the id taken writes nothing, as ``ON CONFLICT DO NOTHING`` does
    (without the error that would end a PostgreSQL transaction)."""
    items = order.items
    files = [(item.position, file) for item in items for file in item.files]
    order_row, item_rows, file_rows = _values(order), _rows(items), _rows([file for _, file in files])
    statement = _placement(tuple(order_row), tuple(_keys(item_rows)), tuple(_keys(file_rows)), tuple(created))
    values = {**order_row, **{f"history_{key}": value for key, value in created.items()}}
    values |= _columns("item", item_rows) | _columns("file", file_rows)
    values["file_item_position"] = [position for position, _ in files]
    rows = (await session.execute(statement, values)).all()
    if not rows:
        return False  # the id is taken in the account and environment: nothing was written
    order_pk = rows[0][0]
    order.loaded(pk=order_pk)
    item_pks = {position: item_pk for _, item_pk, position in rows}
    for item in items:
        item.loaded(order_pk=order_pk, pk=item_pks[item.position])
        for file in item.files:
            file.loaded(item_pk=item.pk, order_pk=order_pk)
    return True


def _keys(rows: list[dict[str, Any]]) -> list[str]:
    """The columns of rows that ``_rows`` made alike (an order always has an item; a file-less one
    no files)."""
    return list(rows[0]) if rows else []


def _columns(prefix: str, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows as one list per column, each named ``{prefix}_{column}``."""
    return {f"{prefix}_{key}": [row[key] for row in rows] for key in _keys(rows)}


@functools.cache
def _placement(
    order_keys: tuple[str, ...],
    item_keys: tuple[str, ...],
    file_keys: tuple[str, ...],
    history_keys: tuple[str, ...],
) -> Any:
    """The PostgreSQL statement of ``_add_in_one_statement``, built once per set of columns::

        WITH new_order AS (INSERT INTO orders ... ON CONFLICT DO NOTHING RETURNING pk),
             new_items AS (INSERT INTO order_items SELECT new_order.pk, ... FROM new_order,
                           unnest($positions, $ids, ...) RETURNING pk, position),
             new_files AS (INSERT INTO item_files SELECT new_items.pk, new_order.pk, ...
                           FROM new_order, new_items JOIN unnest(...) ON the item's position),
             new_history AS (INSERT INTO order_status_history SELECT new_order.pk, ...)
        SELECT new_order.pk, new_items.pk, new_items.position FROM new_order, new_items

    Each part reads the keys that the one before returned; when the order's id is taken,
    ``new_order`` is empty, so is every part that reads it, and the statement returns no row. The
    foreign keys are checked at the end of the statement, when all four are written."""
    new_order = (
        postgresql.insert(_ORDERS)
        .values({key: bindparam(key, type_=_ORDERS.c[key].type) for key in order_keys})
        .on_conflict_do_nothing(index_elements=_ORDER_ID)
        .returning(_ORDERS.c.pk)
        .cte("new_order")
    )
    item_columns = [key for key in item_keys if key not in _KEYS]
    file_columns = [key for key in file_keys if key not in _KEYS]
    items = _unnested(_ITEMS, "item", item_columns)
    new_items = (
        insert(_ITEMS)
        .from_select(
            ["order_pk", *item_columns],
            select(new_order.c.pk, *(items.c[key] for key in item_columns)).select_from(
                new_order.join(items, true())
            ),
        )
        .returning(_ITEMS.c.pk, _ITEMS.c.position)
        .cte("new_items")
    )
    files = _unnested(_FILES, "file", file_columns, item_position=Integer())
    new_files = insert(_FILES).from_select(
        ["item_pk", "order_pk", *file_columns],
        select(new_items.c.pk, new_order.c.pk, *(files.c[key] for key in file_columns)).select_from(
            new_order.join(new_items, true()).join(files, files.c.item_position == new_items.c.position)
        ),
    )
    new_history = insert(_HISTORY).from_select(
        ["order_pk", *history_keys],
        select(
            new_order.c.pk, *(bindparam(f"history_{key}", type_=_HISTORY.c[key].type) for key in history_keys)
        ),
    )
    return (
        select(new_order.c.pk, new_items.c.pk, new_items.c.position)
        .select_from(new_order.join(new_items, true()))
        .add_cte(new_files.cte("new_files"), new_history.cte("new_history"))
    )


_KEYS = ("pk", "order_pk", "item_pk")  # what the statement itself fills in


def _unnested(table: Table, prefix: str, keys: Iterable[str], **extra: TypeEngine[Any]) -> Any:
    """``unnest($1, $2, ...) AS rows(key, ...)``: rows sent as one array per column of ``table``
    (and per ``extra`` column), the parameters named ``{prefix}_{key}``."""
    types = {key: table.c[key].type for key in keys} | extra
    # One dimension: a JSON value that is a list (an item's options) is a value, not a second one.
    arrays = [bindparam(f"{prefix}_{key}", type_=ARRAY(type_, dimensions=1)) for key, type_ in types.items()]
    return (
        func.unnest(*arrays)
        .table_valued(*(column(key, type_) for key, type_ in types.items()))
        .render_derived()
    )


def _values(row: Order | OrderItem | ItemFile) -> dict[str, Any]:
    """The columns an object was given, by column name (what was not given takes its default)."""
    given = instance_dict(row)
    return {prop.columns[0].key: given[prop.key] for prop in _COLUMNS[type(row)] if prop.key in given}


def _rows(objects: list[OrderItem] | list[ItemFile]) -> list[dict[str, Any]]:
    """``_values`` of each, every one with the same columns (a column one was not given: its
    default), so that one INSERT takes them all."""
    rows = [_values(row) for row in objects]
    table = _ITEMS if objects and isinstance(objects[0], OrderItem) else _FILES
    keys = set().union(*rows)
    for row in rows:
        for key in keys - row.keys():
            default = table.c[key].default
            row[key] = default.arg if default is not None and default.is_scalar else None  # type: ignore[attr-defined]  # a ScalarElementColumnDefault
    return rows


_COLUMNS = {model: class_mapper(model).column_attrs for model in (Order, OrderItem, ItemFile)}
_ORDERS, _ITEMS, _FILES = (Order.metadata.tables[name] for name in ("orders", "order_items", "item_files"))
_HISTORY = OrderStatusChange.metadata.tables[OrderStatusChange.__tablename__]
_ORDER_ID = ["account_id", "environment", "id"]  # unique together
# SQLite: the order's INSERT, which writes nothing when its id is taken (the unique index decides).
_INSERT_ORDER = (
    sqlite.insert(_ORDERS).on_conflict_do_nothing(index_elements=_ORDER_ID).returning(_ORDERS.c.pk)
)
_INSERT_ITEMS = insert(_ITEMS).returning(_ITEMS.c.pk, sort_by_parameter_order=True)
_INSERT_FILES = insert(_FILES)


async def count_for_account(session: AsyncSession, *, account_id: int, environment: str) -> int:
    values = {"account_id": account_id, "environment": environment}
    return int((await session.execute(_COUNT, values)).scalar_one())


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """What a list of orders shows of each: read as plain columns, not as ``Order`` objects (the
    ORM's identity map and the money columns' conversion were half a list's CPU)."""

    id: str
    created_at: datetime
    email: str | None
    username: str | None
    status: str


async def page_for_account(
    session: AsyncSession, *, account_id: int, environment: str, offset: int, limit: int
) -> list[OrderSummary]:
    """Newest first, through the listing index (which also makes ``count_for_account`` cheap: a
    total counted by a window over this query read every order of the account, and made a list
    of 20 three times slower for an account of 5,000 orders: bench/api.py)."""
    values = {"account_id": account_id, "environment": environment, "offset": offset, "limit": limit}
    return [OrderSummary(*row) for row in (await session.execute(_PAGE, values)).all()]


_OF_ACCOUNT = (Order.account_id == bindparam("account_id"), Order.environment == bindparam("environment"))
_COUNT = select(func.count()).where(*_OF_ACCOUNT)
_TAKEN = select(exists().where(*_OF_ACCOUNT, Order.id == bindparam("order_id")))
_PAGE = (
    select(Order.id, Order.created_at, Order.email, Order.username, Order.status)
    .where(*_OF_ACCOUNT)
    .order_by(Order.created_at.desc(), Order.pk.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


async def set_status_if(
    session: AsyncSession,
    *,
    order_pk: int,
    expected: str,
    status: str,
    changed_at: datetime,
    tracking_url: str | None,
    production_starts_at: datetime | None = None,
) -> bool:
    """Compare-and-set: move the order only if it still has ``expected``; False if someone was
    first. The caller's ``Order`` object is left as it was (the service sets what it wrote)."""
    values = {"order_pk": order_pk, "expected": expected, "new_status": status, "new_changed_at": changed_at}
    if production_starts_at is not None:
        starts = {"new_production_starts_at": production_starts_at}
        result = await session.execute(_SET_STATUS_STARTING, values | starts)
    elif tracking_url is None:
        result = await session.execute(_SET_STATUS, values)
    else:
        result = await session.execute(_SET_STATUS_TRACKED, values | {"new_tracking_url": tracking_url})
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement


_SET_STATUS = (
    update(Order)
    .where(Order.pk == bindparam("order_pk"), Order.status == bindparam("expected"))
    .values(status=bindparam("new_status"), status_changed_at=bindparam("new_changed_at"))
    .execution_options(synchronize_session=False)
)
_SET_STATUS_TRACKED = _SET_STATUS.values(tracking_url=bindparam("new_tracking_url"))
_SET_STATUS_STARTING = _SET_STATUS.values(production_starts_at=bindparam("new_production_starts_at"))


async def add_history(session: AsyncSession, change: dict[str, Any]) -> None:
    """One ``OrderStatusChange`` row, as a plain insert into the table: no ORM object to flush,
    and not the ORM's bulk insert either (``insert(OrderStatusChange)``), which took 427 Python
    calls to this statement's 188."""
    await session.execute(_INSERT_HISTORY, change)


_INSERT_HISTORY = insert(_HISTORY)


async def history_since(
    session: AsyncSession, *, account_id: int, environment: str, since: datetime, limit: int
) -> list[OrderStatusChange]:
    query = (
        select(OrderStatusChange)
        .where(
            OrderStatusChange.account_id == account_id,
            OrderStatusChange.environment == environment,
            OrderStatusChange.changed_at > since,
        )
        .order_by(OrderStatusChange.changed_at, OrderStatusChange.pk)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def history_of(session: AsyncSession, *, order_pk: int) -> list[OrderStatusChange]:
    query = (
        select(OrderStatusChange)
        .where(OrderStatusChange.order_pk == order_pk)
        .order_by(OrderStatusChange.changed_at, OrderStatusChange.pk)
    )
    return list((await session.execute(query)).scalars())


async def lock(session: AsyncSession, *, order_pk: int) -> Order:
    """The order row, locked until the transaction ends (PostgreSQL; SQLite writers are serial)."""
    # populate_existing: an Order this session loaded before must show the row as locked now.
    query = select(Order).where(Order.pk == order_pk).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one()


# -- the dashboard -----------------------------------------------------------------------------


async def search_for_account(
    session: AsyncSession,
    *,
    account_id: int,
    environment: str | None,
    status: str | None,
    created_from: datetime | None,
    created_before: datetime | None,
    text: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[Order]]:
    """One page of the account's orders, newest first, and how many match in all.

    ``text`` matches the start of the order id or any part of the customer's e-mail.
    """
    conditions = [Order.account_id == account_id]
    if environment is not None:
        conditions.append(Order.environment == environment)
    if status is not None:
        conditions.append(Order.status == status)
    if created_from is not None:
        conditions.append(Order.created_at >= created_from)
    if created_before is not None:
        conditions.append(Order.created_at < created_before)
    if text:
        conditions.append(
            Order.id.startswith(text, autoescape=True)
            | func.lower(Order.email).contains(text.lower(), autoescape=True)
        )
    count = (await session.execute(select(func.count()).where(*conditions))).scalar_one()
    query = (
        select(Order)
        .where(*conditions)
        .order_by(Order.created_at.desc(), Order.pk.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(count), list((await session.execute(query)).scalars())


async def in_status(
    session: AsyncSession, *, environment: str, status: str, limit: int
) -> tuple[int, list[tuple[Order, str]]]:
    """Orders of every account in one status, longest in it first, with their items and the
    account's e-mail; and how many there are in all."""
    where = (Order.environment == environment, Order.status == status)
    count = (await session.execute(select(func.count()).where(*where))).scalar_one()
    query = (
        select(Order, Account.email)
        .join(Account, Account.id == Order.account_id)
        .where(*where)
        .order_by(Order.status_changed_at, Order.pk)
        .limit(limit)
        .options(joinedload(Order.items))
    )
    rows = (await session.execute(query)).unique().all()
    return int(count), [(row[0], row[1]) for row in rows]


async def accounts_overview(session: AsyncSession) -> list[tuple[Account, int, int, int]]:
    """Every account with its number of live orders, test orders and live orders in production."""
    live = Order.environment == Environment.LIVE
    query = (
        select(
            Account,
            func.count(Order.pk).filter(live),
            func.count(Order.pk).filter(Order.environment == Environment.TEST),
            func.count(Order.pk).filter(live, Order.status == OrderStatus.PROCESSING),
        )
        .outerjoin(Order, Order.account_id == Account.id)
        .group_by(Account.id)
        .order_by(Account.email)
    )
    return [(row[0], int(row[1]), int(row[2]), int(row[3])) for row in await session.execute(query)]
