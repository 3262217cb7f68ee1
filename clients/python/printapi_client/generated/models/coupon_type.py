from typing import Literal

CouponType = Literal["Amount", "Percentage"]

COUPON_TYPE_VALUES: set[CouponType] = {
    "Amount",
    "Percentage",
}


def check_coupon_type(value: str) -> CouponType:
    if value in COUPON_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COUPON_TYPE_VALUES!r}"
    )
