"""The one way cwflow opens an uploaded .xlsx: its zip directory is bounded before openpyxl reads it.

An .xlsx is a zip archive, and a few hundred kilobytes of deflated zeros unpack to gigabytes. The
central directory states each entry's unpacked size, and zipfile never unpacks an entry beyond
the size stated there, so checking the directory (without unpacking anything) bounds all the
work openpyxl will do: the number of entries, their total unpacked size, and the compression
ratio of any sizeable entry (ordinary sheets compress about ten to one; a bomb, a thousand).
"""

import zipfile
from io import BytesIO
from typing import Any

from engine.core.errors import ArchiveTooLarge, InvalidData

MAX_ENTRIES = 500
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024  # smaller entries may compress as well as they like


def check_archive(content: bytes, field: str = "file") -> None:
    """Refuse an archive whose directory promises too much: 413 `archive_too_large` naming `field`,
    or 422 when it is no zip archive at all."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InvalidData("无法读取 Excel 文件（须为 .xlsx）", {field: ["不是有效的 .xlsx 文件"]}) from None
    if len(entries) > MAX_ENTRIES:
        raise ArchiveTooLarge(f"Excel 文件内部条目过多（最多 {MAX_ENTRIES} 个）", field,
                              f"包含 {len(entries)} 个条目，超过上限 {MAX_ENTRIES}")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNPACKED_BYTES:
        raise ArchiveTooLarge(f"Excel 文件解压后过大（最多 {MAX_UNPACKED_BYTES // 1024 // 1024} MB）", field,
                              f"解压后共 {total} 字节，超过上限")
    for entry in entries:
        if entry.file_size >= RATIO_CHECKED_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise ArchiveTooLarge(f"Excel 文件压缩比异常（单个条目最多 {MAX_RATIO} 倍）", field,
                                  f"条目“{entry.filename[:100]}”压缩比超过 {MAX_RATIO} 倍")


def open_workbook(content: bytes, field: str = "file") -> Any:  # noqa: ANN401 - an openpyxl Workbook
    """A read-only workbook of an uploaded .xlsx, once its archive is within bounds; close it after use."""
    from openpyxl import load_workbook

    check_archive(content, field)
    try:
        return load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not xlsx
        raise InvalidData("无法读取 Excel 文件（须为 .xlsx）", {field: [type(exc).__name__]}) from None
