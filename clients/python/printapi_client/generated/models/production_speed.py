from typing import Literal

ProductionSpeed = Literal["Express", "Standard"]

PRODUCTION_SPEED_VALUES: set[ProductionSpeed] = {
    "Express",
    "Standard",
}


def check_production_speed(value: str) -> ProductionSpeed:
    if value in PRODUCTION_SPEED_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {PRODUCTION_SPEED_VALUES!r}"
    )
