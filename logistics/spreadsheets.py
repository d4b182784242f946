"""Reading and writing xlsx files safely.

Reading: size and row limits, malformed files turned into a clear error, headers
matched in either language. Writing: cells starting with = + - @ are escaped so a
spreadsheet program never runs them as formulae. openpyxl parses with defusedxml when it
is installed (it is a dependency), so XML bombs are refused.
"""

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SheetError(Exception):
    """The file as a whole cannot be read; the message is for the person uploading."""


@dataclass(frozen=True)
class Column:
    """A column of an import or export: its key and the headers it is known by."""

    key: str
    label: object  # lazy translation: the header written in templates and exports
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self):
        from django.utils import translation

        names = {self.key.lower(), *(a.lower() for a in self.aliases)}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(str(self.label).strip().lower())
        return names


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload, columns):
    """Return [(row_number, {key: text})] from the first sheet of an uploaded xlsx."""
    if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise SheetError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES),
            }
        )
    data = upload.read()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        raise SheetError(
            _("This is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from None
    except Exception:  # defusedxml refusing a hostile file, or any other parse failure
        raise SheetError(_("The workbook could not be read; it may be damaged.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SheetError(_("The first sheet is empty."))
        index = {}
        by_name = {name: column for column in columns for name in column.names()}
        for position, cell in enumerate(header):
            column = by_name.get(_cell_text(cell).lower())
            if column is not None:
                index[column.key] = position
        missing = [str(c.label) for c in columns if c.required and c.key not in index]
        if missing:
            raise SheetError(
                _("Missing columns: %(columns)s. Download the template to see the expected ones.")
                % {"columns": "、".join(missing)}
            )
        result = []
        for number, values in enumerate(rows, start=2):
            record = {
                key: _cell_text(values[pos]) if pos < len(values) else ""
                for key, pos in index.items()
            }
            if not any(record.values()):
                continue
            if len(result) >= settings.IMPORT_MAX_ROWS:
                raise SheetError(
                    _("Too many rows; at most %(limit)s can be imported at once.")
                    % {"limit": settings.IMPORT_MAX_ROWS}
                )
            result.append((number, record))
    finally:
        workbook.close()
    if not result:
        raise SheetError(_("The sheet has a header but no rows."))
    return result


def escape_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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
