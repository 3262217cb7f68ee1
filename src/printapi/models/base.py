from __future__ import annotations

from typing import Any, Self

from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.instrumentation import manager_of_class

from printapi.kit.db import metadata


class Base(DeclarativeBase):
    metadata = metadata

    @classmethod
    def built(cls, **values: Any) -> Self:
        """A new object with ``values`` set as a load from the database sets them: straight into
        its state, without the attribute events of the constructor (a change record per
        attribute, a back-reference per relationship), which cost more than the rest of building
        an order (bench/hot_path.py). For objects written by Core statements and only read after
        (``orders.repository.add``); one that a session is to flush needs the constructor."""
        instance: Self = manager_of_class(cls).new_instance()
        instance.__dict__.update(values)
        return instance

    def loaded(self, **values: Any) -> None:
        """Set more ``values`` on an object from ``built`` the same way: the keys the database
        gave it when a Core statement wrote it."""
        self.__dict__.update(values)
