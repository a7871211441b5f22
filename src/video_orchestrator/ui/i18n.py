"""The studio's words in eight locales (ADR 0042): ``tr`` / ``tr_n`` look a text up in the
browser's locale, ``number`` and ``moment`` format the way that locale writes them.

The catalogues are gettext PO files in ``ui/locales/<code>.po`` (what translators and their
tools edit), compiled in memory on first use, so there is no build step and nothing binary in
the repository. The English text is the message id: a text missing from a catalogue shows in
English, never as a key. ``python -m video_orchestrator.ui.i18n`` adds the texts the code
uses to every catalogue (empty, for a translator) and says which are untranslated.

The locale is the browser's: chosen in the header's language menu (kept in NiceGUI's
per-browser storage), else the best match of its ``Accept-Language``, else English. The API's
problem details stay English (their ``type`` URIs are stable); messages that come from the
services inside a studio notice are English too.
"""

from __future__ import annotations

import ast
import gettext
import io
import sys
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal, format_percent

from video_orchestrator import atomic

#: The studio's locales, each named in its own language (what the language menu shows).
LOCALES: dict[str, str] = {
    "en": "English",
    "ro": "Română",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt": "Português",
    "it": "Italiano",
    "ja": "日本語",
}
DEFAULT = "en"
KEY = "locale"  # in app.storage.user: the locale this browser's user chose
FROM_BROWSER = "locale_from_browser"  # in app.storage.user: its Accept-Language's best match
CATALOGUES = Path(__file__).parent / "locales"
UI_DIR = Path(__file__).parent
#: The functions whose first (and, for tr_n, second) string argument is a message id.
MARKERS = {"tr": 1, "tr_n": 2, "marked": 1}


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code`` (English and an unknown code: the texts as written)."""
    path = CATALOGUES / f"{code}.po"
    if code == DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current() -> str:
    """This browser's locale; English outside a page (a background task, a unit test)."""
    try:
        from nicegui import app

        chosen = app.storage.user.get(KEY) or app.storage.user.get(FROM_BROWSER)
    except (RuntimeError, AssertionError, KeyError):
        return DEFAULT
    return chosen if chosen in LOCALES else DEFAULT


def from_header(accept_language: str | None) -> str:
    """The studio locale that best matches an ``Accept-Language`` header (``ro-RO,ro;q=0.9``)."""
    wanted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        wanted.append((quality, tag.replace("-", "_")))
    ordered = [tag for _, tag in sorted(wanted, key=lambda item: -item[0])]
    found = negotiate_locale(ordered, list(LOCALES), sep="_")
    if found is None:  # "pt_BR" asks for pt, "de_AT" for de
        found = next((t.split("_")[0] for t in ordered if t.split("_")[0] in LOCALES), None)
    return found or DEFAULT


def marked(text: str, /) -> str:
    """``text`` unchanged: marks a text kept in a constant, translated with ``tr`` when shown."""
    return text


def tr(text: str, /, **values: object) -> str:
    """``text`` in this browser's locale, with ``{name}`` fields filled from ``values``."""
    translated = translations(current()).gettext(text)
    return translated.format(**values) if values else translated


def tr_n(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The form of ``singular``/``plural`` for ``count`` in this locale's plural rules;
    ``{count}`` and the ``values`` are filled in."""
    translated = translations(current()).ngettext(singular, plural, count)
    return translated.format(count=number(count), **values)


def number(value: float, digits: int = 0) -> str:
    """``value`` with this locale's separators (1,234.5 · 1.234,5 · 1 234,5)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_babel_locale(current()))


def percent(value: float) -> str:
    """A share as this locale writes a percentage: "35%", "35 %", "35 %"."""
    return format_percent(value, locale=_babel_locale(current()))


def weekday(number: int) -> str:
    """A weekday (0 Monday … 6 Sunday) as this locale names it in full: "Tuesday", "marți"."""
    if current() == DEFAULT:
        return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
            number
        ]
    return str(_babel_locale(current()).days["format"]["wide"][number])


