from typing import Literal

UploadOutFiletype = Literal["JPEG", "PDF", "PNG"]

UPLOAD_OUT_FILETYPE_VALUES: set[UploadOutFiletype] = {
    "JPEG",
    "PDF",
    "PNG",
}


def check_upload_out_filetype(value: str) -> UploadOutFiletype:
    if value in UPLOAD_OUT_FILETYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {UPLOAD_OUT_FILETYPE_VALUES!r}"
    )
