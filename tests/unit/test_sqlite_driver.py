"""kit/sqlite.py: each statement is one trip to aiosqlite's thread, and SQLAlchemy still gets from
it all a cursor gives (rows, description, rowcount, lastrowid, errors, streamed results)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, exc, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from printapi.kit.db import create_database

metadata = MetaData()
things = Table(
    "things", metadata, Column("id", Integer, primary_key=True), Column("name", String, unique=True)
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    database = create_database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with database.write_engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database.write_engine
    await database.dispose()


class Trips:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = aiosqlite.Connection._execute

        async def counted(
            connection: aiosqlite.Connection, fn: object, *args: object, **kwargs: object
        ) -> object:
            self.count += 1
            return await original(connection, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_a_statement_is_one_trip_and_its_rows_description_and_counts_arrive(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.begin() as conn:
        trips = Trips(monkeypatch)
        added = await conn.execute(insert(things).values(name="a"))
        assert trips.count == 1
        assert added.inserted_primary_key == (1,)  # from the cursor's lastrowid
        await conn.execute(insert(things), [{"name": "b"}, {"name": "c"}])  # executemany
        assert trips.count == 2
        changed = await conn.execute(
            update(things).where(things.c.name != "a").values(name=things.c.name + "!")
        )
        assert changed.rowcount == 2
        result = await conn.execute(select(things.c.id, things.c.name).order_by(things.c.id))
        assert trips.count == 4
        assert list(result.keys()) == ["id", "name"]  # from the cursor's description
        assert result.all() == [(1, "a"), (2, "b!"), (3, "c!")]


async def test_a_returning_insert_gives_its_row(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        row = (
            await conn.execute(insert(things).values(name="r").returning(things.c.id, things.c.name))
        ).one()
    assert tuple(row) == (1, "r")


async def test_an_error_is_the_dbapi_s_and_the_transaction_rolls_back(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(things).values(name="taken"))

    async def two_inserts() -> None:
        async with engine.begin() as conn:
            await conn.execute(insert(things).values(name="kept?"))
            await conn.execute(insert(things).values(name="taken"))

    with pytest.raises(exc.IntegrityError):
        await two_inserts()
    async with engine.connect() as conn:
        names = (await conn.execute(select(things.c.name))).scalars().all()
    assert names == ["taken"]
    with pytest.raises(exc.OperationalError):
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM no_such_table"))


async def test_a_streamed_result_comes_in_parts(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(things), [{"name": f"n{i}"} for i in range(250)])
    async with engine.connect() as conn:
        streamed = await conn.stream(select(things.c.name).order_by(things.c.id))
        names = [name async for (name,) in streamed]
    assert names == [f"n{i}" for i in range(250)]
