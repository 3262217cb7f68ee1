"""The production due-date rule (dashboard/due.py): pure, no fixtures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from printapi.catalogue.seed_data import catalogue
from printapi.catalogue.spec import ProductionSpeed, ProductSpec
from printapi.dashboard.due import due_date, first_production_day, order_due

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY, TUESDAY, WEDNESDAY = date(2025, 3, 24), date(2025, 3, 25), date(2025, 3, 26)
FRIDAY, NEXT_MONDAY, NEXT_TUESDAY = date(2025, 3, 28), date(2025, 3, 31), date(2025, 4, 1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def product(product_id: str) -> ProductSpec:
    return next(spec for spec in catalogue() if spec.id == product_id)


class TestTheFirstProductionDay:
    def test_before_the_cut_off_hour_today_is_day_one(self) -> None:
        assert first_production_day(local(MONDAY, 10, 59), limit_hour=11, zone=AMSTERDAM) == MONDAY

    def test_at_or_after_the_cut_off_hour_the_next_working_day_is_day_one(self) -> None:
        assert first_production_day(local(MONDAY, 11, 0), limit_hour=11, zone=AMSTERDAM) == TUESDAY
        assert first_production_day(local(MONDAY, 23, 59), limit_hour=11, zone=AMSTERDAM) == TUESDAY

    def test_after_the_cut_off_on_friday_day_one_is_monday(self) -> None:
        assert first_production_day(local(FRIDAY, 15), limit_hour=11, zone=AMSTERDAM) == NEXT_MONDAY

    def test_on_a_weekend_day_one_is_monday_whatever_the_hour(self) -> None:
        assert first_production_day(local(date(2025, 3, 29), 8), limit_hour=11, zone=AMSTERDAM) == NEXT_MONDAY
        assert first_production_day(local(date(2025, 3, 30), 8), limit_hour=11, zone=AMSTERDAM) == NEXT_MONDAY

    def test_the_hour_is_read_in_the_shops_time_zone_not_utc(self) -> None:
        # 09:30 UTC on a winter Monday is 10:30 in Amsterdam: still before 11:00.
        assert (
            first_production_day(datetime(2025, 3, 24, 9, 30, tzinfo=UTC), limit_hour=11, zone=AMSTERDAM)
            == MONDAY
        )
        # 10:30 UTC is 11:30 in Amsterdam: past the cut-off.
        assert (
            first_production_day(datetime(2025, 3, 24, 10, 30, tzinfo=UTC), limit_hour=11, zone=AMSTERDAM)
            == TUESDAY
        )


class TestTheDueDate:
    @pytest.mark.parametrize(
        ("started", "days", "due"),
        [
            (local(MONDAY, 10), 1, MONDAY),
            (local(MONDAY, 10), 2, TUESDAY),
            (local(MONDAY, 12), 2, WEDNESDAY),
            (local(FRIDAY, 10), 2, NEXT_MONDAY),
            (local(FRIDAY, 12), 2, NEXT_TUESDAY),
            (local(FRIDAY, 10), 4, date(2025, 4, 2)),
            (local(MONDAY, 10), 0, MONDAY),
        ],
    )
    def test_production_days_are_counted_in_working_days_from_day_one(
        self, started: datetime, days: int, due: date
    ) -> None:
        assert due_date(started, days=days, limit_hour=11, zone=AMSTERDAM) == due


class TestAnOrdersDueDate:
    def test_express_uses_the_products_express_time(self) -> None:
        book = product("boek_hc_a5_sta")  # Standard 3 days, Express 2 days, cut-off 11:00
        started = local(MONDAY, 10)

        assert order_due([book], ProductionSpeed.STANDARD, started, AMSTERDAM) == WEDNESDAY
        assert order_due([book], ProductionSpeed.EXPRESS, started, AMSTERDAM) == TUESDAY

    def test_an_item_without_express_is_made_at_its_standard_speed_and_the_slowest_item_counts(self) -> None:
        book, mug = product("boek_hc_a5_sta"), product("mok")  # the mug: Standard 2 days, no Express
        started = local(FRIDAY, 12)

        assert mug.production_time(ProductionSpeed.EXPRESS) is None
        assert order_due([book, mug], ProductionSpeed.EXPRESS, started, AMSTERDAM) == NEXT_TUESDAY
        assert order_due([book, mug], ProductionSpeed.STANDARD, started, AMSTERDAM) == date(2025, 4, 2)

    def test_the_cut_off_hour_comes_from_the_product(self) -> None:
        mug = product("mok")  # cut-off 11:00
        late_mug = mug.model_copy(
            update={"production_times": [mug.production_times[0].model_copy(update={"limit_hour": 16})]}
        )

        assert order_due([late_mug], ProductionSpeed.STANDARD, local(MONDAY, 15), AMSTERDAM) == TUESDAY
        assert order_due([mug], ProductionSpeed.STANDARD, local(MONDAY, 15), AMSTERDAM) == WEDNESDAY
