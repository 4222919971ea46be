"""Page languages: Chinese (zh_CN) by default, English second, chosen per session.

Templates and views write their text in Chinese (`_("待办任务")`), so the default needs no
catalog. The English catalog is a plain .po file read and compiled in memory at start-up, so no
binary .mo file is kept in the repository and no build step is needed.
"""

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, session
from flask_babel import Babel, Domain, get_locale

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT_LOCALE = "zh_CN"
LOCALES = {"zh_CN": "中文", "en": "English"}  # each shown in its own language
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


def _compile(po_path: Path) -> Translations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class CatalogDomain(Domain):
    """The message domain, with every catalog compiled once from its .po file."""

    def __init__(self) -> None:
        super().__init__(domain="messages")
        self.catalogs: dict[str, Translations] = {
            po.parent.parent.name: _compile(po) for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
        }

    def get_translations(self):  # noqa: ANN201 - babel's translation classes
        locale = get_locale()
        return self.catalogs.get(str(locale)) if locale is not None and str(locale) in self.catalogs \
            else NullTranslations()


def current_locale() -> str:
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT_LOCALE


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    babel = Babel(app, locale_selector=current_locale)
    babel.domain_instance = CatalogDomain()

    @app.context_processor
    def languages() -> dict:
        locale = current_locale()
        return {"locales": LOCALES, "current_locale": locale, "html_lang": HTML_LANG[locale]}
