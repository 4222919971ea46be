"""Personal numbers never reach a log: ID numbers (18 characters) and mobile numbers (11 digits)."""

import re

_PERSONAL_NUMBER = re.compile(r"\d{11,}[Xx]?")


def mask_personal(text: str) -> str:
    """`text` with every run of 11 or more digits (phone, ID number) replaced by ***."""
    return _PERSONAL_NUMBER.sub("***", text)
