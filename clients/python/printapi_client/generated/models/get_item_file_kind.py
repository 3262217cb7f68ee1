from typing import Literal

GetItemFileKind = Literal["content", "cover"]

GET_ITEM_FILE_KIND_VALUES: set[GetItemFileKind] = {
    "content",
    "cover",
}


def check_get_item_file_kind(value: str) -> GetItemFileKind:
    if value in GET_ITEM_FILE_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GET_ITEM_FILE_KIND_VALUES!r}"
    )
