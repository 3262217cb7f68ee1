from typing import Literal

CouponScope = Literal["Products", "Total"]

COUPON_SCOPE_VALUES: set[CouponScope] = {
    "Products",
    "Total",
}


def check_coupon_scope(value: str) -> CouponScope:
    if value in COUPON_SCOPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COUPON_SCOPE_VALUES!r}"
    )
