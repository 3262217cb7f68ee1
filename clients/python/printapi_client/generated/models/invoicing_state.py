from typing import Literal

InvoicingState = Literal["Included", "NotIncluded"]

INVOICING_STATE_VALUES: set[InvoicingState] = {
    "Included",
    "NotIncluded",
}


def check_invoicing_state(value: str) -> InvoicingState:
    if value in INVOICING_STATE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INVOICING_STATE_VALUES!r}"
    )
