"""The parts one process runs with, built once from the settings and swapped whole in tests: the
composition root (the payment providers, the password hasher, storage, clock, database)."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from printapi.auth import service as auth
from printapi.auth.hashing import Passwords
from printapi.auth.principal import Principal
from printapi.auth.service import TokenCache
from printapi.config import Settings
from printapi.kit.clock import Clock, SystemClock
from printapi.kit.db import Database, create_database, sqlite_file
from printapi.kit.outbound import OutboundGuard, parse_networks
from printapi.kit.storage import FileStorage, LocalStorage
from printapi.kit.supervise import Loops
from printapi.kit.wakeup import Doorbell, Wakeup
from printapi.payments.provider import PaymentProviders


@dataclass
class Runtime:
    settings: Settings
    db: Database
    # Who takes the payments of test and of live orders (tests swap it here).
    payments: PaymentProviders
    clock: Clock = field(default_factory=SystemClock)
    token_cache: TokenCache = field(default_factory=lambda: TokenCache(seconds=0))
    wakeup: Wakeup = field(default_factory=Wakeup)
    guard: OutboundGuard = field(default_factory=OutboundGuard)
    storage: FileStorage = field(default_factory=lambda: LocalStorage(Path("./var/files")))
    passwords: Passwords = field(default_factory=Passwords)
    # The heartbeats of the worker loops this process runs (none: readiness is the database alone).
    loops: Loops = field(default_factory=Loops)
    # SQLite file only: wakes the workers of other processes (PostgreSQL has NOTIFY).
    doorbell: Doorbell | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # Work queued by a committed transaction of this process wakes this process's loops at once.
        self.db.commit_hooks.append(self.wakeup.poke)
        path = sqlite_file(self.db.url)
        if path is not None and Doorbell.available():
            self.doorbell = Doorbell(path)
            self.db.commit_hooks.append(self.doorbell.ring)

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        payments: PaymentProviders | None = None,
    ) -> Runtime:
        return cls(
            settings=settings,
            db=create_database(settings.database_url, echo=settings.sql_echo),
            payments=payments or PaymentProviders.configured(settings),
            clock=clock or SystemClock(),
            token_cache=TokenCache(seconds=settings.token_cache_seconds),
            guard=OutboundGuard(parse_networks(settings.outbound_allow_networks)),
            storage=storage_from(settings),
            passwords=passwords or Passwords(),
        )

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    async def caller(self, authorization: str | None) -> Principal:
        """The principal of an ``Authorization`` header, with this process's token cache and keys:
        what a route's caller is (``api.require``) and whom an Idempotency-Key belongs to."""
        return await auth.caller(
            self.db,
            self.token_cache,
            authorization=authorization,
            secret_key=self.settings.secret_key,
            now=self.clock.now(),
        )

    async def close(self) -> None:
        if self.doorbell is not None:
            self.doorbell.close()
        await self.storage.close()
        await self.db.dispose()


def storage_from(settings: Settings) -> FileStorage:
    """The print files' store the settings name: a local directory, or an S3-compatible bucket."""
    bucket = settings.s3_bucket
    if bucket is None:
        return LocalStorage(settings.storage_path)
    # Imported here: aiobotocore costs 0.3-0.6 s and 35 MB of every process that imports it.
    from printapi.kit.s3 import S3Location, S3Storage  # noqa: PLC0415 - only deployments on S3 pay for it

    secret = settings.s3_secret_access_key
    location = S3Location(
        bucket=bucket[0],
        prefix=bucket[1],
        endpoint_url=settings.s3_endpoint_url,
        public_endpoint_url=settings.s3_public_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret is not None else None,
        addressing_style=settings.s3_addressing_style,
        presign_seconds=settings.s3_presign_seconds,
        connect_timeout_seconds=settings.s3_connect_timeout_seconds,
        max_attempts=settings.s3_max_attempts,
    )
    return S3Storage(location, temp_dir=Path(settings.temp_dir) if settings.temp_dir else None)


def freeze_startup_objects() -> None:
    """Move what starting a process made (modules, mappers, schemas, settings: hundreds of
    thousands of objects that live as long as the process) out of the garbage collector's sight.
    Each full collection walked them all; in the worker that paused the event loop, and so every
    delivery, for 25-130 ms several times a minute. Only for a process that then runs until it
    stops (``printapi serve`` and ``printapi worker``): frozen objects are never collected."""
    gc.collect()
    gc.freeze()
