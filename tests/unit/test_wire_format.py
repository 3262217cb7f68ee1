"""The Print API wire format (spec §1.2): the JSON encoder, response models, local date/times and
money rounding."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Annotated, Any, get_args, get_origin
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import AfterValidator, ValidationError

import printapi.app  # noqa: F401 - imports the routes, and with them every response model
from printapi.kit.schema import LocalDateTime, Number, WireOut
from printapi.kit.wire import dumps, local_iso, parse_local, plain_decimal, round_money
from printapi.orders.states import OrderStatus

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
D = Decimal


def wire(value: Any) -> str:
    return dumps(value, AMSTERDAM).decode()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


class Colour(Enum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


class TestDumps:
    def test_decimals_keep_their_scale(self) -> None:
        body = {"handling": D("0.40"), "width": D("216.00"), "discount": D("0.0"), "shipping": D("2.95")}

        assert wire(body) == '{"handling":0.40,"width":216.00,"discount":0.0,"shipping":2.95}'

    @pytest.mark.parametrize(
        ("value", "text"),
        [(D("1E+2"), "100"), (D("1E-7"), "0.0000001"), (D("-0.50"), "-0.50"), (D("0"), "0")],
    )
    def test_decimals_are_plain_numbers_never_exponents(self, value: Decimal, text: str) -> None:
        assert wire(value) == text

    @pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity")])
    def test_a_non_finite_decimal_is_refused(self, value: Decimal) -> None:
        with pytest.raises(ValueError, match="non-finite"):
            wire({"cost": value})

    def test_null_members_are_left_out_and_empty_lists_kept(self) -> None:
        body = {"id": "1", "trackingUrl": None, "options": [], "taxes": [], "metadata": None}

        assert wire(body) == '{"id":"1","options":[],"taxes":[]}'

    def test_a_member_after_a_left_out_one_gets_one_comma(self) -> None:
        assert wire({"a": None, "b": 1, "c": None, "d": 2}) == '{"b":1,"d":2}'
        assert wire({"a": None}) == "{}"

    def test_members_keep_the_order_they_were_built_in(self) -> None:
        assert wire({"id": "1", "dateTime": None, "status": "Created", "email": "a@b.nl"}) == (
            '{"id":"1","status":"Created","email":"a@b.nl"}'
        )
        assert wire({"z": 1, "a": 2}) == '{"z":1,"a":2}'

    def test_nested_members_are_left_out_too(self) -> None:
        body = {
            "shipping": {"address": {"line1": "Dorpsstraat 1", "line2": None}},
            "items": [{"title": None}],
        }

        assert wire(body) == '{"shipping":{"address":{"line1":"Dorpsstraat 1"}},"items":[{}]}'

    def test_strings_are_escaped(self) -> None:
        text = 'He said "hi" \\ back\n\ttab \x01 \x1f'

        assert wire(text) == '"He said \\"hi\\" \\\\ back\\n\\ttab \\u0001 \\u001f"'

    def test_unicode_is_written_as_utf8(self) -> None:
        assert dumps("Glans laminaat – café €", AMSTERDAM) == '"Glans laminaat – café €"'.encode()

    def test_enums_are_written_as_their_values(self) -> None:
        body = {"status": OrderStatus.CREATED, "colour": Colour.RED, "level": Level.HIGH}

        assert wire(body) == '{"status":"Created","colour":"red","level":3}'

    def test_booleans_and_integers_are_json_literals(self) -> None:
        assert wire([True, False, 0, 1, -14399]) == "[true,false,0,1,-14399]"

    def test_a_datetime_is_amsterdam_winter_time_without_offset(self) -> None:
        moment = utc(2025, 3, 29, 20, 40, 20, 4491)

        assert wire({"dateTime": moment}) == '{"dateTime":"2025-03-29T21:40:20.004491"}'

    def test_a_datetime_in_summer_is_two_hours_ahead_of_utc(self) -> None:
        assert wire(utc(2025, 7, 1, 10, 0, 0, 500000)) == '"2025-07-01T12:00:00.5"'

    def test_whole_seconds_have_no_fraction(self) -> None:
        assert wire(utc(2024, 6, 29, 22, 0, 0)) == '"2024-06-30T00:00:00"'

    def test_trailing_zeros_of_the_fraction_are_trimmed(self) -> None:
        local = datetime(2025, 3, 29, 21, 40, 20, 3000, tzinfo=AMSTERDAM)

        assert wire(local) == '"2025-03-29T21:40:20.003"'
        assert wire(utc(2024, 11, 27, 21, 45, 10, 600000)) == '"2024-11-27T22:45:10.6"'

    def test_a_datetime_of_another_zone_is_converted(self) -> None:
        new_york = datetime(2025, 3, 29, 16, 40, 20, tzinfo=ZoneInfo("America/New_York"))

        assert wire(new_york) == '"2025-03-29T21:40:20"'

    def test_the_clock_jumps_at_the_spring_switch(self) -> None:
        assert wire(utc(2025, 3, 30, 0, 59, 59)) == '"2025-03-30T01:59:59"'
        assert wire(utc(2025, 3, 30, 1, 0, 0)) == '"2025-03-30T03:00:00"'

    def test_a_date_is_written_as_a_date(self) -> None:
        assert wire({"expires": date(2024, 6, 30)}) == '{"expires":"2024-06-30"}'

    def test_an_unknown_type_is_refused(self) -> None:
        with pytest.raises(TypeError, match="cannot put set on the wire"):
            wire({"ids": {1, 2}})

    def test_the_zone_is_the_one_passed_in(self) -> None:
        assert dumps(utc(2025, 3, 29, 20, 40, 20), ZoneInfo("UTC")) == b'"2025-03-29T20:40:20"'


class Line(WireOut):
    product_id: str
    cost: Number
    discount: Number | None = None
    placed_at: LocalDateTime
    note: str | None = None
    status: OrderStatus


class TestResponseModels:
    def line(self, **changes: Any) -> Line:
        members: dict[str, Any] = {
            "product_id": "boek_hc_a5_sta",
            "cost": D("0.40"),
            "placed_at": utc(2025, 3, 29, 20, 40, 20, 4491),
            "status": "Created",
        }
        return Line(**(members | changes))

    def test_a_model_is_written_in_field_order_in_camel_case_without_its_none_members(self) -> None:
        assert wire(self.line()) == (
            '{"productId":"boek_hc_a5_sta","cost":0.40,"placedAt":"2025-03-29T21:40:20.004491","status":"Created"}'
        )

    def test_its_numbers_keep_their_scale_and_are_never_exponents(self) -> None:
        line = self.line(cost=D("1E+2"), discount=D("0.0"))

        assert '"cost":100,"discount":0.0,' in wire(line)

    @pytest.mark.parametrize("value", [D("NaN"), D("-Infinity"), D("1E-7")])
    def test_a_number_the_wire_cannot_write_plainly_is_refused_when_the_model_is_built(
        self, value: Decimal
    ) -> None:
        with pytest.raises(ValidationError):
            self.line(cost=value)

    def test_its_moments_are_written_in_the_zone_passed_in(self) -> None:
        assert '"placedAt":"2025-03-29T20:40:20.004491"' in dumps(self.line(), ZoneInfo("UTC")).decode()

    def test_every_decimal_of_every_response_model_is_a_number(self) -> None:
        bare = [
            f"{model.__name__}.{name}"
            for model in _subclasses(WireOut)
            for name, info in model.model_fields.items()
            if _bare_decimal(
                Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            )
        ]

        assert bare == []


class TestPlainDecimal:
    @pytest.mark.parametrize(
        ("value", "text"), [("0.40", "0.40"), ("1E+2", "100"), ("0.0", "0.0"), ("-0.50", "-0.50")]
    )
    def test_str_writes_it_plainly_with_its_scale(self, value: str, text: str) -> None:
        assert str(plain_decimal(D(value))) == text

    @pytest.mark.parametrize("value", ["NaN", "Infinity", "1E-7"])
    def test_what_str_cannot_write_plainly_is_refused(self, value: str) -> None:
        with pytest.raises(ValueError, match=r"non-finite|too many decimals"):
            plain_decimal(D(value))


def _subclasses(model: type[WireOut]) -> list[type[WireOut]]:
    found = []
    for subclass in model.__subclasses__():
        found += [subclass, *_subclasses(subclass)]
    return found


def _bare_decimal(annotation: Any) -> bool:
    """Whether a Decimal in this type is not a ``Number`` (which ``plain_decimal`` makes writable)."""
    if get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        if base is Decimal:
            return not any(isinstance(e, AfterValidator) and e.func is plain_decimal for e in extras)
        return _bare_decimal(base)
    return annotation is Decimal or any(_bare_decimal(arg) for arg in get_args(annotation))


json_keys = st.text(max_size=8)
scalars = (
    st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9)
    | st.decimals(allow_nan=False, allow_infinity=False, places=0, min_value=-(10**9), max_value=10**9)
    | st.text(max_size=20)
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_keys, children | st.none(), max_size=4)
    ),
    max_leaves=20,
)


def without_null_members(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_null_members(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_null_members(item) for item in value]
    return value


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON values: no bool/number confusion, decimals equal in value and scale."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, Decimal) and _exponent(left) < 0:
        return isinstance(right, Decimal) and left == right and _exponent(left) == _exponent(right)
    if isinstance(left, Decimal):  # a whole decimal is written without a point and reads back as an int
        return type(right) is int and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(same_json(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same_json(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right


# Hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(
    min_value=datetime(1970, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


class TestDumpsRoundTrip:
    @given(documents)
    def test_the_output_is_json_that_parses_back_to_the_same_values(self, value: Any) -> None:
        parsed = json.loads(dumps(value, AMSTERDAM), parse_float=Decimal)

        assert same_json(without_null_members(value), parsed)

    @given(moments)
    def test_a_written_datetime_reads_back_as_the_same_moment_outside_the_autumn_hour(
        self, moment: datetime
    ) -> None:
        local = moment.astimezone(AMSTERDAM)
        # In the repeated autumn hour local time without an offset names two moments.
        assume(local.utcoffset() == local.replace(fold=1 - local.fold).utcoffset())

        assert parse_local(local_iso(moment, AMSTERDAM), AMSTERDAM) == moment


class TestParseLocal:
    def test_a_time_without_offset_is_amsterdam_local_time(self) -> None:
        assert parse_local("2025-03-29T21:40:20", AMSTERDAM) == utc(2025, 3, 29, 20, 40, 20)

    def test_the_result_is_in_utc(self) -> None:
        assert parse_local("2025-07-01T12:00:00", AMSTERDAM).utcoffset() == timedelta(0)

    def test_a_space_may_separate_date_and_time(self) -> None:
        assert parse_local("2025-03-29 21:40:20", AMSTERDAM) == utc(2025, 3, 29, 20, 40, 20)

    def test_seconds_may_be_left_out(self) -> None:
        assert parse_local("2025-03-24T13:00", AMSTERDAM) == utc(2025, 3, 24, 12, 0)

    def test_a_date_alone_is_local_midnight(self) -> None:
        assert parse_local("2025-03-24", AMSTERDAM) == utc(2025, 3, 23, 23, 0)
        assert parse_local("2025-07-01", AMSTERDAM) == utc(2025, 6, 30, 22, 0)

    def test_z_means_utc(self) -> None:
        assert parse_local("2025-03-29T20:40:20Z", AMSTERDAM) == utc(2025, 3, 29, 20, 40, 20)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2025-07-01T12:00:00+02:00", utc(2025, 7, 1, 10, 0)),
            ("2025-07-01T12:00:00+0200", utc(2025, 7, 1, 10, 0)),
            ("2025-07-01T12:00:00-05:00", utc(2025, 7, 1, 17, 0)),
            ("2025-07-01T12:00:00-0530", utc(2025, 7, 1, 17, 30)),
            ("2025-01-01T00:30:00+01:00", utc(2024, 12, 31, 23, 30)),
        ],
    )
    def test_an_offset_is_honoured_with_or_without_colon(self, text: str, expected: datetime) -> None:
        assert parse_local(text, AMSTERDAM) == expected

    @pytest.mark.parametrize(
        ("fraction", "microseconds"),
        [
            ("6", 600000),
            ("003", 3000),
            ("004491", 4491),
            ("0044919", 4491),  # .NET writes seven digits; Python keeps six
            ("123456789", 123456),
        ],
    )
    def test_fractions_of_one_to_nine_digits_are_read(self, fraction: str, microseconds: int) -> None:
        parsed = parse_local(f"2025-03-29T21:40:20.{fraction}", AMSTERDAM)

        assert parsed == utc(2025, 3, 29, 20, 40, 20, microseconds)

    def test_the_spring_switch(self) -> None:
        assert parse_local("2025-03-30T01:59:59", AMSTERDAM) == utc(2025, 3, 30, 0, 59, 59)
        assert parse_local("2025-03-30T03:00:00", AMSTERDAM) == utc(2025, 3, 30, 1, 0, 0)

    def test_the_repeated_autumn_hour_is_read_as_its_first_summer_time_occurrence(self) -> None:
        assert parse_local("2025-10-26T02:30:00", AMSTERDAM) == utc(2025, 10, 26, 0, 30)
        assert parse_local("2025-10-26T03:30:00", AMSTERDAM) == utc(2025, 10, 26, 2, 30)

    @pytest.mark.parametrize(
        "text",
        [
            "\u0662\u0660\u0662\u0665-\u0660\u0663-\u0662\u0664",  # Arabic-Indic digits
            "\uff12\uff10\uff12\uff15-\uff10\uff13-\uff12\uff14T13:00:00",  # fullwidth digits in the date
            "2025-03-24T\u0661\u0663:00:00",  # Arabic-Indic digits in the hour
        ],
    )
    def test_only_ascii_digits_are_read(self, text: str) -> None:
        # ISO 8601 has ASCII digits only; "2025-03-24" written in other scripts is not a wire date.
        with pytest.raises(ValueError, match="date/time"):
            parse_local(text, AMSTERDAM)

    def test_surrounding_whitespace_is_ignored(self) -> None:
        assert parse_local(" 2025-03-24T13:00:00 ", AMSTERDAM) == utc(2025, 3, 24, 12, 0)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "garbage",
            "2025-13-01",
            "2025-02-30",
            "2025-00-10",
            "2025-03-24T24:00:00",
            "2025-03-24T13:60:00",
            "2025-3-24",
            "24-03-2025",
            "2025-03-24T13",
            "2025-03-24T13:00:00.",
            "2025-03-24T13:00:00.1234567890",
            "2025-03-24T13:00:00+02",
            "2025-03-24T13:00:00+25:00",
            "2025-03-24T13:00:00 UTC",
            "2025-03-24T13:00:00Z trailing",
        ],
    )
    def test_anything_else_is_a_value_error(self, text: str) -> None:
        with pytest.raises(ValueError, match="date/time"):
            parse_local(text, AMSTERDAM)


class TestRoundMoney:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("0.2655", "0.27"),
            ("0.9621", "0.96"),
            ("1.3059", "1.31"),
            ("0.005", "0.01"),
            ("0.015", "0.02"),
            ("0.025", "0.03"),  # half-even would give 0.02
            ("2.675", "2.68"),  # the float trap: 2.675 is 2.67499… as a float
            ("0.0049999", "0.00"),
            ("-0.005", "-0.01"),
            ("-0.2655", "-0.27"),
            ("3", "3.00"),
            ("14.51", "14.51"),
        ],
    )
    def test_rounds_to_cents_half_away_from_zero(self, value: str, expected: str) -> None:
        rounded = round_money(D(value))

        assert str(rounded) == expected
