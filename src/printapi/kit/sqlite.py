"""SQLAlchemy's aiosqlite adapter, with one trip to aiosqlite's thread per statement.

aiosqlite runs SQLite in a thread of its own, and every call on a connection or cursor is a trip
there and back (a queue put, the thread's wake-up, a callback to the event loop). SQLAlchemy's
cursor makes three or four of them per statement: create the cursor, execute, fetch the rows,
close. bench/hot_path.py counted 30 trips per ``POST /v2/orders`` (seven statements, a
``BEGIN IMMEDIATE``, a ``COMMIT``); the trips, not SQLite, were most of the request's CPU.

``ONE_TRIP`` is the adapter's DBAPI module with a cursor that does all four in the thread at once
and keeps what SQLAlchemy reads afterwards (the rows, ``description``, ``rowcount``,
``lastrowid``). It is handed to ``create_async_engine(module=...)``, SQLAlchemy's documented hook
for a DBAPI module of one's own. Server-side cursors (``stream``) keep SQLAlchemy's own class.

The subclasses lean on two private names, pinned by constraints.txt and run by every SQLite test:
``AsyncAdapt_dbapi_cursor``'s slots, and aiosqlite's ``Connection._execute`` (the call its own
cursor makes for each trip).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_only

# What a statement leaves behind: description, rows, rowcount, lastrowid.
Outcome = tuple[Any, list[Any], int, int | None]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """In aiosqlite's thread: the statement from cursor to close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement is one trip: nothing is left open in the thread."""

    __slots__ = ("_outcome",)
    _awaitable_cursor_close = False  # there is nothing to close

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # Not the parent's: it would open a cursor in the thread (a trip) to hold until close.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # the parent's close() then does nothing
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = deque()
        self._outcome: Outcome = (None, [], -1, None)

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[2]

    @property
    def lastrowid(self) -> int:
        return self._outcome[3]  # type: ignore[return-value]  # DBAPI: None before an insert

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        raise NotImplementedError("the rows are fetched whole")

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> None:
        await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            self._outcome = await connection._execute(  # type: ignore[no-untyped-call]  # aiosqlite's has no types
                _run, connection._conn, operation, parameters, many
            )
        self._rows = deque(self._outcome[1])

    def nextset(self) -> None:
        raise NotImplementedError("SQLite has one result set")


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    # mypy takes the parent's class attribute as invariant; a subclass of it is what it holds.
    _cursor_cls = OneTripCursor  # type: ignore[assignment]


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's: a forgotten connection must not hang exit
        return OneTripConnection(self, await_only(connection))


ONE_TRIP = OneTripDbapi(aiosqlite, sqlite3)
