"""Reading and writing xlsx files safely.

Reading never trusts the file. ``read_header`` (in the request: is this a workbook with
the right columns?) and ``read_rows`` (in the import job) share one reader that:

- checks the zip's central directory before anything is unpacked: at most
  ``IMPORT_MAX_PARTS`` members, each at most ``IMPORT_MAX_PART_BYTES`` unpacked, all of them
  together at most ``IMPORT_MAX_UNPACKED_BYTES``, none packed more densely than
  ``IMPORT_MAX_RATIO`` to 1, stored or deflated, not encrypted. Those sizes are a real
  bound: Python's ``zipfile`` inflates at most a member's declared ``file_size`` and then
  checks its CRC, so a member whose directory entry understates it is cut short and fails
  (tests/framework/test_spreadsheets.py builds one);
- reads only what an import needs (the package's relationships, the workbook's list of
  sheets, the first worksheet and its shared strings) and never styles, themes, drawings
  or the sheet's ``<dimension>``, so a sheet that claims 16,384 columns costs nothing;
- parses XML with defusedxml (no DTD, entities or external references) as a stream,
  dropping every element once it has been read: memory holds one cell, not the sheet;
  nesting deeper than ``MAX_DEPTH`` is refused;
- counts rows as they stream by, without keeping blank ones: more than
  ``IMPORT_MAX_SHEET_ROWS`` row elements (blank ones included) or more than
  ``IMPORT_MAX_ROWS`` rows with data stops the reading there.

Anything wrong with the file as a whole raises ``SheetError``, whose message is for the
person uploading. A cell whose value cannot be read (letters in a number, a date that is
not one, an Excel error such as ``#N/A``, a formula without its computed value) does not
stop the reading: it is reported on its row (``SheetRow.problems``) with the other rows'
errors. The limits are settings, with the defaults below.

Writing: cells starting with = + - @ are escaped so a spreadsheet program never runs them
as formulae. A list's export writes the cells its ``Column``s' ``value`` give
(``export_rows``), the same columns whose ``heading`` and ``sort`` its page shows.
"""

import datetime
import io
import logging
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Defaults of the limits (each can be set in the settings under its name).
DEFAULT_LIMITS = {
    "IMPORT_MAX_PARTS": 200,  # an xlsx from Excel or WPS has 10-30
    "IMPORT_MAX_PART_BYTES": 20 * 1024 * 1024,  # 5,000 rows x 6 columns: about 1.5 MB
    "IMPORT_MAX_UNPACKED_BYTES": 50 * 1024 * 1024,
    "IMPORT_MAX_RATIO": 100,  # a sheet's XML packs 10-15 to 1
}
RATIO_FLOOR = 64 * 1024  # parts unpacking to less than this are not held to the ratio
MAX_DEPTH = 64  # a sheet nests 5 deep
MAX_TITLE_ROWS = 5  # rows with text above the headers (a title, a date) that are skipped
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_SHEET_ROW = 1_048_576
MAX_SHEET_COLUMN = 16_384
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an xlsx encrypted with a password

COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INTEGER = re.compile(r"[+-]?[0-9]{1,30}")

# Everything the standard library and defusedxml raise on a damaged or hostile file.
READ_ERRORS = (
    zipfile.BadZipFile,  # also a CRC mismatch: a member longer than its directory says
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ParseError,  # truncated or malformed XML
    ValueError,  # defusedxml's refusals (DTD, entities), bad encodings, bad numbers
    KeyError,
    IndexError,
    TypeError,
    RuntimeError,  # zipfile: an encrypted member
    NotImplementedError,  # zipfile: an unknown compression method
    RecursionError,
    MemoryError,
)


class SheetError(Exception):
    """The file as a whole cannot be read; the message is for the person uploading."""


# A column's ``value`` that is the row's number in the export (1, 2, …), not a field.
ROW_NUMBER = object()


