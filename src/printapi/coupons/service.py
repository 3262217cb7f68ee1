"""Coupons (spec §3.10): set up by the print shop, quoted by shops, redeemed on the payment screen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.coupons import repository
from printapi.coupons.schemas import CouponIn
from printapi.coupons.terms import CouponScope, CouponState, CouponTerms, CouponType, discount
from printapi.kit.errors import Conflict, InvalidInput, NotFound
from printapi.kit.problems import Problems, Sent
from printapi.kit.wire import parse_local
from printapi.models import Coupon

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ZERO = Decimal("0.00")


def terms_of(coupon: Coupon) -> CouponTerms:
    return CouponTerms(CouponType(coupon.type), CouponScope(coupon.scope), coupon.amount, coupon.percentage)


def state_of(coupon: Coupon, now: datetime) -> CouponState:
    if coupon.expires_at is not None and coupon.expires_at <= now:
        return CouponState.EXPIRED
    if coupon.usage_limit is not None and coupon.used >= coupon.usage_limit:
        return CouponState.USED_UP
    return CouponState.VALID


def _check_terms(
    problems: Problems,
    *,
    code: str | None,
    type: CouponType | None,
    amount: Decimal | None,
    percentage: int | None,
    usage_limit: int | None,
) -> None:
    """A new coupon's rules, over what its schema accepted (each ``None`` when refused or left out)."""
    if code is not None and problems.usable("code") and not _CODE.match(code):
        problems.add("code", "1-64 letters, digits, - or _")
    if type is not None and all(problems.usable(field) for field in ("type", "amount", "percentage")):
        if type is CouponType.AMOUNT and (amount is None or amount <= 0 or percentage is not None):
            problems.add("amount", "an Amount coupon needs a positive amount and no percentage")
        if type is CouponType.PERCENTAGE and (
            percentage is None or not 1 <= percentage <= 100 or amount is not None
        ):
            problems.add("percentage", "a Percentage coupon needs a percentage from 1 to 100 and no amount")
    if usage_limit is not None and problems.usable("usageLimit") and usage_limit < 1:
        problems.add("usageLimit", "must be 1 or more")


async def create(
    session: AsyncSession,
    *,
    code: str,
    type: CouponType,
    scope: CouponScope,
    amount: Decimal | None,
    percentage: int | None,
    expires_at: datetime | None,
    usage_limit: int | None,
    now: datetime,
) -> Coupon:
    """A new coupon (the CLI, the dashboard); every broken rule is in the one ``InvalidInput``."""
    problems = Problems()
    _check_terms(
        problems, code=code, type=type, amount=amount, percentage=percentage, usage_limit=usage_limit
    )
    problems.raise_if_any()
    if await repository.by_code(session, code):
        raise Conflict(message=f"Coupon {code} exists already.")
    return await repository.add(
        session,
        Coupon(
            code=code,
            type=type,
            scope=scope,
            amount=amount,
            percentage=percentage,
            expires_at=expires_at,
            usage_limit=usage_limit,
            used=0,
            created_at=now,
        ),
    )


async def create_from(
    session: AsyncSession, *, request: Sent[CouponIn], zone: ZoneInfo, now: datetime
) -> Coupon:
    """A new coupon from the operator API: the schema's problems and the rules' in one 400."""
    problems = Problems.of(request)
    expires_at: datetime | None = None
    if (body := request.body) is not None:
        if text := body.expiration_date_time:
            expires_at = problems.check("expirationDateTime", lambda: parse_local(text, zone))
        _check_terms(
            problems,
            code=body.code,
            type=body.type,
            amount=body.amount,
            percentage=body.percentage,
            usage_limit=body.usage_limit,
        )
    problems.raise_if_any()
    body = request.valid()
    return await create(
        session,
        code=body.code,
        type=body.type,
        scope=body.scope,
        amount=body.amount,
        percentage=body.percentage,
        expires_at=expires_at,
        usage_limit=body.usage_limit,
        now=now,
    )


async def find(session: AsyncSession, *, code: str) -> Coupon:
    coupon = await repository.by_code(session, code)
    if coupon is None:
        raise NotFound(message=f"Coupon '{code}' does not exist.")
    return coupon


@dataclass(frozen=True)
class Quote:
    coupon: Coupon
    state: CouponState
    calculated: Decimal | None


async def quote(
    session: AsyncSession, *, code: str, products: Decimal | None, shipping: Decimal | None, now: datetime
) -> Quote:
    coupon = await find(session, code=code)
    calculated = None
    if products is not None and shipping is not None:
        calculated = discount(terms_of(coupon), products=products, shipping=shipping)
    return Quote(coupon, state_of(coupon, now), calculated)


async def redeem(
    session: AsyncSession,
    *,
    code: str,
    products: Decimal,
    shipping: Decimal,
    now: datetime,
    field: str = "coupon",
) -> Decimal:
    """Take one use of a valid coupon and return its discount; a 400 on the order otherwise."""
    coupon = await repository.by_code(session, code)
    if coupon is None:
        raise InvalidInput.on(field, _unknown(code))
    state = state_of(coupon, now)
    if state is CouponState.VALID and not await repository.use_once(session, coupon_pk=coupon.pk):
        state = CouponState.USED_UP
    if state is not CouponState.VALID:
        raise InvalidInput.on(field, _unusable(code, state))
    return discount(terms_of(coupon), products=products, shipping=shipping)


async def discount_of(session: AsyncSession, *, code: str, products: Decimal, shipping: Decimal) -> Decimal:
    """The discount the coupon would give on these amounts; reads only, uses nothing (an unknown
    coupon gives none: the order's rules report it)."""
    coupon = await repository.by_code(session, code)
    return ZERO if coupon is None else discount(terms_of(coupon), products=products, shipping=shipping)


async def use(session: AsyncSession, *, code: str, now: datetime, field: str = "coupon") -> None:
    """Take one use of a valid coupon (compare-and-set); a 400 on ``field`` when it cannot be used
    (it ran out or expired since the order was checked)."""
    if not await repository.use_if_valid(session, code=code, now=now):
        raise InvalidInput.on(
            field, await problem_with(session, code=code, now=now) or _unusable(code, CouponState.USED_UP)
        )


async def give_back(session: AsyncSession, *, code: str) -> bool:
    """One use of the coupon back (the order that used it was cancelled); False when it is gone or
    was never used."""
    return await repository.give_back_use(session, code=code)


async def problem_with(session: AsyncSession, *, code: str, now: datetime) -> str | None:
    """Why an order could not use the coupon now (None: it could); reads only, uses nothing."""
    coupon = await repository.by_code(session, code)
    if coupon is None:
        return _unknown(code)
    state = state_of(coupon, now)
    return None if state is CouponState.VALID else _unusable(code, state)


def _unknown(code: str) -> str:
    return f"coupon '{code}' does not exist"


def _unusable(code: str, state: CouponState) -> str:
    return f"coupon '{code}' cannot be used: {state}"


async def all_coupons(session: AsyncSession) -> list[Coupon]:
    return await repository.all_coupons(session)


async def remove(session: AsyncSession, *, code: str) -> None:
    await repository.delete(session, await find(session, code=code))
