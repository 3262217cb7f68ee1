"""The pure rules of ``Idempotency-Key``: the key's form and the request's fingerprint."""

from __future__ import annotations

import pytest

from printapi.idempotency.service import KEPT_HEADERS, Answer, checked_key, fingerprint
from printapi.kit.errors import InvalidInput


class TestAKey:
    @pytest.mark.parametrize("key", ["a", "5f0c7a4e-3b1d-4a39-9d5e-0c8f6b2a1e77", " ~!", "k" * 255])
    def test_of_1_to_255_printable_ascii_characters_is_taken_as_it_is(self, key: str) -> None:
        assert checked_key(key) == key

    @pytest.mark.parametrize("key", ["", "k" * 256, "bestelling-é", "tab\there", "nul\x00", "del\x7f"])
    def test_of_anything_else_is_a_400_naming_the_header(self, key: str) -> None:
        with pytest.raises(InvalidInput) as refused:
            checked_key(key)

        assert [error.field for error in refused.value.errors] == ["Idempotency-Key"]


class TestAFingerprint:
    def test_is_the_same_for_the_same_request(self) -> None:
        one = fingerprint(method="POST", path="/v2/orders", query=b"", body=b'{"a":1}')

        assert one == fingerprint(method="POST", path="/v2/orders", query=b"", body=b'{"a":1}')
        assert len(one) == 64

    @pytest.mark.parametrize(
        ("method", "path", "query", "body"),
        [
            ("PATCH", "/v2/orders", b"", b'{"a":1}'),
            ("POST", "/v1/orders", b"", b'{"a":1}'),
            ("POST", "/v2/orders", b"x=1", b'{"a":1}'),
            ("POST", "/v2/orders", b"", b'{"a": 1}'),
            # The parts are length-prefixed: moving bytes from one part to the next changes it.
            ("POST", "/v2/orders", b'{"a":1}', b""),
        ],
    )
    def test_differs_when_the_method_path_query_or_body_differ(
        self, method: str, path: str, query: bytes, body: bytes
    ) -> None:
        one = fingerprint(method="POST", path="/v2/orders", query=b"", body=b'{"a":1}')

        assert fingerprint(method=method, path=path, query=query, body=body) != one


class TestAnAnswer:
    def test_keeps_the_headers_that_matter_and_drops_the_rest(self) -> None:
        headers = [("content-type", "application/json"), ("location", "/v2/orders/1"), ("x-request-id", "r1")]

        answer = Answer.kept(201, headers, b"{}")

        assert answer.headers == (("content-type", "application/json"), ("location", "/v2/orders/1"))
        assert "content-length" not in KEPT_HEADERS
