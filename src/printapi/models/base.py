from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from printapi.kit.db import metadata


class Base(DeclarativeBase):
    metadata = metadata
