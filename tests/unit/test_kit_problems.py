"""``kit.problems``: a body as sent (``Sent``), the parts of it the schema accepted, and one list of
problems for the schema's findings and the rules'."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pytest
from pydantic import Field, StrictInt, StrictStr

from printapi.kit.errors import FieldError, InvalidInput
from printapi.kit.problems import Problems, Sent, field_name, request_problems
from printapi.kit.schema import WireModel


class Speed(StrEnum):
    STANDARD = "Standard"
    EXPRESS = "Express"


class LineIn(WireModel):
    product_id: Annotated[StrictStr, Field(min_length=1)]
    page_count: StrictInt | None = None
    quantity: StrictInt


class PlaceIn(WireModel):
    name: Annotated[StrictStr, Field(min_length=1)]
    country: StrictStr


class BasketIn(WireModel):
    speed: Speed = Speed.STANDARD
    lines: Annotated[list[LineIn], Field(min_length=1)]
    place: PlaceIn | None = None
    note: StrictStr | None = None


GOOD = {
    "speed": "Express",
    "lines": [{"productId": "boek", "quantity": 1}],
    "place": {"name": "J", "country": "NL"},
}


class TestFieldNames:
    @pytest.mark.parametrize(
        ("loc", "name"),
        [
            (("lines", 0, "pageCount"), "lines[0].pageCount"),
            (("place", "country"), "place.country"),
            ((), "body"),
        ],
    )
    def test_a_location_is_named_as_the_wire_writes_it(self, loc: tuple[int | str, ...], name: str) -> None:
        assert field_name(loc) == name

    def test_a_request_error_loses_where_it_came_from(self) -> None:
        errors = [
            {"loc": ("body", "lines", 0), "msg": "Value error, must not be blank", "type": "value_error"},
            {"loc": ("query", "limit"), "msg": "Input should be a valid integer", "type": "int_parsing"},
        ]

        assert request_problems(errors) == [
            FieldError("lines[0]", "must not be blank"),
            FieldError("limit", "Input should be a valid integer"),
        ]

    def test_malformed_json_is_a_problem_of_the_body(self) -> None:
        errors = [
            {"loc": ("body", 12), "msg": "JSON decode error", "type": "json_invalid", "ctx": {"error": "x"}}
        ]

        assert request_problems(errors) == [FieldError("body", "malformed JSON: x")]


class TestASentBody:
    def test_a_body_the_schema_accepts_is_the_model_without_problems(self) -> None:
        sent = Sent.parse(BasketIn, GOOD)

        assert sent.problems == ()
        assert sent.valid() == BasketIn.model_validate(GOOD)

    def test_the_parts_the_schema_refused_are_none_and_the_others_are_typed(self) -> None:
        data = {
            "speed": "Express",
            "lines": [
                {"productId": 5, "pageCount": 32, "quantity": 1},
                None,
                {"productId": "poster", "quantity": 2},
            ],
            "place": {"name": "", "country": "XX"},
        }

        sent = Sent.parse(BasketIn, data)

        assert [problem.field for problem in sent.problems] == [
            "lines[0].productId",
            "lines[1]",
            "place.name",
        ]
        body = sent.body
        assert body is not None
        assert body.speed is Speed.EXPRESS
        assert body.lines[0].product_id is None
        assert (body.lines[0].page_count, body.lines[0].quantity) == (32, 1)
        assert body.lines[1] is None
        assert body.lines[2] == LineIn(product_id="poster", quantity=2)
        assert body.place is not None
        assert (body.place.name, body.place.country) == (None, "XX")

    def test_a_missing_required_member_is_none(self) -> None:
        sent = Sent.parse(BasketIn, {"lines": [{"productId": "boek"}]})

        assert [problem.field for problem in sent.problems] == ["lines[0].quantity"]
        assert sent.body is not None
        assert sent.body.lines[0].quantity is None

    def test_members_sent_by_their_python_names_are_named_as_on_the_wire(self) -> None:
        sent = Sent.parse(BasketIn, {"lines": [{"product_id": "boek", "page_count": "32", "quantity": 1}]})

        assert [problem.field for problem in sent.problems] == ["lines[0].pageCount"]
        assert sent.body is not None
        assert sent.body.lines[0].product_id == "boek"

    @pytest.mark.parametrize("data", [[], "basket", 42])
    def test_a_body_that_is_not_an_object_has_nothing_to_salvage(self, data: object) -> None:
        sent = Sent.parse(BasketIn, data)

        assert sent.body is None
        assert [problem.field for problem in sent.problems] == ["body"]
        with pytest.raises(InvalidInput):
            sent.valid()

    def test_a_body_made_in_code_has_no_problems(self) -> None:
        body = BasketIn.model_validate(GOOD)

        assert Sent.of(body).valid() is body


class TestProblems:
    def test_a_rule_may_read_what_the_schema_refused_neither_itself_nor_above_it(self) -> None:
        problems = Problems([FieldError("lines[1]", "bad"), FieldError("place.name", "bad")])

        assert not problems.usable("lines[1]")
        assert not problems.usable("lines[1].quantity")
        assert problems.usable("lines[10].quantity")
        assert problems.usable("lines")
        assert problems.usable("place")
        assert problems.usable("place.country")
        assert not problems.usable("place.name")

    def test_nothing_is_usable_of_a_body_that_is_not_an_object(self) -> None:
        assert not Problems([FieldError("body", "bad")]).usable("lines")

    def test_check_keeps_what_a_rule_refuses_and_goes_on(self) -> None:
        problems = Problems()

        def page_count(pages: int) -> int:
            if pages % 2:
                raise ValueError("must be even")
            return pages

        def quantity() -> None:
            raise InvalidInput.on("quantity", "must be 1 or more", hint="Order at least one.")

        assert problems.check("pageCount", page_count, 32) == 32
        assert problems.check("pageCount", page_count, 33) is None
        assert problems.check("quantity", quantity) is None
        assert problems.errors == [
            FieldError("pageCount", "must be even"),
            FieldError("quantity", "must be 1 or more"),
        ]
        assert problems.hints == ["Order at least one."]

    def test_check_does_not_run_a_rule_on_what_the_schema_refused(self) -> None:
        problems = Problems([FieldError("pageCount", "Input should be a valid integer")])

        def never() -> None:
            raise AssertionError("ran")

        assert problems.check("pageCount", never) is None
        assert len(problems.errors) == 1

    def test_one_invalid_input_lists_them_in_the_order_of_the_body(self) -> None:
        sent = Sent.parse(BasketIn, {"lines": [{"productId": "boek", "quantity": "1"}], "note": 5})
        problems = Problems.of(sent)
        problems.add("place.country", "'XX' is not a country")
        problems.add("lines[0].productId", "unknown product 'boek'")
        problems.add("speed", "no line can be made at Express speed", hint="Choose Standard.")

        with pytest.raises(InvalidInput) as raised:
            problems.raise_if_any(hint="Every problem is listed.")

        assert [error.field for error in raised.value.errors] == [
            "speed",
            "lines[0].productId",
            "lines[0].quantity",
            "place.country",
            "note",
        ]
        assert raised.value.message == "speed: no line can be made at Express speed (and 4 more)"
        assert raised.value.hints == ["Choose Standard.", "Every problem is listed."]

    def test_no_problems_raise_nothing(self) -> None:
        Problems().raise_if_any(hint="Every problem is listed.")
