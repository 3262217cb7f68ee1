"""The parts one process runs with, built once from the settings and swapped whole in tests: the
composition root (the payment providers, the password hasher, storage, clock, database)."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from printapi.auth.hashing import Passwords
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
            storage=LocalStorage(Path(settings.storage_dir)),
            passwords=passwords or Passwords(),
        )

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    async def close(self) -> None:
        if self.doorbell is not None:
            self.doorbell.close()
        await self.db.dispose()


def freeze_startup_objects() -> None:
    """Move what starting a process made (modules, mappers, schemas, settings: hundreds of
    thousands of objects that live as long as the process) out of the garbage collector's sight.
    Each full collection walked them all; in the worker that paused the event loop, and so every
    delivery, for 25-130 ms several times a minute. Only for a process that then runs until it
    stops (``printapi serve`` and ``printapi worker``): frozen objects are never collected."""
    gc.collect()
    gc.freeze()
