from typing import Literal

GetAccountItemFileKind = Literal["content", "cover"]

GET_ACCOUNT_ITEM_FILE_KIND_VALUES: set[GetAccountItemFileKind] = {
    "content",
    "cover",
}


def check_get_account_item_file_kind(value: str) -> GetAccountItemFileKind:
    if value in GET_ACCOUNT_ITEM_FILE_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_ACCOUNT_ITEM_FILE_KIND_VALUES!r}"
    )