def moment(value: datetime | None) -> str:
    """A date and time as this locale writes it, short form; "—" for none."""
    if value is None:
        return "—"
    return format_datetime(value, "short", locale=_babel_locale(current()))


def clock(value: time) -> str:
    """A time of day as this locale writes it, short form (English keeps 24 hours, as
    :func:`moment` does): "09:00", "9:00" in Spanish and Japanese."""
    if current() == DEFAULT:
        return value.strftime("%H:%M")
    return format_time(value, "short", locale=_babel_locale(current()))


def day(value: date) -> str:
    """A day as this locale writes it in a sentence: "14 Nov 2026" in English, "14.11.2026",
    "2026/11/14"."""
    code = current()
    if code == DEFAULT:
        return f"{value.day} {value:%b %Y}"
    return format_date(value, "medium", locale=_babel_locale(code))


def language_name(code: str) -> str:
    """A language as this locale names it, with its code: "Romanian (ro)", "rumano (ro)"."""
    name = _babel_locale(current()).languages.get(code)
    return f"{name} ({code})" if name else code


def language_title(code: str, fallback: str | None = None) -> str:
    """A language as this locale names it in a list, capitalised: "Spanish", "Espagnol",
    "スペイン語"; ``fallback`` (else the code) when the locale does not know it."""
    name = str(_babel_locale(current()).languages.get(code) or "")
    if not name:
        return fallback or code
    return name[0].upper() + name[1:]


def _babel_locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT)


# -- the catalogues' upkeep (a developer's command, and what the tests check) --


def used_messages(ui_dir: Path = UI_DIR) -> dict[str | tuple[str, str], list[str]]:
    """Every message id the studio's code passes to ``tr``/``tr_n`` as a literal, with where."""
    found: dict[str | tuple[str, str], list[str]] = {}
    for path in sorted(ui_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            wanted = MARKERS.get(node.func.id)
            if wanted is None or len(node.args) < wanted:
                continue
            parts = node.args[:wanted]
            if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                continue
            texts = [str(p.value) for p in parts if isinstance(p, ast.Constant)]
            key: str | tuple[str, str] = texts[0] if wanted == 1 else (texts[0], texts[1])
            found.setdefault(key, []).append(f"{path.name}:{node.lineno}")
    return found


def update_catalogues(directory: Path = CATALOGUES) -> dict[str, list[str]]:
    """Add the texts the code uses to every catalogue (untranslated), drop those it no longer
    uses; returns each locale's untranslated texts."""
    used = used_messages()
    missing: dict[str, list[str]] = {}
    for code in LOCALES:
        if code == DEFAULT:
            continue
        path = directory / f"{code}.po"
        old = Catalog(locale=code)
        if path.is_file():
            with path.open("rb") as handle:
                old = read_po(handle, locale=code)
        new = Catalog(locale=code, project="Video Orchestrator", fuzzy=False)
        new.creation_date = (
            old.creation_date
        )  # unchanged, so a run that adds nothing changes nothing
        for key, where in used.items():
            previous = old.get(key)
            empty: str | tuple[str, str] = "" if isinstance(key, str) else ("", "")
            string = previous.string if previous is not None else empty
            places = [(w.split(":")[0], int(w.split(":")[1])) for w in where]
            new.add(key, string, locations=places)
        buffer = io.BytesIO()
        write_po(buffer, new, width=100, sort_output=True, include_lineno=False)
        atomic.write_bytes(path, buffer.getvalue())
        missing[code] = [str(m.id) for m in new if m.id and not _translated(m.string)]
    return missing


def _translated(string: object) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def main() -> None:
    missing = update_catalogues()
    for code, texts in missing.items():
        sys.stderr.write(f"{code}: {len(texts)} untranslated\n")


if __name__ == "__main__":
    main()
