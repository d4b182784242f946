"""The zh_Hans catalogue is complete and compiled from the current sources."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    text = PO.read_text(encoding="utf-8")
    yield from text.split("\n\n")[1:]


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = []
    for block in entries():
        fields = parse(block)
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        if "fuzzy" in block or not all(strs):
            untranslated.append(block)
    assert not untranslated, "\n\n".join(untranslated[:5])


def parse(block):
    """{keyword: text} of one catalogue entry, continuation lines joined."""
    fields, current = {}, None
    for line in block.splitlines():
        match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
        if match:
            current = match.group(1)
            fields[current] = match.group(2)
        elif line.startswith('"') and current:
            fields[current] += line[1:-1]
    return fields


def test_placeholders_are_kept():
    pattern = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}")
    for block in entries():
        fields = parse(block)
        ids = [v for k, v in fields.items() if k.startswith("msgid")]
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        expected = set(pattern.findall(" ".join(ids)))
        for translation in strs:
            assert set(pattern.findall(translation)) == expected, block


def test_catalogue_matches_the_sources(tmp_path):
    """makemessages finds no msgid that the catalogue lacks."""
    import shutil

    work = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", work)
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "-c",
            "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); django.setup(); from django.conf import settings; "
            f"settings.LOCALE_PATHS = [{str(work)!r}]; "
            "from django.core.management import call_command; "
            "call_command('makemessages', locale=['zh_Hans'], ignore_patterns=['.venv', "
            "'tests', 'static', 'var'], verbosity=0)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = (work / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    new_ids = set(re.findall(r'^msgid "(.+)"', fresh, re.M))
    known = set(re.findall(r'^msgid "(.+)"', PO.read_text(encoding="utf-8"), re.M))
    assert new_ids <= known, sorted(new_ids - known)
