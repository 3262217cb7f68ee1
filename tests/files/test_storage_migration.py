"""Moving the stored print files from local disk to an object store: ``printapi files migrate-storage``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from printapi.config import Settings
from printapi.files.service import Migration, migrate_storage
from printapi.kit.storage import FileStorage, LocalStorage
from printapi.runtime import Runtime, storage_from
from tests.cli.test_cli import Cli
from tests.conftest import TEST_PASSWORDS, _settings, app_for
from tests.files.make_files import make_png, pixels_for
from tests.files.test_object_storage import fetched_directly, own_file, stored_keys
from tests.files.test_uploads import MUG, MUG_MM, PNG, place, upload_path
from tests.s3server import Bucket


@pytest.fixture
def settings_overrides(store: Path) -> dict[str, Any]:
    return {"storage_dir": str(store)}


@pytest.fixture
async def mugs(
    client: httpx.AsyncClient, auth_headers: dict[str, str], tmp_path: Path
) -> list[tuple[dict[str, Any], bytes]]:
    """Two orders whose files are accepted and stored on local disk."""
    stored = []
    for number in range(2):
        order = await place(client, auth_headers, MUG)
        png = make_png(tmp_path / f"mug-{number}.png", size_px=pixels_for(MUG_MM, 300)).read_bytes()
        answer = await client.post(upload_path(order), content=png, headers={**auth_headers, **PNG})
        assert answer.status_code == 200, answer.text
        stored.append((order, png))
    return stored


def on_bucket(runtime: Runtime, bucket: Bucket) -> Settings:
    """The test's settings, with the print files in ``bucket``."""
    return _settings(runtime.settings.database_url, **bucket.settings())


def store_of(runtime: Runtime, bucket: Bucket) -> FileStorage:
    return storage_from(on_bucket(runtime, bucket))


class FailsAtTheSecondFile(LocalStorage):
    """A source whose second file cannot be read: the migration stops there, as at a crash."""

    reads = 0

    async def read(self, key: str) -> AsyncIterator[bytes]:
        self.reads += 1
        if self.reads == 2:
            raise OSError("the disk went away")
        async for chunk in super().read(key):
            yield chunk


class TestMigration:
    async def test_a_dry_run_counts_and_copies_nothing(
        self, runtime: Runtime, mugs: list[Any], bucket: Bucket, store: Path
    ) -> None:
        target = store_of(runtime, bucket)
        try:
            done = await migrate_storage(db=runtime.db, source=runtime.storage, target=target, dry_run=True)
        finally:
            await target.close()

        assert (done.seen, done.copied, done.present, done.missing) == (2, 2, 0, [])
        assert done.line().startswith("2 files: would copy 2 (0.00 GiB)")
        assert await bucket.keys() == []

    async def test_files_keep_their_keys_and_the_store_serves_them_afterwards(
        self,
        runtime: Runtime,
        mugs: list[tuple[dict[str, Any], bytes]],
        bucket: Bucket,
        auth_headers: dict[str, str],
    ) -> None:
        target = store_of(runtime, bucket)
        heard: list[int] = []
        try:
            done = await migrate_storage(
                db=runtime.db,
                source=runtime.storage,
                target=target,
                dry_run=False,
                progress=lambda migration: heard.append(migration.seen),
            )
        finally:
            await target.close()

        assert (done.copied, done.present) == (2, 0)
        assert heard == [1, 2]
        assert await bucket.keys() == await stored_keys(runtime)
        on_s3 = Runtime.create(on_bucket(runtime, bucket), clock=runtime.clock, passwords=TEST_PASSWORDS)
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app_for(on_s3)), base_url="http://testserver"
            ) as client:
                order, png = mugs[0]
                answer = await own_file(client, auth_headers, order)
        finally:
            app_for(runtime)  # the app of these settings serves the test's runtime again
            await on_s3.close()
        assert answer.status_code == 307
        assert (await fetched_directly(answer.headers["location"])).content == png

    async def test_an_interrupted_migration_goes_on_where_it_stopped(
        self, runtime: Runtime, mugs: list[Any], bucket: Bucket, store: Path
    ) -> None:
        target = store_of(runtime, bucket)
        try:
            with pytest.raises(OSError, match="went away"):
                await migrate_storage(
                    db=runtime.db,
                    source=FailsAtTheSecondFile(store),
                    target=target,
                    dry_run=False,
                )
            assert len(await bucket.keys()) == 1
            assert await bucket.uploads() == []

            done = await migrate_storage(db=runtime.db, source=runtime.storage, target=target, dry_run=False)
        finally:
            await target.close()

        assert (done.seen, done.copied, done.present) == (2, 1, 1)
        assert await bucket.keys() == await stored_keys(runtime)

    async def test_a_file_missing_from_the_source_is_reported_and_the_rest_copied(
        self, runtime: Runtime, mugs: list[Any], bucket: Bucket, store: Path
    ) -> None:
        first = (await stored_keys(runtime))[0].removeprefix("files/")
        (store / first).unlink()
        target = store_of(runtime, bucket)
        try:
            done = await migrate_storage(db=runtime.db, source=runtime.storage, target=target, dry_run=False)
        finally:
            await target.close()

        assert done.missing == [first]
        assert done.copied == 1


class TestTheCommand:
    def cli(self, runtime: Runtime, tmp_path: Path) -> Cli:
        return Cli(tmp_path, runtime.settings.database_url)

    async def test_it_copies_to_the_store_of_the_settings_and_says_how_far_it_came(
        self, runtime: Runtime, mugs: list[Any], bucket: Bucket, store: Path, tmp_path: Path
    ) -> None:
        s3 = bucket.settings()
        environment = {f"PRINTAPI_{name.upper()}": str(value) for name, value in s3.items()}
        cli = self.cli(runtime, tmp_path)

        dry = await cli.run(
            "files",
            "migrate-storage",
            "--dry-run",
            PRINTAPI_STORAGE_DIR=str(store),
            **environment,
        )
        real = await cli.run("files", "migrate-storage", f"--from=file://{store}", **environment)
        again = await cli.run("files", "migrate-storage", f"--from={store}", **environment)

        assert dry.returncode == real.returncode == again.returncode == 0, (dry, real, again)
        assert (
            dry.stdout.splitlines()[-1]
            == "2 files: would copy 2 (0.00 GiB), 0 in the store already, 0 missing from the source"
        )
        assert real.stdout.splitlines()[-1].startswith("2 files: copied 2 (0.00 GiB), 0 in the store already")
        assert again.stdout.splitlines()[-1].startswith(
            "2 files: copied 0 (0.00 GiB), 2 in the store already"
        )
        assert await bucket.keys() == await stored_keys(runtime)

    async def test_it_needs_an_object_store_to_copy_to(self, runtime: Runtime, tmp_path: Path) -> None:
        refused = await self.cli(runtime, tmp_path).run("files", "migrate-storage")

        assert refused.returncode == 2
        assert "PRINTAPI_STORAGE_URL must name the object store to copy to" in refused.stderr


def test_the_migration_line_reads_as_a_sentence() -> None:
    done = Migration(dry_run=False, seen=10, copied=4, copied_bytes=3 * 1024**3, present=5, missing=["x"])
    assert done.line() == "10 files: copied 4 (3.00 GiB), 5 in the store already, 1 missing from the source"
