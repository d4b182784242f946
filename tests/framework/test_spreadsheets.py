"""Reading an uploaded xlsx (logistics/spreadsheets.py) against hostile and damaged files.

Whatever the bytes, ``read_rows`` returns rows or raises ``SheetError`` (a message for the
person uploading), quickly and in little memory: bombs are refused from the zip's
directory before anything is unpacked, the XML is streamed, a bad cell is reported on its
row. The fuzz test feeds it many mutated and truncated workbooks from a fixed seed.
"""

import io
import random
import time
import tracemalloc
import zipfile
import zlib

import pytest
from django.utils import translation

from logistics.common.spreadsheets import SheetError, SheetRow, read_header, read_rows
from logistics.services.imports import PEOPLE_COLUMNS, ROOM_COLUMNS
from tests.xlsx_files import (
    NS,
    ROOM_HEADER,
    SHEET_NAME,
    package,
    row,
    sheet,
    understate,
    upload,
    workbook_bytes,
)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def refused(data, columns=ROOM_COLUMNS, *, seconds=1.0):
    """The message ``read_rows`` refuses ``data`` with, checking it took under ``seconds``."""
    started = time.perf_counter()
    with pytest.raises(SheetError) as caught:
        read_rows(upload(data), columns)
    assert time.perf_counter() - started < seconds
    return str(caught.value)


