from typing import Literal

FileStatus = Literal[
    "Accepted",
    "AwaitingUpload",
    "Cancelled",
    "DownloadFailed",
    "DownloadInProgress",
    "DownloadPending",
    "DownloadRetryPending",
    "UploadInProgress",
]

FILE_STATUS_VALUES: set[FileStatus] = {
    "Accepted",
    "AwaitingUpload",
    "Cancelled",
    "DownloadFailed",
    "DownloadInProgress",
    "DownloadPending",
    "DownloadRetryPending",
    "UploadInProgress",
}


def check_file_status(value: str) -> FileStatus:
    if value in FILE_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {FILE_STATUS_VALUES!r}"
    )
