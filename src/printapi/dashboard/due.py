"""When a print job is due: production days counted in working days from the cut-off hour.

The rule (docs/dashboard.md): an order that reaches production on a working day (Monday to
Friday) before the product's ``limit_hour`` in ``PRINTAPI_TIMEZONE`` counts that day as day 1;
later that day, or on a weekend, day 1 is the next working day. An item with N production days
is due at the end of working day N (0 days counts as 1). An order is due when its slowest item
is. Public holidays are not known here.

Pure: no database, no clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from printapi.catalogue.spec import ProductionSpeed, ProductSpec

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def is_working_day(day: date) -> bool:
    return day.weekday() < _SATURDAY


def next_working_day(day: date) -> date:
    day += _ONE_DAY
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def first_production_day(started: datetime, *, limit_hour: int, zone: ZoneInfo) -> date:
    """Day 1: the day production starts, given the cut-off hour."""
    local = started.astimezone(zone)
    if is_working_day(local.date()) and local.hour < limit_hour:
        return local.date()
    return next_working_day(local.date())


def due_date(started: datetime, *, days: int, limit_hour: int, zone: ZoneInfo) -> date:
    """The working day by whose end a job of ``days`` production days is done."""
    day = first_production_day(started, limit_hour=limit_hour, zone=zone)
    for _ in range(max(days, 1) - 1):
        day = next_working_day(day)
    return day


def item_due(spec: ProductSpec, speed: ProductionSpeed, started: datetime, zone: ZoneInfo) -> date:
    """One item's due date; a product without Express is made at its Standard speed."""
    time = spec.production_time(speed) or spec.production_time(ProductionSpeed.STANDARD)
    assert time is not None  # every product has a Standard time (ProductSpec's validator)
    return due_date(started, days=time.days, limit_hour=time.limit_hour, zone=zone)


def order_due(specs: list[ProductSpec], speed: ProductionSpeed, started: datetime, zone: ZoneInfo) -> date:
    """An order is due when its slowest item is."""
    return max(item_due(spec, speed, started, zone) for spec in specs)
