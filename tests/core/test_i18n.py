"""The zh_Hans catalogue is complete and compiled from the current sources."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
    """makemessages, run on a copy of the sources, finds no msgid the catalogue lacks."""
    import shutil
    import sys

    for name in ("config", "logistics", "safety", "canteen", "assets", "dormitory"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pyc"))
    for name in ("templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "manage.py", tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-v0"],
        cwd=tmp_path,
        env={**__import__("os").environ, "HOUQIN_ENV_FILE": "/nonexistent"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fresh = (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    known = PO.read_text(encoding="utf-8")
    fresh_ids = {
        (f.get("msgctxt"), f["msgid"]) for f in map(parse, fresh.split("\n\n")[1:]) if "msgid" in f
    }
    # Obsolete entries ("#~", no longer in the sources) have no msgid line of their own.
    known_ids = {
        (f.get("msgctxt"), f["msgid"]) for f in map(parse, known.split("\n\n")[1:]) if "msgid" in f
    }
    assert fresh_ids <= known_ids, sorted(fresh_ids - known_ids, key=lambda k: (k[0] or "", k[1]))