@dataclass(frozen=True)
class Column:
    """A column of an import, an export or a list page: its key and the headers it is
    known by.

    A list declares its columns once, for its page and its export alike: ``value`` gives
    an export's cell from one of the list's records (``ROW_NUMBER``: the row's number,
    from 1), ``sort`` the field a page sorts the column by (``?sort=<key>``; empty: not
    sortable). ``heading`` is the page's header cell."""

    key: str
    label: object  # lazy translation: the header written in templates and exports
    required: bool = False
    aliases: tuple[str, ...] = ()
    value: Callable[[Any], Any] | object | None = None
    sort: str = ""

    def heading(self):
        """``(label, sort key or None)``: a header cell of a list page."""
        return (self.label, self.key if self.sort else None)

    def names(self):
        from django.utils import translation

        names = {self.key.lower(), *(a.lower() for a in self.aliases)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.label).strip().lower())
        return names


@dataclass(frozen=True)
class SheetRow:
    """A row with data: its number in the sheet, the text of each known column ("" when
    empty or unreadable), and what is wrong with the cells that could not be read."""

    number: int
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Problem:
    """A cell whose value cannot be read; the message names the cell."""

    message: str


def limit(name):
    return getattr(settings, name, DEFAULT_LIMITS.get(name))


def max_sheet_rows():
    """Row elements read at most, blank ones included (a sheet may carry some formatted
    blank rows below its data; millions of them are an attack, not a list)."""
    return getattr(settings, "IMPORT_MAX_SHEET_ROWS", None) or 4 * settings.IMPORT_MAX_ROWS + 100


