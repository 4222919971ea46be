"""What the host lacks for the printable approval form: WeasyPrint with Pango, and a CJK font.

Nothing else depends on them (the PDF answers 503 `pdf_unavailable` without them), so the app
starts anyway; it names what is missing once in the log at start and on every admin page, with
the Debian packages to install (README, "Printing and e-mail").
"""

import functools
import importlib
import logging
import shutil
import subprocess

from flask import Flask

PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"
CJK_FONT_PACKAGE = "fonts-noto-cjk"
log = logging.getLogger("cwflow.host")


def _weasyprint_loads() -> bool:
    try:
        importlib.import_module("weasyprint")  # loads Pango through its C bindings
    except (ImportError, OSError):
        return False
    return True


def _has_cjk_font() -> bool:
    """A font fontconfig knows for Chinese (the one WeasyPrint embeds in the form)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(found.stdout.strip())


@functools.cache
def missing_for_printing() -> tuple[str, ...]:
    """What is missing, each with the apt-get command that brings it; checked once per process."""
    missing = []
    if not _weasyprint_loads():
        missing.append(f"WeasyPrint 或 Pango（apt-get install {PANGO_PACKAGES}）")
    if not _has_cjk_font():
        missing.append(f"中文字体（apt-get install {CJK_FONT_PACKAGE}）")
    return tuple(missing)


def warn_if_printing_unavailable(app: Flask) -> None:
    """Log what is missing and offer it to the admin pages as `printing_missing()`."""
    if missing_for_printing():
        log.warning("审批表 PDF 不能生成，服务器缺少：%s", "；".join(missing_for_printing()))
    app.context_processor(lambda: {"printing_missing": lambda: missing_for_printing()})
