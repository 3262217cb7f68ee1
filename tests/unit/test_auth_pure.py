"""The pure parts of authentication: scopes, hashing and the per-process token cache (spec §1.3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printapi.auth.hashing import Passwords, keyed_hash, same_hash
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import (
    OPERATOR_SCOPES,
    SHOP_SCOPES,
    Scope,
    format_scopes,
    parse_scopes,
    scopes_for_role,
)
from printapi.kit.errors import Forbidden

# The seven scopes of the real service, in the order its token response lists them.
REAL_SCOPES = (
    "products:browse shipping:quote coupons:quote orders:place orders:track files:upload orders:browse"
)
KEY = "unit-test-secret-key-0123456789abcdef"
NOW = datetime(2025, 3, 29, 20, 40, 20, tzinfo=UTC)


def make_principal(*, account_id: int = 1, role: str = "owner") -> Principal:
    return Principal(
        account_id=account_id,
        account_email=f"shop-{account_id}@example.nl",
        environment=Environment.TEST,
        scopes=frozenset(scopes_for_role(role)),
        role=role,
    )


class TestScopes:
    def test_a_shop_is_granted_the_real_seven_first(self) -> None:
        assert format_scopes(SHOP_SCOPES).startswith(REAL_SCOPES + " ")

    def test_only_operators_get_the_operator_scope(self) -> None:
        assert Scope.OPERATOR in scopes_for_role("operator")
        assert Scope.OPERATOR not in scopes_for_role("owner")
        assert scopes_for_role("operator") == OPERATOR_SCOPES
        assert set(OPERATOR_SCOPES) - set(SHOP_SCOPES) == {Scope.OPERATOR}

    def test_an_unknown_role_gets_the_shop_scopes(self) -> None:
        assert scopes_for_role("intruder") == SHOP_SCOPES

    def test_scopes_are_written_in_canonical_order_whatever_the_input_order(self) -> None:
        scopes = frozenset({Scope.ORDERS_BROWSE, Scope.OPERATOR, Scope.PRODUCTS_BROWSE})

        assert format_scopes(scopes) == "products:browse orders:browse operator"

    def test_no_scopes_are_an_empty_string(self) -> None:
        assert format_scopes(frozenset()) == ""
        assert parse_scopes("") == frozenset()

    def test_parsing_drops_unknown_names_and_extra_spaces(self) -> None:
        assert parse_scopes("  orders:place  coupons:redeem\torders:track ") == {
            Scope.ORDERS_PLACE,
            Scope.ORDERS_TRACK,
        }

    @given(st.frozensets(st.sampled_from(list(Scope))))
    def test_formatting_and_parsing_round_trip(self, scopes: frozenset[Scope]) -> None:
        text = format_scopes(scopes)

        assert parse_scopes(text) == scopes
        assert len(text.split()) == len(scopes)


class TestPrincipal:
    def test_a_missing_scope_is_forbidden_naming_the_scope(self) -> None:
        principal = Principal(1, "a@example.nl", Environment.TEST, frozenset({Scope.PRODUCTS_BROWSE}))

        principal.require(Scope.PRODUCTS_BROWSE)
        with pytest.raises(Forbidden, match="lacks the scope 'orders:place'"):
            principal.require(Scope.ORDERS_PLACE)

    def test_an_operator_needs_the_role_and_the_scope(self) -> None:
        assert make_principal(role="operator").is_operator
        assert not make_principal(role="owner").is_operator
        without_scope = Principal(
            1, "a@example.nl", Environment.TEST, frozenset(SHOP_SCOPES), role="operator"
        )
        assert not without_scope.is_operator


class TestKeyedHash:
    def test_it_is_hmac_sha256_in_hex(self) -> None:
        # RFC 4231, test case 2.
        assert keyed_hash("Jefe", "what do ya want for nothing?") == (
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )

    def test_it_is_stable(self) -> None:
        assert keyed_hash(KEY, "token") == keyed_hash(KEY, "token")

    def test_it_depends_on_the_key_and_on_the_value(self) -> None:
        assert keyed_hash(KEY, "token") != keyed_hash(KEY + "x", "token")
        assert keyed_hash(KEY, "token") != keyed_hash(KEY, "token2")

    def test_same_hash_compares_whole_strings(self) -> None:
        digest = keyed_hash(KEY, "token")

        assert same_hash(digest, keyed_hash(KEY, "token"))
        assert not same_hash(digest, keyed_hash(KEY, "other"))
        assert not same_hash(digest, digest[:-1])


PASSWORDS = Passwords()  # production's cost: this is the one place it is checked


@pytest.fixture(scope="module")
def stored() -> str:
    """One argon2 hash for the module: hashing takes a noticeable fraction of a second."""
    return PASSWORDS.hash("correct horse battery staple")


class TestPasswordHash:
    def test_the_right_password_verifies(self, stored: str) -> None:
        assert PASSWORDS.verify(stored, "correct horse battery staple")

    def test_the_hash_is_argon2id_at_the_library_s_default_cost_without_the_password(
        self, stored: str
    ) -> None:
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert "correct horse" not in stored

    @pytest.mark.parametrize("attempt", ["correct horse battery stapl", "Correct horse battery staple", ""])
    def test_a_wrong_password_does_not_verify(self, stored: str, attempt: str) -> None:
        assert PASSWORDS.verify(stored, attempt) is False

    @pytest.mark.parametrize(
        "garbage", ["", "not-a-hash", "$2b$12$abcdefghijklmnopqrstuv", "$argon2id$v=19$m=65536,t=3,p=4$x$y"]
    )
    def test_a_garbage_hash_does_not_verify_and_does_not_raise(self, garbage: str) -> None:
        assert PASSWORDS.verify(garbage, "anything") is False

    def test_a_truncated_hash_does_not_verify(self, stored: str) -> None:
        assert PASSWORDS.verify(stored[:-4], "correct horse battery staple") is False

    def test_the_same_password_hashes_differently_each_time(self, stored: str) -> None:
        again = PASSWORDS.hash("correct horse battery staple")

        assert again != stored
        assert PASSWORDS.verify(again, "correct horse battery staple")

    def test_the_cheap_hashes_of_the_tests_and_production_s_verify_each_other(self, stored: str) -> None:
        cheap = Passwords.cheapest()

        assert cheap.verify(stored, "correct horse battery staple")
        assert PASSWORDS.verify(cheap.hash("a password"), "a password")
        assert not cheap.hash("a password").startswith("$argon2id$v=19$m=65536")
