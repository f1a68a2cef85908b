"""The English catalog: complete, placeholder-safe, tidy, and what English readers really get.

Bahasa Indonesia is the source language (the msgids); `app/locale/en/LC_MESSAGES/messages.po`
translates it. When a test here fails after you add or change interface text, extract and
update the catalog (README, Development), translate what is listed, and run this file again.
"""

from __future__ import annotations

import configparser
import contextvars
import os
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.language import COOKIE
from app.web.templating import templates
from tests.factories import csrf_token, login, make_user

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "app" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
# The same keywords as README's `pybabel extract` (Babel's defaults include them all).
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2)}
# `{name}` / `{size:.1f}` (str.format fields) and `%(num)d` (ngettext's %-style field).
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")

Msgid = str | tuple[str, ...]


def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """babel.cfg as extract_from_dir wants it: `[method: pattern]` sections with options."""
    parser = configparser.RawConfigParser()
    parser.read(ROOT / "babel.cfg", encoding="utf-8")
    method_map, options_map = [], {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options_map[pattern] = dict(parser.items(section))
    return method_map, options_map


def _directory_filter(method_map: list[tuple[str, str]]) -> Callable[[str], bool]:
    """Only walk the folders babel.cfg can match (not node_modules or .venv): fast."""
    roots = {pattern.split("/", 1)[0] for pattern, _ in method_map}
    everywhere = any("*" in root for root in roots)

    def keep(path: str) -> bool:
        parts = Path(os.path.relpath(path, ROOT)).parts
        if any(part.startswith((".", "_")) or part == "node_modules" for part in parts):
            return False
        return everywhere or parts[0] in roots

    return keep


@cache
def source_messages() -> dict[Msgid, list[str]]:
    """Every message in app/ code and templates, with where it is used."""
    method_map, options_map = _mapping()
    found: dict[Msgid, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=_directory_filter(method_map),
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog() -> Catalog:
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="en")


def _key(msgid: str | Sequence[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _translations() -> Iterator[Message]:
    return (message for message in catalog() if message.id)


def _forms(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: for a plural entry, each English form against its msgid."""
    if isinstance(message.id, str):
        return [(message.id, str(message.string or ""))]
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    singular, plural = message.id[0], message.id[1]
    return [(singular if i == 0 else plural, s or "") for i, s in enumerate(strings)]


def test_babel_cfg_covers_the_app_code_and_templates() -> None:
    used = {
        Path(where.rsplit(":", 1)[0]) for places in source_messages().values() for where in places
    }
    assert Path("app/web/templating.py") not in used  # only gettext *callables*, no messages
    for must in (
        "app/web/nul_guard.py",
        "app/web/templates/base.html",
        "app/web/templates/accounts/login.html",
    ):
        assert Path(must) in used, f"babel.cfg no longer extracts {must}"
    assert len(source_messages()) > 500


def test_every_source_message_has_an_english_translation() -> None:
    missing = []
    for msgid, places in source_messages().items():
        entry = catalog().get(_key(msgid))
        if entry is None:
            missing.append(f"{msgid!r} (not in the catalog; used at {places[0]})")
        elif entry.fuzzy:
            missing.append(f"{msgid!r} (fuzzy: check the suggestion, then remove the flag)")
        elif isinstance(msgid, tuple) != entry.pluralizable:
            missing.append(f"{msgid!r} (singular/plural mismatch: run pybabel update)")
        elif not all(text.strip() for _, text in _forms(entry)) or len(_forms(entry)) < (
            2 if entry.pluralizable else 1  # English has two plural forms
        ):
            missing.append(f"{msgid!r} (empty translation; used at {places[0]})")
    assert not missing, (
        f"{len(missing)} message(s) without an English translation in {CATALOG.relative_to(ROOT)}"
        " (extract + pybabel update as in README, then translate):\n" + "\n".join(missing)
    )


def test_translations_keep_exactly_the_placeholders_of_their_msgid() -> None:
    wrong = []
    for message in _translations():
        for source, text in _forms(message):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(f"{source!r}\n    -> {text!r}")
    assert not wrong, "Placeholders changed in translation:\n" + "\n".join(wrong)


def test_translations_keep_leading_and_trailing_spaces() -> None:
    """Fragments such as ' Soal dilewati.' are appended to other text: the space matters."""
    wrong = []
    for message in _translations():
        for source, text in _forms(message):
            if (source[:1].isspace(), source[-1:].isspace()) != (
                text[:1].isspace(),
                text[-1:].isspace(),
            ):
                wrong.append(f"{source!r} -> {text!r}")
    assert not wrong, "Leading/trailing spaces differ:\n" + "\n".join(wrong)


def test_catalog_has_no_obsolete_or_stale_entries() -> None:
    assert "\n#~ " not in CATALOG.read_text(encoding="utf-8"), "obsolete (#~) entries left behind"
    assert not catalog().obsolete
    used = {_key(msgid) for msgid in source_messages()}
    stale = [message.id for message in _translations() if _key(message.id) not in used]
    assert not stale, (
        "Entries no longer in the source (run pybabel update --ignore-obsolete):\n"
        + ("\n".join(repr(s) for s in stale))
    )


def _in(locale: str, function: Callable[[], Any]) -> Any:
    """Run in an interface language, without leaking the choice into other tests."""

    def run() -> Any:
        i18n.set_locale(locale)
        return function()

    return contextvars.copy_context().run(run)


def _in_english(function: Callable[[], Any]) -> Any:
    return _in("en", function)


def test_gettext_and_ngettext_answer_in_english() -> None:
    assert _in_english(lambda: i18n.gettext("Tandai selesai")) == "Mark as complete"
    one = _in_english(lambda: i18n.ngettext("%(num)d soal", "%(num)d soal", 1))
    many = _in_english(lambda: i18n.ngettext("%(num)d soal", "%(num)d soal", 5))
    assert (one % {"num": 1}, many % {"num": 5}) == ("1 question", "5 questions")
    assert _in("id", lambda: i18n.gettext("Tandai selesai")) == "Tandai selesai"  # the source


def test_dates_render_in_english() -> None:
    when = datetime(2026, 8, 17, 2, 5, tzinfo=UTC)  # 10.05 WITA
    datetime_filter = templates.env.filters["datetime"]
    date_filter = templates.env.filters["date"]
    assert _in_english(lambda: datetime_filter(when)) == "17 Aug 2026, 10.05 WITA"
    assert _in_english(lambda: date_filter(date(2026, 8, 17))) == "17 August 2026"
    assert _in_english(lambda: date_filter(date(2026, 12, 1), "d MMM y")) == "1 Dec 2026"
    # ...and in Indonesian for everyone else.
    assert _in("id", lambda: date_filter(date(2026, 8, 17))) == "17 Agustus 2026"
    assert _in("id", lambda: datetime_filter(when)) == "17 Agu 2026, 10.05 WITA"


def test_login_page_in_english(client: TestClient) -> None:
    client.cookies.set(COOKIE, "en")
    page = client.get("/masuk")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Sign in to Lentera" in page.text
    assert ">Sign in</button>" in page.text
    assert "Password" in page.text
    assert "Kata sandi" not in page.text and "Masuk ke Lentera" not in page.text


def test_language_switch_turns_the_interface_english(client: TestClient) -> None:
    token = csrf_token(client)
    response = client.post("/bahasa", data={"csrf_token": token, "lang": "en", "next": "/masuk"})
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk"
    page = client.get("/masuk")
    assert '<html lang="en">' in page.text and "Sign in to Lentera" in page.text


def test_logged_in_pages_in_english(client: TestClient, session: Session) -> None:
    user = make_user(session)
    client.cookies.set(COOKIE, "en")
    login(client, user)
    home = client.get("/")
    assert home.status_code == 200
    assert '<html lang="en">' in home.text
    for label in ("Home", "Catalogue", "Learning record", "Profile", "Sign out"):
        assert f">{label}<" in home.text, label
    for indonesian in ("Beranda", "Katalog", "Riwayat", "Profil", "Keluar"):
        assert f">{indonesian}<" not in home.text, indonesian
    assert "lesson hours of 45 minutes" in home.text
    profile = client.get("/profil")
    assert profile.status_code == 200
    assert "My profile" in profile.text and "Change password" in profile.text
