from typing import Literal

ShippingPreference = Literal["Auto", "Tracked"]

SHIPPING_PREFERENCE_VALUES: set[ShippingPreference] = {
    "Auto",
    "Tracked",
}


def check_shipping_preference(value: str) -> ShippingPreference:
    if value in SHIPPING_PREFERENCE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {SHIPPING_PREFERENCE_VALUES!r}"
    )
