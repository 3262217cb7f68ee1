from typing import Literal

Environment = Literal["live", "test"]

ENVIRONMENT_VALUES: set[Environment] = {
    "live",
    "test",
}


def check_environment(value: str) -> Environment:
    if value in ENVIRONMENT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ENVIRONMENT_VALUES!r}"
    )
