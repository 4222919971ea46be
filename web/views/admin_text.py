"""The admin scripts' texts in the page's language.

The scripts in web/static/admin/ write their messages in Chinese inside `_('…')`, as the templates
do. Babel's JavaScript extractor finds those messages once per process, and each admin page carries
the translations that differ from the source, so a text is written in one place and the English
catalog (checked by tests/web/test_admin_i18n.py) covers it.
"""

from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_file
from flask import current_app
from flask_babel import gettext

SCRIPTS_FOLDER = "admin"


@cache
def script_messages(folder: Path) -> tuple[str, ...]:
    """Every `_('…')` message of the scripts in `folder`, in order, once each."""
    found: list[str] = []
    for path in sorted(folder.glob("*.js")):
        for _line, message, _comments, _context in extract_from_file("javascript", str(path)):
            found.append(message if isinstance(message, str) else message[0])
    return tuple(dict.fromkeys(found))


def admin_script_text() -> dict[str, str]:
    """Source text → text in the current language, for the messages whose text differs."""
    folder = Path(current_app.static_folder) / SCRIPTS_FOLDER
    return {source: text for source in script_messages(folder) if (text := gettext(source)) != source}
