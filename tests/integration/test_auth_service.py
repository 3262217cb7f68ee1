"""Accounts, API clients and tokens through the auth service, on real databases."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from printapi import worker
from printapi.auth import service as auth
from printapi.auth.hashing import keyed_hash
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import SHOP_SCOPES, Scope
from printapi.kit.clock import FixedClock
from printapi.kit.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from printapi.models import AccessToken, Account, ApiClient
from printapi.runtime import Runtime
from tests.conftest import Credentials, make_credentials

PASSWORD = "password-123"


def _email() -> str:
    return f"shop-{secrets.token_hex(4)}@example.nl"


async def create_account(runtime: Runtime, *, email: str, password: str | None = PASSWORD) -> Account:
    password_hash = None
    if password is not None:
        password_hash = await auth.new_password_hash(password, passwords=runtime.passwords)
    async with runtime.db.write() as session:
        return await auth.create_account(
            session, email=email, password_hash=password_hash, now=runtime.clock.now()
        )


async def issue(runtime: Runtime, credentials: Credentials, *, secret: str | None = None) -> auth.TokenGrant:
    async with runtime.db.write() as session:
        return await auth.issue_token(
            session,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret if secret is None else secret,
            requested_scope=None,
            secret_key=runtime.settings.secret_key,
            ttl=runtime.settings.token_ttl,
            now=runtime.clock.now(),
        )


async def authenticate(runtime: Runtime, token: str) -> Principal:
    async with runtime.db.read() as session:
        return await auth.authenticate(
            session,
            token=token,
            secret_key=runtime.settings.secret_key,
            now=runtime.clock.now(),
            cache=runtime.token_cache,
        )


async def token_count(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int((await session.execute(select(func.count()).select_from(AccessToken))).scalar_one())


class TestCreateAccount:
    async def test_an_account_is_stored_with_its_email_in_lower_case_and_an_argon2_password_hash(
        self, runtime: Runtime
    ) -> None:
        email = _email()

        await create_account(runtime, email=f"  {email.upper()} ", password="geheim-wachtwoord")

        async with runtime.db.read() as session:
            account = await auth.find_account(session, email=email)
        assert account.email == email
        assert account.role == "owner"
        assert account.created_at == runtime.clock.now()
        assert account.password_hash is not None
        assert account.password_hash.startswith("$argon2id$")
        assert "geheim-wachtwoord" not in account.password_hash
        assert runtime.passwords.verify(account.password_hash, "geheim-wachtwoord")
        assert not runtime.passwords.verify(account.password_hash, "wrong-password")

    async def test_the_same_email_again_in_any_case_is_a_conflict_and_adds_nothing(
        self, runtime: Runtime
    ) -> None:
        email = _email()
        await create_account(runtime, email=email)

        with pytest.raises(Conflict):
            await create_account(runtime, email=email.upper())

        async with runtime.db.read() as session:
            count = await session.execute(select(func.count()).where(func.lower(Account.email) == email))
            assert count.scalar_one() == 1

    @pytest.mark.parametrize("email", ["no-at-sign", "two@@example.nl", "spa ce@example.nl", "x@nodot", ""])
    async def test_an_address_that_is_not_an_email_is_invalid_input_naming_the_field(
        self, runtime: Runtime, email: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await create_account(runtime, email=email)

        assert [e.field for e in raised.value.errors] == ["email"]

    async def test_a_password_shorter_than_eight_characters_is_refused(self, runtime: Runtime) -> None:
        with pytest.raises(InvalidInput) as raised:
            await create_account(runtime, email=_email(), password="short")

        assert [e.field for e in raised.value.errors] == ["password"]

    async def test_a_machine_only_account_has_no_password_hash(self, runtime: Runtime) -> None:
        account = await create_account(runtime, email=_email(), password=None)

        assert account.password_hash is None
        async with runtime.db.read() as session:
            found = await auth.check_password(
                session, email=account.email, password="anything-at-all", passwords=runtime.passwords
            )
        assert found is None


class TestCreateClient:
    async def test_the_secret_is_stored_only_as_its_keyed_hash(self, runtime: Runtime) -> None:
        email = _email()
        await create_account(runtime, email=email)

        async with runtime.db.write() as session:
            new = await auth.create_client(
                session,
                account_email=email,
                environment=Environment.LIVE,
                secret_key=runtime.settings.secret_key,
                now=runtime.clock.now(),
            )

        assert new.client.client_id.startswith("live_")
        assert len(new.secret) >= 32
        async with runtime.db.read() as session:
            row = (
                (
                    await session.execute(
                        text("SELECT * FROM api_clients WHERE client_id = :c"), {"c": new.client.client_id}
                    )
                )
                .mappings()
                .one()
            )
        assert row["secret_hash"] == keyed_hash(runtime.settings.secret_key, new.secret)
        assert all(new.secret not in str(value) for value in row.values())
        assert row["environment"] == "live"
        assert row["revoked_at"] is None

    async def test_a_client_for_an_unknown_account_is_not_found_and_adds_nothing(
        self, runtime: Runtime
    ) -> None:
        with pytest.raises(NotFound):
            async with runtime.db.write() as session:
                await auth.create_client(
                    session,
                    account_email="nobody@example.nl",
                    environment=Environment.TEST,
                    secret_key=runtime.settings.secret_key,
                    now=runtime.clock.now(),
                )

        async with runtime.db.read() as session:
            assert (await session.execute(select(func.count()).select_from(ApiClient))).scalar_one() == 0


class TestTokens:
    async def test_a_token_issued_for_the_right_secret_authenticates_as_the_account(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        grant = await issue(runtime, shop)

        principal = await authenticate(runtime, grant.access_token)

        assert (principal.account_id, principal.account_email) == (shop.account_id, shop.email)
        assert principal.environment is Environment.TEST
        assert principal.scopes == frozenset(SHOP_SCOPES)
        assert grant.expires_in == 4 * 3600 - 1
        assert grant.scope.split() == [scope.value for scope in SHOP_SCOPES]

    async def test_the_token_itself_is_stored_only_as_its_keyed_hash(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        grant = await issue(runtime, shop)

        async with runtime.db.read() as session:
            rows = (await session.execute(text("SELECT * FROM access_tokens"))).mappings().all()
        assert [row["token_hash"] for row in rows] == [
            keyed_hash(runtime.settings.secret_key, grant.access_token)
        ]
        assert all(grant.access_token not in str(value) for value in rows[0].values())

    async def test_a_wrong_secret_gets_no_token(self, runtime: Runtime, shop: Credentials) -> None:
        with pytest.raises(auth.OAuthError) as raised:
            await issue(runtime, shop, secret=shop.client_secret + "x")

        assert (raised.value.error, raised.value.status) == ("invalid_client", 401)
        assert await token_count(runtime) == 0

    async def test_a_narrower_scope_can_be_requested_and_an_unknown_one_cannot(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        async with runtime.db.write() as session:
            grant = await auth.issue_token(
                session,
                client_id=shop.client_id,
                client_secret=shop.client_secret,
                requested_scope="orders:track products:browse",
                secret_key=runtime.settings.secret_key,
                ttl=runtime.settings.token_ttl,
                now=runtime.clock.now(),
            )
        assert (await authenticate(runtime, grant.access_token)).scopes == {
            Scope.ORDERS_TRACK,
            Scope.PRODUCTS_BROWSE,
        }

        with pytest.raises(auth.OAuthError) as raised:
            async with runtime.db.write() as session:
                await auth.issue_token(
                    session,
                    client_id=shop.client_id,
                    client_secret=shop.client_secret,
                    requested_scope="operator",
                    secret_key=runtime.settings.secret_key,
                    ttl=runtime.settings.token_ttl,
                    now=runtime.clock.now(),
                )
        assert raised.value.error == "invalid_scope"

    async def test_an_expired_token_is_rejected(
        self, runtime: Runtime, shop: Credentials, clock: FixedClock
    ) -> None:
        grant = await issue(runtime, shop)
        clock.advance(runtime.settings.token_ttl - timedelta(seconds=1))
        await authenticate(runtime, grant.access_token)

        clock.advance(timedelta(seconds=1))

        with pytest.raises(Unauthenticated):
            await authenticate(runtime, grant.access_token)

    async def test_an_unknown_token_is_rejected(self, runtime: Runtime) -> None:
        with pytest.raises(Unauthenticated):
            await authenticate(runtime, "not-a-token-we-issued")

    async def test_a_revoked_client_gets_no_new_token_and_its_old_tokens_stop_working(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        grant = await issue(runtime, shop)
        async with runtime.db.write() as session:
            await session.execute(
                update(ApiClient)
                .where(ApiClient.client_id == shop.client_id)
                .values(revoked_at=runtime.clock.now())
            )
            assert not await auth.client_is_active(session, client_id=shop.client_id)

        with pytest.raises(Unauthenticated):
            await authenticate(runtime, grant.access_token)
        with pytest.raises(auth.OAuthError) as raised:
            await issue(runtime, shop)
        assert raised.value.error == "invalid_client"

    async def test_another_client_of_the_same_account_keeps_working_after_one_is_revoked(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        other = await make_credentials(runtime, email=shop.email)
        async with runtime.db.write() as session:
            await session.execute(
                update(ApiClient)
                .where(ApiClient.client_id == shop.client_id)
                .values(revoked_at=runtime.clock.now())
            )

        grant = await issue(runtime, other)

        assert (await authenticate(runtime, grant.access_token)).account_id == shop.account_id


class TestPruning:
    async def _tokens_at(self, runtime: Runtime, clock: FixedClock, shop: Credentials) -> list[str]:
        """Three tokens issued an hour apart; returns them oldest first."""
        tokens = []
        for _ in range(3):
            tokens.append((await issue(runtime, shop)).access_token)
            clock.advance(timedelta(hours=1))
        return tokens

    async def test_pruning_deletes_exactly_the_expired_tokens(
        self, runtime: Runtime, shop: Credentials, clock: FixedClock
    ) -> None:
        oldest, middle, newest = await self._tokens_at(runtime, clock, shop)
        # Issued at T, T+1h and T+2h, they expire at T+4h, T+5h and T+6h; it is now T+5h: the
        # middle one expires this very moment, which counts as expired.
        clock.advance(timedelta(hours=2))

        async with runtime.db.write() as session:
            deleted = await auth.prune_expired_tokens(session, now=clock.now())

        assert deleted == 2
        assert await token_count(runtime) == 1
        await authenticate(runtime, newest)
        for gone in (oldest, middle):
            with pytest.raises(Unauthenticated):
                await authenticate(runtime, gone)

    async def test_pruning_when_nothing_has_expired_deletes_nothing(
        self, runtime: Runtime, shop: Credentials, clock: FixedClock
    ) -> None:
        await self._tokens_at(runtime, clock, shop)

        async with runtime.db.write() as session:
            assert await auth.prune_expired_tokens(session, now=clock.now()) == 0

        assert await token_count(runtime) == 3

    async def test_the_worker_job_prunes_in_its_own_committed_transaction(
        self, runtime: Runtime, shop: Credentials, clock: FixedClock
    ) -> None:
        await self._tokens_at(runtime, clock, shop)
        clock.advance(timedelta(hours=2, minutes=30))

        deleted = await worker.prune_tokens(runtime)

        assert deleted == 2
        assert await token_count(runtime) == 1
        assert await worker.prune_tokens(runtime) == 0
