"""Offset/limit paging (spec §3.4, §3.7) and the error types with their documented body (spec §3.12)."""

from __future__ import annotations

import pytest

from printapi.kit.errors import (
    ApiError,
    ConcurrentChange,
    Conflict,
    FieldError,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthenticated,
    UnsupportedMediaType,
)
from printapi.kit.pagination import Page, PageRequest


class TestPageRequest:
    @pytest.mark.parametrize(("offset", "limit"), [(0, 1), (0, 100), (450, 50), (10**9, 20)])
    def test_an_offset_from_zero_and_a_limit_up_to_the_maximum_are_taken(
        self, offset: int, limit: int
    ) -> None:
        assert PageRequest.checked(offset=offset, limit=limit, max_limit=100) == PageRequest(offset, limit)

    def test_a_negative_offset_is_refused(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            PageRequest.checked(offset=-1, limit=20, max_limit=100)

        assert caught.value.body() == {
            "message": "offset: must be 0 or more",
            "hints": [],
            "errors": [{"field": "offset", "message": "must be 0 or more"}],
        }

    @pytest.mark.parametrize("limit", [0, -5])
    def test_a_limit_below_one_is_refused(self, limit: int) -> None:
        with pytest.raises(InvalidInput) as caught:
            PageRequest.checked(offset=0, limit=limit, max_limit=100)

        assert caught.value.errors == [FieldError("limit", "must be 1 or more")]

    def test_a_limit_above_the_maximum_is_refused_with_a_hint_to_page(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            PageRequest.checked(offset=0, limit=51, max_limit=50)

        assert caught.value.message == "limit: must be 50 or less"
        assert caught.value.hints == ["Page through the list with limit=50."]
        assert caught.value.status == 400


class TestPage:
    def test_the_body_is_count_offset_limit_and_the_presented_results_in_order(self) -> None:
        page = Page(count=76, offset=0, limit=5, results=[3, 1, 2])

        body = page.body(lambda n: {"id": str(n)})

        assert list(body) == ["count", "offset", "limit", "results"]
        assert body == {
            "count": 76,
            "offset": 0,
            "limit": 5,
            "results": [{"id": "3"}, {"id": "1"}, {"id": "2"}],
        }

    def test_an_empty_page_keeps_the_total_and_an_empty_list(self) -> None:
        page: Page[int] = Page(count=499, offset=500, limit=50, results=[])

        assert page.body(str) == {"count": 499, "offset": 500, "limit": 50, "results": []}


class TestInvalidInput:
    def test_on_names_the_field_in_the_message_and_the_errors(self) -> None:
        error = InvalidInput.on("items[0].pageCount", "must be a multiple of 2 for boek_hc_a5_sta")

        assert str(error) == "items[0].pageCount: must be a multiple of 2 for boek_hc_a5_sta"
        assert error.body() == {
            "message": "items[0].pageCount: must be a multiple of 2 for boek_hc_a5_sta",
            "hints": [],
            "errors": [
                {"field": "items[0].pageCount", "message": "must be a multiple of 2 for boek_hc_a5_sta"}
            ],
        }

    def test_on_takes_an_optional_hint(self) -> None:
        error = InvalidInput.on("country", "is not a country", hint="Use ISO 3166-1 alpha-2 codes.")

        assert error.hints == ["Use ISO 3166-1 alpha-2 codes."]

    def test_of_one_error_reads_like_on(self) -> None:
        error = InvalidInput.of([FieldError("email", "is not an e-mail address")])

        assert error.message == "email: is not an e-mail address"
        assert error.hints == []

    def test_of_several_errors_names_the_first_and_counts_the_rest(self) -> None:
        errors = [
            FieldError("items[0].productId", "unknown product 'x'"),
            FieldError("items[1].quantity", "must be between 1 and 1000 for mok"),
            FieldError("country", "'XX' is not an ISO 3166-1 alpha-2 country code"),
        ]

        error = InvalidInput.of(errors, hints=["Check the products list."])

        assert error.message == "items[0].productId: unknown product 'x' (and 2 more)"
        assert [e["field"] for e in error.body()["errors"]] == [
            "items[0].productId",
            "items[1].quantity",
            "country",
        ]  # type: ignore[union-attr]
        assert error.hints == ["Check the products list."]

    def test_of_keeps_its_own_copy_of_the_errors(self) -> None:
        errors = [FieldError("a", "bad")]
        error = InvalidInput.of(errors)

        errors.append(FieldError("b", "bad"))

        assert error.errors == [FieldError("a", "bad")]

    def test_of_needs_an_error(self) -> None:
        with pytest.raises(ValueError, match="at least one error"):
            InvalidInput.of([])


class TestErrorTypes:
    @pytest.mark.parametrize(
        ("error_type", "status", "code"),
        [
            (ApiError, 500, "internal_error"),
            (InvalidInput, 400, "invalid_input"),
            (Unauthenticated, 401, "unauthenticated"),
            (Forbidden, 403, "forbidden"),
            (IllegalTransition, 403, "illegal_transition"),
            (NotFound, 404, "not_found"),
            (Conflict, 409, "conflict"),
            (ConcurrentChange, 409, "concurrent_change"),
            (PayloadTooLarge, 413, "payload_too_large"),
            (UnsupportedMediaType, 415, "unsupported_media_type"),
            (RateLimited, 429, "rate_limited"),
        ],
    )
    def test_each_error_carries_its_status_and_a_stable_code(
        self, error_type: type[ApiError], status: int, code: str
    ) -> None:
        error = error_type(message="Something.")

        assert (error.status, error.code) == (status, code)
        assert isinstance(error, ApiError)
        assert error.body() == {"message": "Something.", "hints": [], "errors": []}

    def test_the_sub_errors_are_caught_as_their_parents(self) -> None:
        assert issubclass(IllegalTransition, Forbidden)
        assert issubclass(ConcurrentChange, Conflict)

    def test_the_body_does_not_hand_out_the_error_s_own_lists(self) -> None:
        error = NotFound(message="No order 1.", hints=["Check the id."])

        body = error.body()
        body["hints"].append("changed")  # type: ignore[attr-defined]

        assert error.hints == ["Check the id."]
