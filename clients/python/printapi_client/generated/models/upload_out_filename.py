from typing import Literal

UploadOutFilename = Literal["content", "cover"]

UPLOAD_OUT_FILENAME_VALUES: set[UploadOutFilename] = {
    "content",
    "cover",
}


def check_upload_out_filename(value: str) -> UploadOutFilename:
    if value in UPLOAD_OUT_FILENAME_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {UPLOAD_OUT_FILENAME_VALUES!r}"
    )
