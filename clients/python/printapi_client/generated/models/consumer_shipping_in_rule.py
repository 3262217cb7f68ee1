from typing import Literal

ConsumerShippingInRule = Literal["flat", "free", "method"]

CONSUMER_SHIPPING_IN_RULE_VALUES: set[ConsumerShippingInRule] = {
    "flat",
    "free",
    "method",
}


def check_consumer_shipping_in_rule(value: str) -> ConsumerShippingInRule:
    if value in CONSUMER_SHIPPING_IN_RULE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CONSUMER_SHIPPING_IN_RULE_VALUES!r}"
    )