BLANK_ROWS_50MB = sheet(ROOM_HEADER, "<row/>" * (50 * 1024 * 1024 // 6))


class TestZipDirectory:
    def test_fifty_megabytes_of_blank_rows_are_refused_unread(self):
        data = package(BLANK_ROWS_50MB)
        assert len(data) < 100_000  # far under the 5 MB upload limit
        tracemalloc.start()
        try:
            message = refused(data, seconds=0.5)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert "解压" in message and "20.0" in message
        assert peak < 5 * 1024 * 1024

    def test_huge_shared_strings_are_refused_unread(self):
        strings = f"<sst {NS}>" + "<si><t>a</t></si>" * (2 * 1024 * 1024) + "</sst>"
        message = refused(package(sheet(ROOM_HEADER), strings=strings))
        assert "解压" in message

    def test_a_part_packed_too_densely_is_refused(self):
        # 1.2 MB of blank rows: within the part limit, but it packs ~1000 to 1.
        message = refused(package(sheet(ROOM_HEADER, "<row/>" * 200_000)))
        assert "倍" in message

    def test_the_total_unpacked_size_is_bounded(self, settings):
        settings.IMPORT_MAX_UNPACKED_BYTES = 50_000
        filler = [(f"xl/media/{n}.bin", random.Random(n).randbytes(20_000)) for n in range(3)]
        message = refused(package(sheet(ROOM_HEADER), extra=filler))
        assert "解压" in message

    def test_the_number_of_parts_is_bounded(self):
        extra = [(f"customXml/item{n}.xml", "<a/>") for n in range(200)]
        message = refused(package(sheet(ROOM_HEADER), extra=extra))
        assert "200" in message

    def test_a_member_whose_directory_understates_it_is_cut_short(self):
        """zipfile inflates at most the declared size, then checks the CRC: the directory's
        sizes bound what is unpacked, whatever the member really holds."""
        xml = sheet(ROOM_HEADER, row(2, "求真楼", 1, "101"))
        body = xml + " " * (10 * 1024 * 1024)
        declared = len(xml) // 2
        data = understate(package(body), SHEET_NAME, declared)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.getinfo(SHEET_NAME).file_size == declared
            with archive.open(SHEET_NAME) as member, pytest.raises(zipfile.BadZipFile):
                member.read()  # the declared bytes come out, then "Bad CRC-32"
        assert "损坏" in refused(data)

        # Even with a CRC forged to match, no more than the declared bytes come out.
        first = body.encode()[:declared]
        data = understate(package(body), SHEET_NAME, declared, crc=zlib.crc32(first))
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.read(SHEET_NAME) == first
        assert "损坏" in refused(data)

    def test_encrypted_members_and_old_or_protected_files(self):
        data = bytearray(package(sheet(ROOM_HEADER)))
        # Set the "encrypted" flag on every central directory entry.
        offset = data.find(b"PK\x01\x02")
        while offset != -1:
            data[offset + 8] |= 0x01
            offset = data.find(b"PK\x01\x02", offset + 4)
        assert "密码" in refused(bytes(data))
        assert ".xls" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)

    def test_only_stored_or_deflated_members(self):
        data = package(
            sheet(ROOM_HEADER, row(2, "求真楼", 1, "101")), compression=zipfile.ZIP_BZIP2
        )
        assert "不是 Excel" in refused(data)

    def test_a_workbook_without_a_worksheet(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        assert "不是 Excel" in refused(buffer.getvalue())


class TestSheet:
    def test_rows_as_excel_writes_them(self):
        data = workbook_bytes(
            [
                ["楼宇", "楼层", "房间号", "名称", "类型", "容纳人数", "备注"],
                ["求真楼", 1, "101", "高一(1)班", "教室", 50, "不读"],
                [None] * 7,
                ["求真楼", 2.0, 201, "  物理实验室  ", "lab", None, ""],
            ]
        )
        rows = read_rows(upload(data), ROOM_COLUMNS)
        assert rows == [
            SheetRow(
                2,
                {
                    "building": "求真楼",
                    "floor": "1",
                    "number": "101",
                    "name": "高一(1)班",
                    "kind": "教室",
                    "capacity": "50",
                },
            ),
            SheetRow(
                4,
                {
                    "building": "求真楼",
                    "floor": "2",
                    "number": "201",
                    "name": "物理实验室",
                    "kind": "lab",
                    "capacity": "",
                },
            ),
        ]

    def test_the_header_is_the_first_row_with_anything_in_it(self):
        data = package(
            sheet(
                row(2, "2026 春 房间表"),
                row(4, "楼宇", "楼层", "房间号"),
                row(5, "求真楼", 1, "101"),
            )
        )
        [only] = read_rows(upload(data), ROOM_COLUMNS)
        assert only.number == 5 and only.values["number"] == "101"

    def test_a_sheet_claiming_to_be_16384_columns_wide_costs_nothing(self):
        before = '<dimension ref="A1:XFD1048576"/>'
        body = sheet(
            ROOM_HEADER,
            '<row r="2"><c r="A2" t="inlineStr"><is><t>楼</t></is></c><c r="B2"><v>1</v></c>'
            '<c r="C2"><v>101</v></c><c r="XFD2"><v>7</v></c></row>',
            before=before,
        )
        started = time.perf_counter()
        rows = read_rows(upload(package(body)), ROOM_COLUMNS)
        assert time.perf_counter() - started < 0.2
        assert rows[0].values == {"building": "楼", "floor": "1", "number": "101"}

    def test_too_many_rows_counting_blank_ones(self, settings):
        settings.IMPORT_MAX_ROWS = 10  # at most 4 x 10 + 100 row elements
        blank = "".join(f'<row r="{n}" spans="1:3"/>' for n in range(2, 1000))
        message = refused(package(sheet(ROOM_HEADER, blank)))
        assert "空行" in message and "140" in message

    def test_too_many_rows_with_data_stops_at_the_limit(self, settings):
        settings.IMPORT_MAX_ROWS = 3
        rows = [row(n, "求真楼", 1, str(n)) for n in range(2, 7)]
        assert "3" in refused(package(sheet(ROOM_HEADER, *rows)))

    def test_empty_sheets_and_missing_columns(self):
        assert "为空" in refused(package(sheet()))
        assert "为空" in refused(package(sheet(row(1, ""), '<row r="2"><c r="A2"/></row>')))
        assert "没有数据行" in refused(package(sheet(ROOM_HEADER)))
        assert "楼层" in refused(package(sheet(row(1, "楼宇"), row(2, "求真楼"))))
        # Rows naming no column: titles, up to five; then the first row was the header.
        assert "楼层" in refused(package(sheet(row(1, "房间表"), row(2, "x", 1, "y"))))
        titles = [row(n, f"标题{n}") for n in range(1, 6)]
        assert "楼宇" in refused(package(sheet(*titles, ROOM_HEADER, row(7, "a", 1, "1"))))

    def test_a_column_twice_in_the_header(self):
        data = package(sheet(row(1, "楼宇", "楼层", "房间号", "Building"), row(2, "a", 1, "1")))
        assert "两次" in refused(data)

    def test_a_truncated_sheet_with_a_dimension(self):
        body = sheet(ROOM_HEADER, row(2, "求真楼", 1, "101"), before='<dimension ref="A1:C9"/>')
        data = package(body[: body.index('<c r="B2"') + 12])
        assert "第 2 行" in refused(data)

    def test_rows_out_of_order(self):
        data = package(sheet(ROOM_HEADER, row(3, "a", 1, "1"), row(2, "b", 1, "2")))
        assert "损坏" in refused(data)

    def test_a_cell_reference_that_is_not_one(self):
        data = package(sheet(ROOM_HEADER, '<row r="2"><c r="2A"><v>1</v></c></row>'))
        assert "第 2 行" in refused(data)

    def test_dtd_and_entities_are_refused(self):
        laughs = (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            f"<worksheet {NS}><sheetData>&lol2;</sheetData></worksheet>"
        )
        assert "损坏" in refused(package(laughs))

    def test_deep_nesting_is_refused(self):
        noise = "".join(f"<n{random.Random(1).randrange(10**6)}>" for _ in range(5000))
        assert "损坏" in refused(package(sheet(ROOM_HEADER, noise)))

    def test_unreadable_cells_are_reported_on_their_rows(self):
        strings = f"<sst {NS}><si><t>求真楼</t></si></sst>"
        body = sheet(
            ROOM_HEADER,
            '<row r="2"><c r="A2" t="d"><v>not a date</v></c><c r="B2" t="n"><v>3楼</v></c>'
            '<c r="C2"><f>A2&amp;"x"</f><v>101x</v></c></row>',
            '<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="s"><v>99</v></c>'
            '<c r="C3"><f>1+1</f></c></row>',
            '<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="b"><v>2</v></c>'
            '<c r="C4" t="zz"><v>1</v></c></row>',
            '<row r="5"><c r="A5" t="d"><v>2026-03-01</v></c><c r="B5" t="n"><v>1e999</v></c>'
            '<c r="C5" t="str"><v>=1+1</v></c></row>',
        )
        rows = {
            r.number: r for r in read_rows(upload(package(body, strings=strings)), ROOM_COLUMNS)
        }
        assert set(rows[2].problems) == {"building", "floor", "number"}
        assert "A2" in rows[2].problems["building"] and "not a date" in rows[2].problems["building"]
        assert "3楼" in rows[2].problems["floor"]
        assert "#N/A" in rows[3].problems["building"]
        assert "B3" in rows[3].problems["floor"] and "C3" in rows[3].problems["number"]
        assert rows[4].values["building"] == "求真楼"
        assert set(rows[4].problems) == {"floor", "number"}
        assert rows[5].values["building"] == "2026-03-01" and rows[5].values["number"] == "=1+1"
        assert set(rows[5].problems) == {"floor"}
        assert all(row.values[key] == "" for row in rows.values() for key in row.problems)

    def test_rich_text_without_its_phonetic_guide(self):
        strings = (
            f"<sst {NS}><si><r><t>李</t></r><r><t>建国</t></r><rPh><t>lǐ</t></rPh></si>"
            "<si><t>t001</t></si><si><t>用户名</t></si><si><t>姓名</t></si><si><t>角色</t></si>"
            "<si><t>教职工</t></si></sst>"
        )
        body = sheet(
            '<row r="1"><c r="A1" t="s"><v>2</v></c><c r="B1" t="s"><v>3</v></c>'
            '<c r="C1" t="s"><v>4</v></c></row>',
            '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c>'
            '<c r="C2" t="s"><v>5</v></c></row>',
        )
        [only] = read_rows(upload(package(body, strings=strings)), PEOPLE_COLUMNS)
        assert only.values["name"] == "李建国"

    def test_read_header_reads_the_header_only(self):
        # The header is readable; what follows it is broken, and read_header never gets there.
        body = sheet(ROOM_HEADER, row(2, "求真楼", 1, "101"))
        data = package(body[: body.index('<row r="2"') + 20])
        assert read_header(upload(data), ROOM_COLUMNS) == {"building": 1, "floor": 2, "number": 3}
        assert "第 2 行" in refused(data)

    def test_a_real_size_sheet_reads_fast(self):
        rows = [["楼宇", "楼层", "房间号", "名称", "类型", "容纳人数"]]
        rows += [["求真楼", 1 + n % 5, f"T{n:04d}", f"导入{n}", "office", 30] for n in range(5000)]
        data = upload(workbook_bytes(rows))
        started = time.perf_counter()
        assert len(read_rows(data, ROOM_COLUMNS)) == 5000
        assert time.perf_counter() - started < 5


# --- Fuzzing ---------------------------------------------------------------------------------

FRAGMENTS = [
    "<row>",
    "</row>",
    '<row r="0">',
    '<row r="99999999">',
    '<row r="2">',
    "<c>",
    "</c>",
    '<c r="A2" t="s">',
    '<c r="ZZZZ2">',
    '<c r="B2" t="n">',
    '<c t="d">',
    '<c t="e">',
    '<c t="b">',
    '<c t="inlineStr">',
    "<v>",
    "</v>",
    "<v>abc</v>",
    "<v>-1</v>",
    "<v>1e999</v>",
    "<v>99999999999999999999</v>",
    "<f>SUM(A1)</f>",
    "<is><t>x</t></is>",
    "<t>",
    "</t>",
    "<si>",
    "</si>",
    "<rPh>",
    "</sheetData>",
    "<sheetData>",
    '<dimension ref="A1:XFD1048576"/>',
    "&amp;",
    "&lol;",
    "<!DOCTYPE x>",
    "<![CDATA[ x ]]>",
    "<?pi x?>",
    "\x00",
    "\udcff",
    "楼" * 40000,
    "<a>" * 80,
    "\u00e9",
]


def _mutate_text(rng, text):
    text = list(text)
    for _ in range(rng.randint(1, 4)):
        operation = rng.randrange(4)
        position = rng.randrange(len(text) + 1)
        if operation == 0 and text:  # delete a slice
            del text[position : position + rng.randint(1, 40)]
        elif operation == 1:  # insert a fragment
            text[position:position] = list(rng.choice(FRAGMENTS))
        elif operation == 2 and text:  # duplicate a slice
            piece = text[position : position + rng.randint(1, 200)]
            text[position:position] = piece * rng.randint(1, 3)
        else:  # truncate
            del text[position:]
    return "".join(text)


def _base_workbooks():
    people = workbook_bytes(
        [
            ["用户名", "姓名", "手机", "邮箱", "部门", "角色", "工种"],
            ["t001", "李建国", 13800000002, "li@example.cn", "总务处", "维修工", "水工、电工"],
            ["t002", "王晓梅", None, None, None, "教职工", None],
        ]
    )
    rooms = workbook_bytes(
        [
            ["楼宇", "楼层", "房间号", "名称"],
            ["求真楼", 1, "101", "高一(1)班"],
            ["求真楼", 2, 201, "=A1"],
        ]
    )
    return [(people, PEOPLE_COLUMNS), (rooms, ROOM_COLUMNS)]


def _rezip(data, mutate):
    """``data`` with each member's text passed through ``mutate`` (valid CRCs)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            archive.writestr(info.filename, mutate(info.filename, content))
    return buffer.getvalue()


def _cases(seed=20261203, count=1500):
    rng = random.Random(seed)
    bases = _base_workbooks()
    for number in range(count):
        data, columns = rng.choice(bases)
        kind = rng.randrange(5)
        if kind == 0:  # flip bytes anywhere
            data = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = bytes(data)
        elif kind == 1:  # truncate the file
            data = data[: rng.randrange(len(data))]
        elif kind in (2, 3):  # mutate the XML of the sheet, its strings or the workbook parts
            targets = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"}
            if kind == 3:
                targets = {
                    rng.choice(
                        [
                            "xl/workbook.xml",
                            "xl/_rels/workbook.xml.rels",
                            "_rels/.rels",
                            "xl/worksheets/sheet1.xml",
                        ]
                    )
                }

            def mutate(name, content, targets=targets):
                if name not in targets:
                    return content
                text = content.decode("utf-8", "surrogateescape")
                return _mutate_text(rng, text).encode("utf-8", "surrogateescape")

            data = _rezip(data, mutate)
        else:  # drop a part
            buffer = io.BytesIO()
            with zipfile.ZipFile(io.BytesIO(data)) as source:
                victim = rng.choice(source.namelist())
                with zipfile.ZipFile(buffer, "w") as archive:
                    for info in source.infolist():
                        if info.filename != victim:
                            archive.writestr(info, source.read(info.filename))
            data = buffer.getvalue()
        yield number, data, columns


def test_fuzzed_workbooks_only_ever_raise_sheet_error():
    outcomes = {"rows": 0, "refused": 0}
    started = time.perf_counter()
    for number, data, columns in _cases():
        try:
            rows = read_rows(upload(data), columns)
        except SheetError as exc:
            assert str(exc), f"case {number}: an empty message"
            outcomes["refused"] += 1
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"case {number} raised {exc!r}, not SheetError")
        else:
            assert rows and all(isinstance(r, SheetRow) for r in rows), f"case {number}"
            outcomes["rows"] += 1
    # The mutations reach both outcomes (a fuzzer that only made garbage would prove little).
    assert outcomes["rows"] > 20 and outcomes["refused"] > 100, outcomes
    assert time.perf_counter() - started < 60
