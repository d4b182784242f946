"""The catalogue compiler in Python (logistics/msgfmt.py) that ``make run`` uses on a
machine without GNU gettext: the same .mo as msgfmt, and gettext reads it."""

import gettext
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from logistics.common import msgfmt

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
needs_msgfmt = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed"
)

# What makemessages and translators write: a header, comments and flags, contexts,
# plurals, continued lines, escapes; a fuzzy, an untranslated and obsolete entries.
TRICKY = r"""# A comment.
#, fuzzy
msgid ""
msgstr ""
"Project-Id-Version: test\n"
"POT-Creation-Date: 2026-11-22 10:55+0800\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.py:1
msgid "Where"
msgstr "地点"

#: b.py:2
msgctxt "repair"
msgid "Where"
msgstr "报修地点"

#, python-format
msgid "%(count)s hazard"
msgid_plural "%(count)s hazards"
msgstr[0] "%(count)s 项隐患"
msgstr[1] "%(count)s 项隐患们"

msgid ""
"A long line "
"continued"
msgstr ""
"一行"
"接着写"

msgid "Quote \" tab \t backslash \\ newline\n"
msgstr "引号 \" 制表 \t 反斜杠 \\ 换行\n"

#, fuzzy
msgid "Not sure"
msgstr "不确定"

msgid "Untranslated"
msgstr ""
msgctxt "x"
msgid "No blank line before"
msgstr "前面没有空行"

#~ msgid "Gone"
#~ msgstr "已删除"

#~ msgctxt "old"
#~ msgid "Gone too"
#~ msgstr "也已删除"
"""


def load(data):
    return gettext.GNUTranslations(io.BytesIO(data))


def test_the_compiled_tricky_catalogue_reads_back():
    catalogue = load(msgfmt.compile_entries(msgfmt.parse(TRICKY)))
    assert catalogue.gettext("Where") == "地点"
    assert catalogue.pgettext("repair", "Where") == "报修地点"
    assert catalogue.ngettext("%(count)s hazard", "%(count)s hazards", 1) == "%(count)s 项隐患"
    assert catalogue.ngettext("%(count)s hazard", "%(count)s hazards", 2) == "%(count)s 项隐患们"
    assert catalogue.gettext("A long line continued") == "一行接着写"
    assert catalogue.gettext('Quote " tab \t backslash \\ newline\n') == (
        '引号 " 制表 \t 反斜杠 \\ 换行\n'
    )
    assert catalogue.pgettext("x", "No blank line before") == "前面没有空行"
    # Fuzzy, untranslated and obsolete entries are left out, as msgfmt does.
    assert catalogue.gettext("Not sure") == "Not sure"
    assert catalogue.gettext("Untranslated") == "Untranslated"
    assert catalogue.gettext("Gone") == "Gone"
    assert catalogue.pgettext("old", "Gone too") == "Gone too"
    assert "POT-Creation-Date" not in catalogue._catalog[""]


def test_every_translation_of_the_catalogue_reads_back():
    entries = msgfmt.parse(PO.read_text("utf-8"), str(PO))
    catalogue = load(msgfmt.compile_entries(entries))
    checked = 0
    for entry in entries:
        if entry.obsolete or entry.fuzzy or not entry.translated or not entry.msgid:
            continue
        if entry.msgid_plural is not None and entry.msgctxt is not None:
            got = catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
        elif entry.msgid_plural is not None:
            got = catalogue.ngettext(entry.msgid, entry.msgid_plural, 1)
        elif entry.msgctxt is not None:
            got = catalogue.pgettext(entry.msgctxt, entry.msgid)
        else:
            got = catalogue.gettext(entry.msgid)
        assert got == entry.msgstr[0], entry
        checked += 1
    assert checked > 1000


@needs_msgfmt
@pytest.mark.parametrize("source", ["catalogue", "tricky"])
def test_the_same_bytes_as_gnu_msgfmt(source, tmp_path):
    po = PO if source == "catalogue" else tmp_path / "tricky.po"
    if source == "tricky":
        po.write_text(TRICKY, encoding="utf-8")
    gnu = subprocess.run(
        ["msgfmt", "-o", "-", str(po)], capture_output=True, check=True, timeout=60
    ).stdout
    ours = msgfmt.compile_entries(msgfmt.parse(po.read_text("utf-8")))
    assert ours == gnu


def test_the_command_compiles_without_msgfmt(tmp_path, settings, monkeypatch):
    """``make run``'s ``messages`` step on a machine without gettext."""
    locale = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [locale]
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None)
    out = io.StringIO()
    call_command("compile_catalogue", stdout=out)
    mo = locale / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    assert load(mo.read_bytes()).gettext("Home") == "首页"
    assert "1 catalogue(s) compiled without msgfmt" in out.getvalue()
    # Up to date: not written again.
    before = mo.stat().st_mtime_ns
    call_command("compile_catalogue", stdout=io.StringIO())
    assert mo.stat().st_mtime_ns == before


def test_make_messages_installs_nothing():
    """The ``messages`` step of ``make run`` neither needs root nor runs apt-get."""
    dry = subprocess.run(
        ["make", "-n", "messages"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    assert "compile_catalogue" in dry.stdout
    assert "apt-get" not in dry.stdout
