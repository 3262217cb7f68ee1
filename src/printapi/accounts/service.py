"""Account settings: the payment screen, consumer prices and shipping, where failure mails go."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.accounts import repository
from printapi.accounts.schemas import ProductPriceIn, SettingsIn
from printapi.auth import service as auth
from printapi.auth.service import check_email
from printapi.catalogue import service as catalogue
from printapi.catalogue.consumer import ConsumerPrice, ProductPrices, default_price
from printapi.catalogue.spec import ProductSpec
from printapi.kit.errors import InvalidInput
from printapi.kit.problems import Problems, Sent
from printapi.models import Account, CheckoutPrice

SHIPPING_RULES = ("method", "flat", "free")


async def account(session: AsyncSession, *, account_id: int) -> Account:
    """The account (auth's row); its settings are columns of it, which ``update`` sets."""
    return await auth.get_account(session, account_id=account_id)


def _check_settings(
    problems: Problems,
    *,
    notification_email: str | None,
    consumer_shipping: str | None,
    consumer_shipping_flat: Decimal | None,
) -> None:
    """The settings' rules over what the schema accepted (each ``None`` when refused or left out)."""
    if notification_email and problems.usable("notificationEmail"):
        problems.check("notificationEmail", _email, notification_email)
    if consumer_shipping is None or not problems.usable("consumerShipping.rule"):
        return
    if consumer_shipping not in SHIPPING_RULES:
        problems.add("consumerShipping.rule", f"must be one of {', '.join(SHIPPING_RULES)}")
    elif (
        consumer_shipping == "flat"
        and consumer_shipping_flat is None
        and problems.usable("consumerShipping.flat")
    ):
        problems.add("consumerShipping.flat", "is required for the flat rule")


def _email(value: str) -> str:
    try:
        return check_email(value)
    except InvalidInput as error:
        raise ValueError(error.errors[0].message) from error


def checked_settings(request: Sent[SettingsIn]) -> SettingsIn:
    """A settings change from the API, or one 400 with every problem: the schema's and the rules'."""
    problems = Problems.of(request)
    if (body := request.body) is not None:
        shipping = body.consumer_shipping
        _check_settings(
            problems,
            notification_email=body.notification_email,
            consumer_shipping=shipping.rule if shipping is not None else None,
            consumer_shipping_flat=shipping.flat if shipping is not None else None,
        )
    problems.raise_if_any()
    return request.valid()


async def update(
    session: AsyncSession,
    *,
    account_id: int,
    payment_screen: bool | None = None,
    notification_email: str | None = None,
    consumer_shipping: str | None = None,
    consumer_shipping_flat: Decimal | None = None,
) -> Account:
    problems = Problems()
    _check_settings(
        problems,
        notification_email=notification_email,
        consumer_shipping=consumer_shipping,
        consumer_shipping_flat=consumer_shipping_flat,
    )
    problems.raise_if_any()
    found = await account(session, account_id=account_id)
    if payment_screen is not None:
        found.payment_screen = payment_screen
    if notification_email is not None:
        found.notification_email = check_email(notification_email) if notification_email else None
    if consumer_shipping is not None:
        found.consumer_shipping = consumer_shipping
        found.consumer_shipping_flat = consumer_shipping_flat if consumer_shipping == "flat" else None
    await session.flush()
    return found


def consumer_shipping(account: Account, method_price: Decimal) -> Decimal:
    """What the customer pays for shipping and handling: the method's price, a flat price, or nothing."""
    if account.consumer_shipping == "free":
        return Decimal("0.00")
    if account.consumer_shipping == "flat" and account.consumer_shipping_flat is not None:
        return account.consumer_shipping_flat
    return method_price


def _defaults(spec: ProductSpec) -> ProductPrices:
    options = {
        (option.id, choice.value): default_price(choice.cost, spec.tax_rate)
        for option in spec.options
        for choice in option.choices
    }
    return ProductPrices(default_price(spec.cost, spec.tax_rate), options)


def _merged(spec: ProductSpec, rows: list[CheckoutPrice]) -> ProductPrices:
    prices = _defaults(spec)
    options = dict(prices.options)
    product = prices.product
    for row in rows:
        price = ConsumerPrice(row.base, row.per_extra_page)
        if row.option_id:
            options[(row.option_id, row.choice)] = price
        else:
            product = price
    return ProductPrices(product, options, custom=bool(rows))


async def consumer_prices(
    session: AsyncSession, *, account_id: int, specs: Iterable[ProductSpec]
) -> dict[str, ProductPrices]:
    specs = list(specs)
    rows = await repository.prices_of(session, account_id=account_id, product_ids=[spec.id for spec in specs])
    by_product: dict[str, list[CheckoutPrice]] = {}
    for row in rows:
        by_product.setdefault(row.product_id, []).append(row)
    return {spec.id: _merged(spec, by_product.get(spec.id, [])) for spec in specs}


async def product_for(
    session: AsyncSession, *, product_id: str, account_id: int
) -> tuple[ProductSpec, ProductPrices | None]:
    """A product, with the account's consumer prices when its payment screen is on."""
    spec = await catalogue.get_product(session, product_id=product_id)
    if not (await account(session, account_id=account_id)).payment_screen:
        return spec, None
    prices = await consumer_prices(session, account_id=account_id, specs=[spec])
    return spec, prices[spec.id]


@dataclass(frozen=True)
class OptionPrice:
    option_id: str
    choice: str
    price: ConsumerPrice


def _check_options(
    spec: ProductSpec, options: Sequence[tuple[str | None, str | None]], problems: Problems
) -> None:
    """Every option price names an option of the product and one of its choices."""
    for index, (option_id, choice) in enumerate(options):
        field = f"options[{index}]"
        if option_id is None or choice is None or not problems.usable(field):
            continue  # refused by the schema: its problem is listed
        known = spec.option(option_id)
        if known is None or known.choice(choice) is None:
            problems.add(field, f"{option_id}={choice} is not an option")


async def set_prices(
    session: AsyncSession,
    *,
    account_id: int,
    spec: ProductSpec,
    product: ConsumerPrice,
    options: list[OptionPrice],
) -> None:
    problems = Problems()
    _check_options(spec, [(option.option_id, option.choice) for option in options], problems)
    problems.raise_if_any()
    rows = [_row(account_id, spec.id, "", "", product)] + [
        _row(account_id, spec.id, option.option_id, option.choice, option.price) for option in options
    ]
    await repository.replace_prices(session, account_id=account_id, product_id=spec.id, prices=rows)


async def set_prices_from(
    session: AsyncSession, *, account_id: int, spec: ProductSpec, request: Sent[ProductPriceIn]
) -> None:
    """The prices of a ``PUT``, or one 400 with every problem: the schema's and the options'."""
    problems = Problems.of(request)
    if (body := request.body) is not None:
        sent = [
            (option.id, option.value) if option is not None else (None, None) for option in body.options or []
        ]
        _check_options(spec, sent, problems)
    problems.raise_if_any()
    body = request.valid()
    await set_prices(
        session,
        account_id=account_id,
        spec=spec,
        product=ConsumerPrice(body.checkout.base, body.checkout.per_extra_page),
        options=[
            OptionPrice(o.id, o.value, ConsumerPrice(o.checkout.base, o.checkout.per_extra_page))
            for o in body.options
        ],
    )


def _row(
    account_id: int, product_id: str, option_id: str, choice: str, price: ConsumerPrice
) -> CheckoutPrice:
    return CheckoutPrice(
        account_id=account_id,
        product_id=product_id,
        option_id=option_id,
        choice=choice,
        base=price.base,
        per_extra_page=price.per_extra_page,
    )


async def custom_prices(session: AsyncSession, *, account_id: int) -> list[CheckoutPrice]:
    return await repository.all_prices(session, account_id=account_id)