def _local(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _damaged(row=None):
    if row:
        return SheetError(
            _(
                "The sheet is damaged near row %(row)s. Open it in Excel, save it again as "
                ".xlsx and try again."
            )
            % {"row": row}
        )
    return SheetError(_("The workbook could not be read; it may be damaged."))


def _not_a_workbook():
    return SheetError(_("This is not an Excel workbook (.xlsx). Save it as .xlsx and try again."))


def _upload_size(upload):
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    return size


# --- The package: its directory checked, the parts an import reads located -----------------


def _check_directory(infos):
    """Refuse the archive from its central directory alone (nothing unpacked yet)."""
    max_parts = limit("IMPORT_MAX_PARTS")
    if len(infos) > max_parts:
        raise SheetError(
            _("The workbook has too many parts (%(count)s; at most %(limit)s).")
            % {"count": len(infos), "limit": max_parts}
        )
    max_part, ratio = limit("IMPORT_MAX_PART_BYTES"), limit("IMPORT_MAX_RATIO")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SheetError(
                _(
                    "The workbook is protected with a password. Remove the password in Excel "
                    "and try again."
                )
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_a_workbook()
        if info.file_size > max_part:
            raise SheetError(
                _(
                    "A part of the workbook is too large once unpacked (%(size)s; at most "
                    "%(limit)s)."
                )
                % {"size": filesizeformat(info.file_size), "limit": filesizeformat(max_part)}
            )
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise SheetError(
                _(
                    "The workbook is packed far more densely than a spreadsheet is (a part "
                    "unpacks to %(ratio)s times its size); it was refused."
                )
                % {"ratio": info.file_size // max(info.compress_size, 1)}
            )
        total += info.file_size
    max_total = limit("IMPORT_MAX_UNPACKED_BYTES")
    if total > max_total:
        raise SheetError(
            _("The workbook is too large once unpacked (%(size)s; at most %(limit)s).")
            % {"size": filesizeformat(total), "limit": filesizeformat(max_total)}
        )


def _stream(archive, name):
    """``(event, element)`` of part ``name``, "start" and "end", parsed by defusedxml.

    Each element is dropped from its parent once its "end" has been handled, so what is
    held is the path from the root to the current element, never what came before.
    """
    with archive.open(name) as source:
        stack = []
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                stack.append(element)
                if len(stack) > MAX_DEPTH:
                    raise ParseError("nested too deep")
                yield event, element
            else:
                stack.pop()
                yield event, element
                if stack:
                    del stack[-1][:]


def _relationships(archive, name):
    """``{id: (type, target)}`` of a relationships part (internal targets only)."""
    if name not in archive.NameToInfo:
        return {}
    found = {}
    for event, element in _stream(archive, name):
        if event == "end" and _local(element.tag) == "Relationship":
            if element.get("TargetMode", "").lower() == "external":
                continue
            found[element.get("Id", "")] = (element.get("Type", ""), element.get("Target", ""))
    return found


def _resolve(archive, base, target):
    """The archive name a relationship's target points at, or None."""
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    path = posixpath.normpath(path)
    return path if path in archive.NameToInfo else None


def _rels_name(part):
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


class _Package:
    """An uploaded xlsx whose directory passed the limits: the names of its first worksheet
    and shared strings."""

    def __init__(self, upload):
        size = _upload_size(upload)
        max_bytes = settings.IMPORT_MAX_UPLOAD_BYTES
        if size > max_bytes:
            raise SheetError(
                _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
            )
        upload.seek(0)
        if upload.read(len(OLE_MAGIC)) == OLE_MAGIC:
            raise SheetError(
                _(
                    "This is an old Excel file (.xls) or a workbook protected with a password. "
                    "Save it as .xlsx without a password and try again."
                )
            )
        upload.seek(0)
        try:
            self.archive = zipfile.ZipFile(upload)
        except READ_ERRORS:
            raise _not_a_workbook() from None
        try:
            _check_directory(self.archive.infolist())
            self.sheet, self.strings = self._locate()
        except READ_ERRORS as exc:
            self.archive.close()
            logger.info("unreadable workbook parts: %r", exc)
            raise _damaged() from None
        except BaseException:
            self.archive.close()
            raise

    def _locate(self):
        archive = self.archive
        workbook = None
        for kind, target in _relationships(archive, "_rels/.rels").values():
            if kind.endswith("/officeDocument"):
                workbook = _resolve(archive, "", target)
                break
        if workbook is None:
            raise _not_a_workbook()
        base = posixpath.dirname(workbook)
        related = _relationships(archive, _rels_name(workbook))
        strings = next(
            (
                _resolve(archive, base, target)
                for kind, target in related.values()
                if kind.endswith("/sharedStrings")
            ),
            None,
        )
        for event, element in _stream(archive, workbook):
            if event == "end" and _local(element.tag) == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                kind, target = related.get(rel_id, ("", ""))
                sheet = _resolve(archive, base, target) if kind.endswith("/worksheet") else None
                if sheet is not None:
                    return sheet, strings
        raise _not_a_workbook()

    def close(self):
        self.archive.close()


class _SharedStrings:
    """The workbook's shared strings, read as far as the cells need them."""

    def __init__(self, archive, name):
        self._events = _stream(archive, name) if name else iter(())
        self.items = []
        self._parts = None
        self._phonetic = 0

    def get(self, index):
        while index >= len(self.items) and self._advance():
            pass
        return self.items[index] if index < len(self.items) else None

    def _advance(self):
        for event, element in self._events:
            tag = _local(element.tag)
            if event == "start":
                if tag == "si":
                    self._parts, self._phonetic = [], 0
                elif tag == "rPh":
                    self._phonetic += 1
            elif tag == "t" and self._parts is not None and not self._phonetic:
                self._parts.append(element.text or "")
            elif tag == "rPh":
                self._phonetic -= 1
            elif tag == "si" and self._parts is not None:
                self.items.append("".join(self._parts))
                self._parts = None
                return True
        return False


# --- Cells and rows ----------------------------------------------------------------------------


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number):
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Cell:
    __slots__ = ("column", "formula", "inline", "phonetic", "ref", "type", "value")

    def __init__(self, ref, column, kind):
        self.ref, self.column, self.type = ref, column, kind
        self.value = None
        self.formula = False
        self.inline = None  # the text runs of an inline string
        self.phonetic = 0


def _number_text(raw, ref):
    raw = raw.strip()
    if INTEGER.fullmatch(raw):
        return str(int(raw))
    if not NUMBER.fullmatch(raw):
        return _Problem(
            _("Cell %(cell)s should hold a number but holds “%(value)s”.")
            % {"cell": ref, "value": raw[:50]}
        )
    value = float(raw)
    if not math.isfinite(value):
        return _Problem(_("Cell %(cell)s holds a number out of range.") % {"cell": ref})
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _date_text(raw, ref):
    raw = raw.strip()
    for kind in (datetime.date, datetime.datetime, datetime.time):
        try:
            return str(kind.fromisoformat(raw))
        except ValueError:
            continue
    return _Problem(
        _("Cell %(cell)s should hold a date but holds “%(value)s”.")
        % {"cell": ref, "value": raw[:50]}
    )


def _cell_value(cell, strings):
    """The text of a cell, or a ``_Problem`` saying why it cannot be read."""
    ref, kind, raw = cell.ref, cell.type, cell.value
    if kind == "inlineStr":
        text = "".join(cell.inline or ())
    elif raw is None:
        if cell.formula:
            return _Problem(
                _(
                    "Cell %(cell)s holds a formula whose result was never computed; open the "
                    "file in Excel and save it again."
                )
                % {"cell": ref}
            )
        return ""
    elif len(raw) > MAX_CELL_CHARS:
        return _Problem(_("Cell %(cell)s is too long.") % {"cell": ref})
    elif kind == "n":
        return _number_text(raw, ref)
    elif kind == "s":
        index = raw.strip()
        text = strings.get(int(index)) if index.isdigit() and len(index) < 10 else None
        if text is None:
            return _Problem(
                _("Cell %(cell)s refers to a text the workbook does not have.") % {"cell": ref}
            )
    elif kind == "str":
        text = raw
    elif kind == "b":
        if raw.strip() not in ("0", "1"):
            return _Problem(
                _("Cell %(cell)s should hold TRUE or FALSE but holds “%(value)s”.")
                % {"cell": ref, "value": raw[:50]}
            )
        return "TRUE" if raw.strip() == "1" else "FALSE"
    elif kind == "d":
        return _date_text(raw, ref)
    elif kind == "e":
        return _Problem(
            _("Cell %(cell)s holds the Excel error %(value)s.") % {"cell": ref, "value": raw[:20]}
        )
    else:
        return _Problem(
            _("Cell %(cell)s has an unknown type “%(type)s”.") % {"cell": ref, "type": kind[:20]}
        )
    if len(text) > MAX_CELL_CHARS:
        return _Problem(_("Cell %(cell)s is too long.") % {"cell": ref})
    return text.strip()


class _SheetReader:
    """The rows of the first worksheet, as ``(number, {column: text or _Problem})``; blank
    rows are counted and skipped. ``number`` is the row being read (for error messages)."""

    def __init__(self, package):
        self.package = package
        self.number = 0
        self.count = 0
        self.wanted = None  # the sheet columns whose cells are read (None: all of them)

    def rows(self, max_rows):
        package = self.package
        strings = _SharedStrings(package.archive, package.strings)
        cells = cell = None
        column = 0
        for event, element in _stream(package.archive, package.sheet):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    if cells is not None:
                        raise ParseError("a row inside a row")
                    self.count += 1
                    if self.count > max_rows:
                        raise SheetError(
                            _(
                                "The sheet has too many rows, counting blank ones (more than "
                                "%(limit)s). Delete the empty rows below the data and try again."
                            )
                            % {"limit": max_rows}
                        )
                    self.number = self._row_number(element.get("r"))
                    cells, column = {}, 0
                elif tag == "c" and cells is not None:
                    if cell is not None:
                        raise ParseError("a cell inside a cell")
                    column = self._column(element.get("r"), column)
                    ref = f"{_column_letters(column)}{self.number}"
                    cell = _Cell(ref, column, element.get("t", "n"))
                elif cell is not None:
                    if tag == "is":
                        cell.inline = []
                    elif tag == "rPh":
                        cell.phonetic += 1
                continue
            if cell is not None:
                if tag == "v":
                    cell.value = element.text or ""
                elif tag == "f":
                    cell.formula = True
                elif tag == "t" and cell.inline is not None and not cell.phonetic:
                    cell.inline.append(element.text or "")
                elif tag == "rPh":
                    cell.phonetic -= 1
                elif tag == "c":
                    if self.wanted is None or cell.column in self.wanted:
                        cells[cell.column] = _cell_value(cell, strings)
                    cell = None
            elif tag == "row" and cells is not None:
                if any(cells.values()):
                    yield self.number, cells
                cells = None

    def _row_number(self, ref):
        if ref is None:
            number = self.number + 1
        elif ref.isdigit() and len(ref) <= 7:
            number = int(ref)
        else:
            raise _damaged(self.number + 1)
        if not self.number < number <= MAX_SHEET_ROW:
            raise _damaged(number if number <= MAX_SHEET_ROW else self.number + 1)
        return number

    def _column(self, ref, previous):
        if ref is None:
            number = previous + 1
        else:
            match = COORDINATE.fullmatch(ref)
            if match is None or match.group(2) != str(self.number):
                raise _damaged(self.number)
            number = _column_number(match.group(1))
        if number > MAX_SHEET_COLUMN:
            raise _damaged(self.number)
        return number


def _header(cells, columns, *, last_chance):
    """``{column key: sheet column}`` from the header row's cells; None when the row
    names no column at all (a title above the headers) and ``last_chance`` is false."""
    by_name = {name: column for column in columns for name in column.names()}
    index = {}
    for position in sorted(cells):
        value = cells[position]
        if isinstance(value, _Problem):
            continue
        column = by_name.get(value.strip().lower())
        if column is None:
            continue
        if column.key in index:
            raise SheetError(
                _("The column %(column)s appears twice in the header.")
                % {"column": str(column.label)}
            )
        index[column.key] = position
    if not index and not last_chance:
        return None
    missing = [str(c.label) for c in columns if c.required and c.key not in index]
    if missing:
        raise SheetError(
            _("Missing columns: %(columns)s. Download the template to see the expected ones.")
            % {"columns": "、".join(missing)}
        )
    return index


def _read(upload, columns, *, header_only):
    package = _Package(upload)
    reader = _SheetReader(package)
    max_rows = settings.IMPORT_MAX_ROWS
    index = first = None
    before_header = 0
    result = []
    try:
        for number, cells in reader.rows(max_sheet_rows()):
            if index is None:
                # The headers: the first row naming a column (titles above it are skipped).
                before_header += 1
                first = first or cells
                index = _header(cells, columns, last_chance=before_header >= MAX_TITLE_ROWS)
                if index is None:
                    continue
                if header_only:
                    return index
                reader.wanted = set(index.values())
                continue
            values, problems = {}, {}
            for key, position in index.items():
                value = cells.get(position, "")
                if isinstance(value, _Problem):
                    problems[key], value = value.message, ""
                values[key] = value
            if not problems and not any(values.values()):
                continue
            if len(result) >= max_rows:
                raise SheetError(
                    _("Too many rows; at most %(limit)s can be imported at once.")
                    % {"limit": max_rows}
                )
            result.append(SheetRow(number, values, problems))
    except SheetError:
        raise
    except READ_ERRORS as exc:
        logger.info("unreadable sheet near row %s: %r", reader.number, exc)
        raise _damaged(reader.number) from None
    finally:
        package.close()
        upload.seek(0)
    if first is None:
        raise SheetError(_("The first sheet is empty."))
    if index is None:
        _header(first, columns, last_chance=True)  # raises: the columns are missing
    if not result:
        raise SheetError(_("The sheet has a header but no rows."))
    return result


def read_header(upload, columns):
    """Check that ``upload`` is a workbook within the limits whose first sheet has the
    required ``columns``; return ``{key: sheet column}``. Reads up to the header row only
    (quick enough for the request); raises ``SheetError``."""
    return _read(upload, columns, header_only=True)


def read_rows(upload, columns):
    """The rows with data of the first sheet of an xlsx, as ``SheetRow``s; raises
    ``SheetError`` for a file that cannot be read as a whole."""
    return _read(upload, columns, header_only=False)


def escape_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def time_cell(value):
    """A moment as the exports write it: local time, to the minute; "" for none."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def yes_no_cell(value):
    """A yes-or-no as the exports write it, in the reader's language."""
    return _("Yes") if value else _("No")


def export_rows(columns, records):
    """The rows of an export: for each record, its cell of each column (``Column.value``;
    ``ROW_NUMBER``: the row's number, from 1)."""
    getters = [column.value for column in columns]
    for number, record in enumerate(records, start=1):
        yield [number if get is ROW_NUMBER else get(record) for get in getters]


def xlsx_response(filename, columns, rows, *, title=None):
    """An xlsx download with a header row of ``columns`` labels and escaped cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title or _("Sheet1"))[:31])
    sheet.append([str(c.label) for c in columns])
    for row in rows:
        sheet.append([escape_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response
