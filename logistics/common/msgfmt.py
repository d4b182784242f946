"""A gettext catalogue compiler (.po → .mo) in Python, for machines without GNU gettext.

``make run`` compiles the zh_Hans catalogue before serving. Django's ``compilemessages``
calls GNU ``msgfmt``, which a newcomer's machine may lack (and installing it needs root);
then this module writes the same file: the entries GNU msgfmt keeps (translated, not
fuzzy, not obsolete), sorted, with msgfmt's hash table, byte for byte what
``msgfmt -o`` writes for our catalogues (tests/core/test_msgfmt.py compares both when
msgfmt is present). It reads what ``makemessages`` writes — comments, ``msgctxt``,
``msgid_plural``/``msgstr[n]``, continued lines, C escapes — and nothing more exotic.
"""

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = 0x950412DE
HEADER_SIZE = 28


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> bytes:
        """The original string as stored: ``context\\x04msgid[\\0plural]``."""
        text = self.msgid
        if self.msgctxt is not None:
            text = f"{self.msgctxt}\x04{text}"
        if self.msgid_plural is not None:
            text = f"{text}\0{self.msgid_plural}"
        return text.encode()

    @property
    def hashed(self) -> bytes:
        """What the hash table hashes: the key up to its first NUL (no plural)."""
        return self.key.split(b"\0", 1)[0]

    @property
    def value(self) -> bytes:
        forms = [self.msgstr[i] for i in sorted(self.msgstr)]
        if self.msgid == "" and self.msgctxt is None:
            # The header, without its POT-Creation-Date (msgfmt drops it: the same
            # translations give the same file).
            forms = [
                "".join(
                    line
                    for line in form.splitlines(keepends=True)
                    if not line.startswith("POT-Creation-Date:")
                )
                for form in forms
            ]
        return "\0".join(forms).encode()

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text, where):
    text = text.strip()
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    # The C escapes of a PO string are Python's (\n \t \" \\ \a … octal, hex).
    return ast.literal_eval(text)


def parse(text: str, name="<po>") -> list[Entry]:
    """The entries of a PO file's text, in file order (obsolete ones flagged)."""
    entries, entry, current, seen_keyword = [], Entry(), None, False

    def finish():
        nonlocal entry, current, seen_keyword
        if seen_keyword:
            entries.append(entry)
        entry, current, seen_keyword = Entry(), None, False

    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{name}:{number}"
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # an obsolete entry's previous msgid
                continue
        elif line.startswith("#"):
            if seen_keyword and current is not None:
                finish()
            if line.startswith("#,") and "fuzzy" in (f.strip() for f in line[2:].split(",")):
                entry.fuzzy = True
            continue
        if not line:
            finish()
            continue
        if obsolete:
            entry.obsolete = True
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"{where}: a continued string without a keyword")
            kind, index = current
            piece = _unquote(line, where)
            if kind == "msgstr":
                entry.msgstr[index] += piece
            else:
                setattr(entry, kind, getattr(entry, kind) + piece)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and seen_keyword and current[0] == "msgstr":
            finish()  # a new entry without a blank line between
            if obsolete:
                entry.obsolete = True
        seen_keyword = True
        if keyword.startswith("msgstr"):
            index = 0
            if keyword != "msgstr":
                if not (keyword.startswith("msgstr[") and keyword.endswith("]")):
                    raise ValueError(f"{where}: unknown keyword {keyword!r}")
                index = int(keyword[7:-1])
            entry.msgstr[index] = _unquote(rest, where)
            current = ("msgstr", index)
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, _unquote(rest, where))
            current = (keyword, None)
        else:
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
    finish()
    return entries


def _is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    divisor = 3
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 2
    return True


def _next_prime(seed):
    """GNU gettext's ``next_prime``: the first odd prime from ``seed`` up."""
    seed |= 1
    while not _is_prime(seed):
        seed += 2
    return seed


def hash_string(data: bytes) -> int:
    """GNU gettext's ``hash_string`` (hashpjw)."""
    value = 0
    for byte in data:
        value = ((value << 4) + byte) & 0xFFFFFFFFFFFFFFFF
        high = value & (0xFFFFFFFFFFFFFFFF << 28) & 0xFFFFFFFFFFFFFFFF
        if high:
            value ^= high >> 24
            value ^= high
    return value & 0xFFFFFFFF


def compile_entries(entries: list[Entry]) -> bytes:
    """The .mo file of ``entries``: the translated, non-fuzzy, current ones (the header
    entry included), sorted by original string, with a hash table."""
    kept = [
        e
        for e in entries
        if not e.obsolete and e.translated and (not e.fuzzy or (e.msgid == "" and not e.msgctxt))
    ]
    kept.sort(key=lambda e: e.key)
    count = len(kept)
    size = max(_next_prime(count * 4 // 3), 3)
    table = [0] * size
    for index, entry in enumerate(kept):
        value = hash_string(entry.hashed)
        slot = value % size
        if table[slot]:
            step = 1 + value % (size - 2)
            while table[slot]:
                slot = slot - (size - step) if slot >= size - step else slot + step
        table[slot] = index + 1
    originals_at = HEADER_SIZE
    translations_at = originals_at + 8 * count
    hash_at = translations_at + 8 * count
    strings_at = hash_at + 4 * size
    keys = [e.key for e in kept]
    values = [e.value for e in kept]
    offsets, blob, position = [], bytearray(), strings_at
    for data in [*keys, *values]:
        offsets.append((len(data), position))
        blob += data + b"\0"
        position += len(data) + 1
    out = bytearray(
        struct.pack("<7I", MAGIC, 0, count, originals_at, translations_at, size, hash_at)
    )
    for length, offset in offsets:
        out += struct.pack("<2I", length, offset)
    out += struct.pack(f"<{size}I", *table)
    out += blob
    return bytes(out)


def compile_file(po: Path, mo: Path | None = None) -> Path:
    """Compile ``po`` to ``mo`` (by default next to it, ``.mo`` for ``.po``)."""
    po = Path(po)
    mo = Path(mo) if mo is not None else po.with_suffix(".mo")
    data = compile_entries(parse(po.read_text(encoding="utf-8"), str(po)))
    partial = mo.with_name(mo.name + ".tmp")
    partial.write_bytes(data)
    partial.replace(mo)
    return mo
