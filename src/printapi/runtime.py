"""The parts one process runs with, built once from the settings and swapped whole in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from printapi.auth.service import TokenCache
from printapi.config import Settings
from printapi.kit.clock import Clock, SystemClock
from printapi.kit.db import Database, create_database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    token_cache: TokenCache = field(default_factory=lambda: TokenCache(seconds=0))

    @classmethod
    def create(cls, settings: Settings, *, clock: Clock | None = None) -> Runtime:
        return cls(
            settings=settings,
            db=create_database(settings.database_url, echo=settings.sql_echo),
            clock=clock or SystemClock(),
            token_cache=TokenCache(seconds=settings.token_cache_seconds),
        )

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    async def close(self) -> None:
        await self.db.dispose()
