"""Hand-made xlsx packages for the import tests: exactly the parts a test wants, with the
XML it wants (hostile or damaged), zipped with valid CRCs unless a test breaks them."""

import io
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = f'xmlns="{MAIN}"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_NAME = "xl/worksheets/sheet1.xml"


def cell(ref, value):
    """An inline-string cell, or a number cell for an int."""
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def row(number, *values):
    letters = "ABCDEFGHIJ"
    cells = "".join(cell(f"{letters[i]}{number}", v) for i, v in enumerate(values) if v != "")
    return f'<row r="{number}">{cells}</row>'


ROOM_HEADER = row(1, "楼宇", "楼层", "房间号")


def sheet(*rows, before="", after=""):
    return f"<worksheet {NS}>{before}<sheetData>{''.join(rows)}</sheetData>{after}</worksheet>"


def content_types(strings):
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/{SHEET_NAME}" ContentType="{ct}.worksheet+xml"/>'
        + (
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            if strings
            else ""
        )
        + "</Types>"
    )


def package(sheet_xml, strings=None, extra=(), compression=zipfile.ZIP_DEFLATED):
    """The bytes of an xlsx whose first sheet is ``sheet_xml``."""
    buffer = io.BytesIO()
    rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>' + (
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        if strings is not None
        else ""
    )
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types(strings is not None))
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {NS} xmlns:r="{REL}"><sheets>'
            f'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">{rels}</Relationships>'
        )
        archive.writestr(SHEET_NAME, sheet_xml)
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(data, name="data.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def workbook_bytes(rows):
    workbook = Workbook()
    worksheet = workbook.active
    for values in rows:
        worksheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx(rows, name="data.xlsx"):
    """An upload of a workbook written by openpyxl (shared strings, as Excel writes)."""
    return upload(workbook_bytes(rows), name)


def central_entry(data, member):
    """Offset of ``member``'s entry in the zip's central directory."""
    name = member.encode()
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == name:
            return offset
        offset = data.find(b"PK\x01\x02", offset + 4)
    raise LookupError(member)


def understate(data, member, size, *, crc=None):
    """``data`` with ``member``'s unpacked size (and optionally CRC) in the central
    directory replaced: a header that lies."""
    data = bytearray(data)
    offset = central_entry(bytes(data), member)
    struct.pack_into("<I", data, offset + 24, size)
    if crc is not None:
        struct.pack_into("<I", data, offset + 16, crc)
    return bytes(data)
