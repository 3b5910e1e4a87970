"""Load the app's translations, CSV files or gettext catalogs, and refuse a broken one at start."""

import csv
import io
import os
import re
import tempfile
from pathlib import Path

import tornado.locale

LOCALE = Path(__file__).parent / "locale"
DOMAIN = "todo"  # the catalogs are locale/<code>/LC_MESSAGES/todo.po
# The languages the page offers, each in its own language; en_US is the language of the source
LANGUAGES = {"en_US": "English", "de": "Deutsch", "pl": "polski", "ja": "日本語"}
PLURALS = (["unknown"], ["singular"], ["plural"])  # the third column Tornado's CSV format knows


class TranslationError(Exception):
    """A translation file the app cannot use; the message names the file, the line and the fix."""


def check_csv(path: Path) -> None:
    """Raise TranslationError for a row that Tornado's load_translations would skip or misread."""
    with open(path, encoding="utf-8-sig", newline="") as file:  # -sig: a BOM, as Excel writes
        reader = csv.reader(file, strict=True)  # strict: a stray quote is an error, not a long cell
        try:
            for row in reader:
                _check_row(row)
        except (ValueError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError too
            raise TranslationError(f"{path}, line {reader.line_num}: {exc}") from None


def _check_row(row: list[str]) -> None:
    if row and (len(row) not in (2, 3) or row[2:] not in ([], [""], *PLURALS)):
        raise ValueError(f'expected "English","translation" and maybe ,"singular" or ,"plural"; not {row}')
    if row and _placeholders(row[0]) != _placeholders(row[1]):  # a lost one drops the value; a misspelt one raises KeyError
        raise ValueError(f"the translation must keep the placeholders of {row[0]!r}")


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\((\w+)\)", text))


def load_csv(folder: Path = LOCALE / "csv") -> None:
    """Load Tornado's CSV translations, ``folder/<code>.csv``, after checking every row."""
    for path in sorted(folder.glob("*.csv")):
        check_csv(path)
    tornado.locale.load_translations(str(folder), encoding="utf-8-sig")  # a BOM is not the first word
    tornado.locale._use_gettext = False  # load_translations leaves it True after gettext
    tornado.locale.Locale._cache.clear()  # a Locale made earlier keeps its old translations


def load(kind: str) -> None:
    """Load the app's translations: "gettext" (the catalogs in locale/) or "csv" (locale/csv/)."""
    if kind == "csv":
        return load_csv()
    if kind == "gettext":
        return load_gettext()
    raise ValueError(f"translations must be csv or gettext, not {kind!r}")


def extract_template(fileobj, keywords, comment_tags, options):
    """A Babel extractor for Tornado templates: the Python inside each ``{{ ... }}``."""
    from babel.messages.extract import extract_python

    text = fileobj.read().decode("utf-8")
    for match in re.finditer(r"{{(.*?)}}", text, flags=re.S):  # {% %} statements hold no messages
        offset = text.count("\n", 0, match.start())
        code = io.BytesIO(match.group(1).encode())
        for lineno, function, messages, comments in extract_python(code, keywords, comment_tags, options):
            yield lineno + offset, function, messages, comments


def compile_catalogs(folder: Path = LOCALE) -> list[Path]:
    """Compile each ``<code>/LC_MESSAGES/todo.po`` to its ``.mo``, as ``pybabel compile`` does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as file:
            catalog = read_po(file, locale=po.parts[-3])
        for message, errors in catalog.check():  # placeholders that differ, a wrong number of forms
            raise TranslationError(f"{po}, line {message.lineno}: {errors[0]}")
        with tempfile.NamedTemporaryFile(dir=po.parent, suffix=".tmp", delete=False) as file:
            write_mo(file, catalog)  # fuzzy entries are left out, as msgfmt does
        os.replace(file.name, po.with_suffix(".mo"))  # two apps starting at once never read half a file
        compiled.append(po.with_suffix(".mo"))
    return compiled


def load_gettext(folder: Path = LOCALE) -> None:
    """Compile the catalogs, then load them with Tornado: plural forms come from each header."""
    compile_catalogs(folder)
    tornado.locale.load_gettext_translations(str(folder), DOMAIN)
    tornado.locale.Locale._cache.clear()
