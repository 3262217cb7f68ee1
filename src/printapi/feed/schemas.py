"""The wire shape of the event feed (``GET /v2/events``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from printapi.feed.service import EventType, FeedPage
from printapi.kit.schema import LocalDateTime, WireOut


class EventOut(WireOut):
    id: str = Field(description="The event's id: also the cursor that reads on after it.")
    # A string on the wire, not an enum: more types will come, and a client must not fail on one.
    type: str = Field(description=f"One of {', '.join(t.value for t in EventType)}; more may come.")
    order_id: str
    status: str = Field(description="The order's status after the change.")
    previous_status: str | None = Field(None, description="order.status_changed: the status before.")
    payment_status: str | None = Field(None, description="payment.status_changed: the payment's new status.")
    date_time: LocalDateTime


class EventListOut(WireOut):
    results: list[EventOut]
    cursor: str = Field(description="Pass as after to read on; the same cursor when nothing was new.")
    has_more: bool = Field(description="More events can be read at once with cursor.")

    @classmethod
    def of(cls, page: FeedPage) -> Self:
        results = [
            {
                "id": event_id,
                "type": row.type,
                "order_id": row.order_id,
                "status": row.status,
                "previous_status": row.previous_status,
                "payment_status": row.payment_status,
                "date_time": row.occurred_at,
            }
            for event_id, row in page.events
        ]
        return cls(results=results, cursor=page.cursor, has_more=page.has_more)
