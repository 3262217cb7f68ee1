"""What happens to a print file, as events (``kit/events.py``); ``effects.py`` says what each causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printapi.kit.events import Event


@dataclass(frozen=True)
class FileAccepted(Event):
    """A print file passed preflight and is ``Accepted``; its order's row is locked."""

    order_pk: int
    file_pk: int
    now: datetime
