"""The Chinese interface is complete and current.

When a test here fails after strings were added or changed, run the commands at the top
of babel.cfg (extract, update, translate, compile) and commit the .pot, .po and .mo.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import gettext

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "gridcare" / "translations"
CHINESE = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES"
# The same keywords as the extract command in babel.cfg.
KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def chinese():
    return read_catalog(CHINESE / "messages.po")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings in the code right now, extracted as babel.cfg says."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
        + [*keywords, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return read_catalog(pot)


def messages(catalog):
    return [message for message in catalog if message.id]


def as_tuple(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_every_chinese_msgid_is_translated_and_none_is_fuzzy(chinese):
    untranslated = [m.id for m in messages(chinese) if not all(as_tuple(m.string))]
    fuzzy = [m.id for m in messages(chinese) if m.fuzzy]
    assert not (untranslated or fuzzy), (
        f"untranslated in zh_Hans_CN: {untranslated}; "
        f"fuzzy (check the translation, then remove the flag): {fuzzy}"
    )
    assert not chinese.fuzzy, "the catalog header is marked fuzzy"


def test_chinese_translations_keep_every_placeholder(chinese):
    broken = []
    for message in messages(chinese):
        wanted = set(PLACEHOLDER.findall(as_tuple(message.id)[-1]))
        for string in as_tuple(message.string):
            if set(PLACEHOLDER.findall(string)) != wanted:
                broken.append((message.id, string))
    assert not broken, f"placeholders differ from the msgid: {broken}"


def test_every_string_in_the_code_is_in_the_chinese_catalog(chinese, extracted):
    known = {m.id for m in messages(chinese)}
    missing = [m.id for m in messages(extracted) if m.id not in known]
    assert not missing, f"new strings: extract, update and translate (see babel.cfg): {missing}"


def test_the_compiled_catalog_matches_the_po_file(chinese):
    with (CHINESE / "messages.mo").open("rb") as f:
        compiled = read_mo(f)
    expected = {as_tuple(m.id): as_tuple(m.string) for m in messages(chinese)}
    actual = {as_tuple(m.id): as_tuple(m.string) for m in messages(compiled)}
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    stale += sorted(str(k) for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not stale, f"messages.mo is out of date: run pybabel compile (see babel.cfg): {stale}"


def test_the_app_speaks_chinese_by_default_and_english_on_request(app):
    # A fresh app context for each request: Flask-Babel caches the locale in `g`.
    with app.app_context(), app.test_request_context("/login"):
        assert gettext("Log in") == "登录"
        assert gettext("Wrong username or password.") == "用户名或密码错误。"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Log in") == "Log in"


def test_templates_follow_a_forced_language_within_one_request(app):
    # Templates read the catalog once per request; a text rendered in another language
    # (a notification in its reader's language) still gets that language, and after it
    # the page's own.
    from flask import render_template_string
    from flask_babel import force_locale

    with app.app_context(), app.test_request_context("/login"):
        assert render_template_string("{{ _('Log in') }}") == "登录"
        with force_locale("en"):
            assert render_template_string("{{ _('Log in') }}") == "Log in"
        assert render_template_string("{{ _('Log in') }}") == "登录"
