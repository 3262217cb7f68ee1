"""What a shop may do with an order now (``allowedActions``, an extension), as data. Pure.

An order's *stage* is its status (``states.TRANSITIONS``) with Processing split at the moment its
production starts (``production_starts_at``: the delay of ``PRINTAPI_PRODUCTION_DELAY`` after it
became Processing)::

    Created ──► WaitingForProduction ──► InProduction ──► Shipped
       │                 │
       └─────────────────┴──────────────────────────────► Cancelled

``STAGE_ACTIONS`` says what each stage allows; an action that also depends on the order's
payment or its files names that in ``NEEDS``. The cancel endpoint refuses by the same tables, so
what ``allowedActions`` shows is what the API lets the shop do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from printapi.orders.states import FileStatus, OrderStatus, file_sources


class Stage(StrEnum):
    CREATED = "Created"
    WAITING_FOR_PRODUCTION = "WaitingForProduction"  # Processing, production not started yet
    IN_PRODUCTION = "InProduction"  # Processing, production started
    SHIPPED = "Shipped"
    CANCELLED = "Cancelled"


class Action(StrEnum):
    """An API call the shop may make on the order (the member's values, camelCase)."""

    CANCEL = "cancel"  # POST /orders/{id}/cancel
    SETUP_CHECKOUT = "setupCheckout"  # POST checkout.setupUrl (payment screen)
    UPLOAD_FILES = "uploadFiles"  # POST an item file's uploadUrl


STAGE_ACTIONS: Mapping[Stage, frozenset[Action]] = {
    Stage.CREATED: frozenset({Action.CANCEL, Action.SETUP_CHECKOUT, Action.UPLOAD_FILES}),
    Stage.WAITING_FOR_PRODUCTION: frozenset({Action.CANCEL}),
    Stage.IN_PRODUCTION: frozenset(),
    Stage.SHIPPED: frozenset(),
    Stage.CANCELLED: frozenset(),
}

# Why each stage refuses a cancellation (the 403's message ends with it).
CANCEL_REFUSALS: Mapping[Stage, str] = {
    Stage.IN_PRODUCTION: "its production has started",
    Stage.SHIPPED: "it has been shipped",
    Stage.CANCELLED: "it is cancelled already",
}


class CheckoutState(StrEnum):
    """The order's payment screen as the actions see it (``payments/states.py`` has the payment's)."""

    NONE = "none"  # placed without the payment screen
    OPEN = "open"  # not set up yet, or its payment is Open: it can be (set up) again
    SETTLED = "settled"  # its payment ended (paid, failed or cancelled)


@dataclass(frozen=True)
class Facts:
    """What the actions depend on beyond the stage."""

    checkout: CheckoutState
    files_to_upload: bool  # some file still takes an upload (it has an uploadUrl)


# The file statuses that still take an upload: those that may become Accepted, but not while a
# download of the file is running (``files/`` refuses an upload then).
TAKES_UPLOAD = file_sources(FileStatus.ACCEPTED) - {FileStatus.DOWNLOAD_IN_PROGRESS}

NEEDS: Mapping[Action, Callable[[Facts], bool]] = {
    Action.SETUP_CHECKOUT: lambda facts: facts.checkout is CheckoutState.OPEN,
    Action.UPLOAD_FILES: lambda facts: facts.files_to_upload,
}


def stage_of(status: OrderStatus, production_starts_at: datetime | None, now: datetime) -> Stage:
    """The order's stage at ``now``; a Processing order without a start (older than the window)
    is in production."""
    if status is OrderStatus.PROCESSING:
        waiting = production_starts_at is not None and now < production_starts_at
        return Stage.WAITING_FOR_PRODUCTION if waiting else Stage.IN_PRODUCTION
    return Stage(status.value)


def allowed(stage: Stage, facts: Facts) -> list[Action]:
    """The stage's actions whose needs the facts meet, in the order of ``Action``."""
    return [
        action
        for action in Action
        if action in STAGE_ACTIONS[stage] and (action not in NEEDS or NEEDS[action](facts))
    ]


def cancel_refusal(stage: Stage) -> str | None:
    """Why the shop may not cancel in ``stage`` (None: it may)."""
    if Action.CANCEL in STAGE_ACTIONS[stage]:
        return None
    return CANCEL_REFUSALS[stage]
