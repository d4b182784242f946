"""The narrative of a printed document: plain text written by general affairs, with named
placeholders filled from the records when the document is made.

The text is plain (no HTML, no markup language to learn):

- each line is a paragraph (as the offices write: "1、强化思想认识……" one per line);
- consecutive lines that start with "- " (or "· ", "• ") form a bulleted list;
- ``{名称}`` is a placeholder, replaced by the figure of that name ("水道工承接报修单共
  {水工工单数}次"); ``{{`` and ``}}`` are a literal brace.

``check(text, names)`` lists the problems (an unknown name, a brace left open) with their
line, for the editor; ``blocks(text, values)`` gives the paragraphs and lists with every
placeholder filled, for the template, which escapes them. A text with a problem is never
printed: ``blocks`` raises ``NarrativeError``.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
BULLET = re.compile(r"^\s*[-·•]\s+")
MAX_NAME = 40


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self):
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class NarrativeError(ValueError):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def _scan(line, names):
    """(the line's pieces — text or ("name",) —, its problems' messages)."""
    pieces, problems = [], []
    position = 0
    for match in PLACEHOLDER.finditer(line):
        if match.start() > position:
            pieces.append(line[position : match.start()])
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif token in ("{", "}"):
            problems.append(_("a brace without its pair (double it for a brace itself)"))
            pieces.append(token)
        else:
            name = match.group(1).strip()
            if not name or len(name) > MAX_NAME:
                problems.append(_("an empty or too long placeholder name"))
            elif name not in names:
                problems.append(_("unknown placeholder {%(name)s}") % {"name": name})
            pieces.append((name,))
        position = match.end()
    if position < len(line):
        pieces.append(line[position:])
    return pieces, problems


def check(text, names) -> list[Problem]:
    """The problems of ``text`` given the known placeholder ``names``."""
    problems = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        problems += [Problem(number, message) for message in _scan(line, names)[1]]
    return problems


def used(text) -> set[str]:
    """The placeholder names ``text`` uses (known or not)."""
    found = set()
    for line in (text or "").splitlines():
        for piece in _scan(line, ())[0]:
            if isinstance(piece, tuple):
                found.add(piece[0])
    return found


def fill(line, values):
    pieces, problems = _scan(line, values)
    if problems:
        raise NarrativeError(Problem(1, p) for p in problems)
    return "".join(_text(values[p[0]]) if isinstance(p, tuple) else p for p in pieces)


def _text(value):
    if value is None:
        return "—"
    return str(value)


def blocks(text, values) -> list[dict]:
    """``[{"kind": "p", "text": …} | {"kind": "ul", "items": […]}]`` with every
    placeholder replaced by its value; ``NarrativeError`` if ``check`` finds anything."""
    problems = check(text, values)
    if problems:
        raise NarrativeError(problems)
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        bullet = BULLET.match(line)
        if bullet:
            item = fill(line[bullet.end() :].strip(), values)
            if out and out[-1]["kind"] == "ul":
                out[-1]["items"].append(item)
            else:
                out.append({"kind": "ul", "items": [item]})
        else:
            out.append({"kind": "p", "text": fill(line.strip(), values)})
    return out
