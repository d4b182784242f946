"""QR stickers for repair filing (PDF), and the safe PDF renderer under them.

A sheet is a printed document: the page asks for it (POST), the document task makes it
(eagerly here, when the request's transaction commits) and the document's page offers
the download; ``made_sheet`` walks that flow. The background flow itself (joining,
fingerprints, retries, permissions) is in tests/repairs/test_sticker_documents.py."""

import contextlib
import re
import shutil
import signal
import socket
import subprocess
import threading
import urllib.parse
import zlib

import pytest
import segno
from django.urls import reverse

from logistics.choices import Role
from logistics.documents import pdf as pdfmod
from logistics.documents.models import Document, DocumentStatus
from logistics.documents.pdf import PDFError, PDFTimeout, StaticURLFetcher, URLRefused, render_pdf
from logistics.repairs.services import stickers
from tests import factories

URL = "/repairs/stickers/"

needs_poppler = pytest.mark.skipif(
    not all(
        shutil.which(tool)
        for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm", "pdfdetach", "pdfimages")
    ),
    reason="poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm…) are not installed",
)


# --- helpers --------------------------------------------------------------------------------


def poppler(tool, pdf_bytes, tmp_path, *args):
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf_bytes)
    result = subprocess.run(
        [tool, *args, str(path), *([] if tool != "pdftotext" else ["-"])],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()


def pdf_text(pdf_bytes, tmp_path):
    return poppler("pdftotext", pdf_bytes, tmp_path)


def pdf_pages(pdf_bytes, tmp_path):
    info = poppler("pdfinfo", pdf_bytes, tmp_path)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def decoded_streams(pdf_bytes):
    """Every stream of a PDF, inflated when it is Flate-compressed (for searching)."""
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf_bytes, re.S):
        data = match.group(1)
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        out.append(data)
    return b"\n".join(out)


def svg_dark_modules(data_uri):
    """The dark modules of a segno SVG data URI, read back from its path."""
    svg = urllib.parse.unquote(data_uri.split(",", 1)[1])
    size = int(re.search(r"viewBox=.0 0 (\d+) (\d+)", svg).group(1))
    path = re.search(r"stroke=.#000. d=.([^'\"]+)", svg).group(1)
    dark, x, y = set(), 0.0, 0.0
    for op, a, b in re.findall(r"([Mmhv])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        a = float(a)
        if op == "M":
            x, y = a, float(b)
        elif op == "m":
            x, y = x + a, y + float(b)
        elif op == "h":
            dark.update((int(y), int(x) + i) for i in range(int(a)))
            x += a
    return size, dark


def matrix_modules(code, border=4):
    return {
        (row + border, col + border)
        for row, line in enumerate(code.matrix)
        for col, value in enumerate(line)
        if value
    }


def ask_for_sheet(client, capture, building, floor=None, **extra):
    """Post the sticker form; the document task runs when the request commits."""
    data = {"building": building.pk}
    if floor is not None:
        data["floor"] = str(floor)
    with capture(execute=True):
        return client.post(URL, data, **extra)


def document_of(response):
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/summary/documents/(\d+)/", response.url)
    assert match, response.url
    return Document.objects.get(pk=match[1])


def made_sheet(client, capture, building, floor=None, **extra):
    """Ask for the sheet, check it was made, and download it (the response)."""
    document = document_of(ask_for_sheet(client, capture, building, floor, **extra))
    assert document.status == DocumentStatus.DONE, document.error
    return client.get(reverse("summary_download", args=[document.pk]))


def make_building(school, rooms, **kwargs):
    building = factories.BuildingFactory(school=school, **kwargs)
    made = [
        factories.RoomFactory(building=building, floor=floor, number=number, name=name)
        for floor, number, name in rooms
    ]
    return building, made


# --- the page and the PDF -----------------------------------------------------------------


@needs_poppler
@pytest.mark.django_db
def test_general_affairs_downloads_a_buildings_stickers(
    ga_client, school, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://houqin.example.cn/"
    rooms = [(1 + i // 5, f"{101 + i + (i // 5) * 95}", "") for i in range(13)]
    rooms[0] = (1, "101", "化学实验室")
    building, made = make_building(school, rooms, name="求真楼")
    retired = factories.RoomFactory(building=building, floor=2, number="299", is_active=False)
    elsewhere = factories.RoomFactory(building__school=school, floor=1, number="777")

    response = made_sheet(ga_client, django_capture_on_commit_callbacks, building)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="qr-stickers-building-{building.pk}.pdf"' in disposition
    assert "filename*=UTF-8''" in disposition
    unicode_name = urllib.parse.unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert school.name in unicode_name and "求真楼" in unicode_name
    assert unicode_name.endswith(".pdf")
    content = response.content
    assert content.startswith(b"%PDF-")

    text = pdf_text(content, tmp_path)
    for room in made:
        assert f"求真楼 {room.number}" in text
        assert f"https://houqin.example.cn/r/{room.pk}/" in text
    assert "化学实验室" in text
    assert "求真楼 299" not in text and f"/r/{retired.pk}/" not in text
    assert " 777" not in text and f"/r/{elsewhere.pk}/" not in text
    # One sticker (one QR code, one printed link) per room in use, twelve to a page.
    assert len(re.findall(r"https://houqin\.example\.cn/r/\d+/", text)) == len(made)
    assert pdf_pages(content, tmp_path) == 2
    # The Chinese is drawn in an embedded CJK font, not in boxes.
    fonts = poppler("pdffonts", content, tmp_path)
    assert re.search(r"(Noto-?Sans-?CJK|Noto-?Serif-?CJK|WenQuanYi)\S*.*\byes\b", fonts), fonts


@needs_poppler
@pytest.mark.django_db
def test_one_floor(ga_client, school, tmp_path, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    building, made = make_building(school, [(1, "101", ""), (2, "201", ""), (-1, "B01", "")])
    response = made_sheet(ga_client, capture, building, floor=2)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert f'filename="qr-stickers-building-{building.pk}-floor-2.pdf"' in disposition
    assert urllib.parse.quote("-2F-") in disposition
    text = pdf_text(response.content, tmp_path)
    assert f"/r/{made[1].pk}/" in text
    assert f"/r/{made[0].pk}/" not in text and f"/r/{made[2].pk}/" not in text
    basement = made_sheet(ga_client, capture, building, floor=-1)
    assert f"/r/{made[2].pk}/" in pdf_text(basement.content, tmp_path)


@needs_poppler
@pytest.mark.django_db
def test_the_printed_qr_code_is_the_rooms_link(
    ga_client, school, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Rasterise the sheet and read the code's modules back: they are segno's code of the
    room's exact link (no QR decoder is installed, so the matrix is compared)."""
    from PIL import Image

    settings.SITE_URL = "https://houqin.example.cn"
    building, (room,) = make_building(school, [(3, "301", "")])
    response = made_sheet(ga_client, django_capture_on_commit_callbacks, building)
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(path), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    image = Image.open(tmp_path / "p.png").convert("L")
    width, height = image.size
    pixels = image.load()
    # The first sticker's cell, inside its cut lines: the QR code is the tallest dark band.
    left, right = int(width * 0.06), int(width * 0.33)

    def dark(x, y):
        return pixels[x, y] < 128

    rows = [y for y in range(height) if any(dark(x, y) for x in range(left, right, 2))]
    bands, start = [], rows[0]
    for previous, current in zip(rows, rows[1:] + [None], strict=True):
        if current is None or current - previous > 8:
            bands.append((start, previous))
            start = current
    top, bottom = max(bands, key=lambda band: band[1] - band[0])
    columns = [x for x in range(left, right) if any(dark(x, y) for y in range(top, bottom, 2))]
    x0, x1 = columns[0], columns[-1]

    expected = segno.make_qr(f"https://houqin.example.cn/r/{room.pk}/", error="m")
    size = len(expected.matrix)
    module = (bottom - top + 1) / size
    assert abs((x1 - x0 + 1) / size - module) < 0.5, "the code is not square"
    seen = [
        [dark(int(x0 + (c + 0.5) * module), int(top + (r + 0.5) * module)) for c in range(size)]
        for r in range(size)
    ]
    assert seen == [[bool(v) for v in line] for line in expected.matrix]


@pytest.mark.django_db
def test_the_page_lists_the_schools_buildings_in_use(ga_client, school, other_school):
    building, _ = make_building(school, [(1, "101", ""), (1, "102", "")], name="求真楼")
    factories.RoomFactory(building=building, number="103", is_active=False)
    make_building(school, [(1, "101", "")], name="旧楼", is_active=False)
    make_building(other_school, [(1, "101", "")], name="别校楼")
    response = ga_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "求真楼（2 个房间）" in html  # active rooms only, in the choice label
    assert "旧楼" not in html and "别校楼" not in html
    assert f'name="building" value="{building.pk}"' in html  # its own button
    assert 'name="floor"' in html
    assert " style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_a_building_without_rooms_in_use_gives_a_clear_message(ga_client, school):
    building, _ = make_building(school, [])
    factories.RoomFactory(building=building, number="101", is_active=False)
    response = ga_client.post(URL, {"building": building.pk})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    errors = response.context["form"].non_field_errors()
    assert errors and building.name in errors[0]
    assert building.name in response.content.decode()
    # One floor without rooms says so too.
    building2, _ = make_building(school, [(1, "101", "")])
    response = ga_client.post(URL, {"building": building2.pk, "floor": "5"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"building": "abc"}, "building"),
        ({"building": ""}, "building"),
        ({"building": "{pk}", "floor": "x"}, "floor"),
        ({"building": "{pk}", "floor": "0"}, "floor"),
        ({"building": "{pk}", "floor": "9999"}, "floor"),
        ({"building": "{inactive}"}, "building"),
    ],
)
def test_bad_choices_are_form_errors(ga_client, school, params, field):
    building, _ = make_building(school, [(1, "101", "")])
    inactive, _ = make_building(school, [(1, "101", "")], is_active=False)
    query = {k: v.format(pk=building.pk, inactive=inactive.pk) for k, v in params.items()}
    response = ga_client.post(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert field in response.context["form"].errors
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_another_schools_building_is_not_found(ga_client, other_school):
    foreign, _ = make_building(other_school, [(1, "101", "")])
    assert ga_client.post(URL, {"building": foreign.pk}).status_code == 404
    assert ga_client.post(URL, {"building": foreign.pk, "floor": "1"}).status_code == 404
    assert ga_client.post(URL, {"building": "999999999"}).status_code == 404
    assert ga_client.post(URL, {"building": "9" * 30}).status_code == 404
    assert not Document.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.STAFF,
        Role.TECHNICIAN,
        Role.PRINCIPAL,
        Role.DISTRICT_VIEWER,
        Role.SAFETY_OFFICER,
        Role.CANTEEN_MANAGER,
        Role.DORM_MANAGER,
    ],
)
def test_other_roles_are_refused(client, make_user, school, role):
    building, _ = make_building(school, [(1, "101", "")])
    client.force_login(make_user(role, school))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"building": building.pk}).status_code == 403
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_anonymous_goes_to_sign_in(client, school):
    building, _ = make_building(school, [(1, "101", "")])
    for response in (client.get(URL), client.post(URL, {"building": building.pk})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_general_affairs_without_a_school_is_refused(client):
    from django.contrib.auth.models import Group

    user = factories.UserFactory(school=None)
    user.groups.add(Group.objects.get(name=str(Role.GENERAL_AFFAIRS)))
    client.force_login(user)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_a_render_that_runs_out_of_time_is_a_clear_error(
    ga_client, school, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_RENDER_TIMEOUT = 0.001
    building, _ = make_building(school, [(1, "101", "")])
    document = document_of(ask_for_sheet(ga_client, django_capture_on_commit_callbacks, building))
    assert document.status == DocumentStatus.FAILED
    page = ga_client.get(reverse("summary_document", args=[document.pk]))
    html = page.content.decode()
    assert "0.001" in document.error and document.error in html
    assert 'data-testid="retry"' in html and 'data-testid="download"' not in html


# --- the sticker data -------------------------------------------------------------------------


@pytest.mark.django_db
def test_stickers_encode_the_exact_room_link(school, settings):
    settings.SITE_URL = "https://houqin.example.cn/"
    building, made = make_building(
        school, [(2, "210", ""), (1, "9", "门卫室"), (1, "10", ""), (2, "201A", ""), (2, "201", "")]
    )
    result = stickers.building_stickers(building)
    assert [s.number for s in result] == ["9", "10", "201", "201A", "210"]
    by_number = {room.number: room for room in made}
    for sticker in result:
        room = by_number[sticker.number]
        expected_url = f"https://houqin.example.cn{reverse('ticket_room_link', args=[room.pk])}"
        assert expected_url == f"https://houqin.example.cn/r/{room.pk}/"
        assert sticker.url == expected_url == stickers.room_link(room)
        assert sticker.qr.startswith("data:image/svg+xml")
        # The SVG's modules are exactly the QR code (not a Micro QR) of that URL.
        code = segno.make_qr(expected_url, error="m")
        assert not code.is_micro
        size, dark = svg_dark_modules(sticker.qr)
        assert size == len(code.matrix) + 8
        assert dark == matrix_modules(code)
    assert result[0].name == "门卫室"
    assert [s.number for s in stickers.building_stickers(building, floor=1)] == ["9", "10"]


def test_sticker_pages_are_twelve_stickers_in_rows_of_three():
    items = list(range(14))
    pages = stickers.sticker_pages(items)
    assert len(pages) == 2
    assert pages[0] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
    assert pages[1] == [[12, 13, None]]
    assert stickers.sticker_pages([]) == []


def test_pdf_response_names_the_file_safely():
    response = pdfmod.pdf_response(b"%PDF-1.7", 'a"b\r\nX-Evil: 1/..\\求真楼: 3F.pdf')
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert response["Content-Type"] == "application/pdf"
    ascii_part, unicode_part = disposition.split("; filename*=UTF-8''")
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.pdf"', ascii_part)
    name = urllib.parse.unquote(unicode_part)
    assert name.endswith("求真楼_ 3F.pdf")
    assert not set('"/\\:\r\n') & set(name)
    named = pdfmod.pdf_response(b"", "求真楼.pdf", ascii_filename="stickers-1.pdf")
    assert named["Content-Disposition"] == (
        "attachment; filename=\"stickers-1.pdf\"; filename*=UTF-8''%E6%B1%82%E7%9C%9F%E6%A5%BC.pdf"
    )


# --- the safe renderer ----------------------------------------------------------------------


@pytest.fixture
def pdf_templates(tmp_path, settings):
    """Write test templates into a folder of their own and put it first."""
    folder = tmp_path / "pdf_templates"
    folder.mkdir()
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [folder, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    def write(body, name="t.html"):
        (folder / name).write_text(
            "{% load static %}<!doctype html><html lang=zh-Hans><head><meta charset=utf-8>"
            f"</head><body><p>后勤 test</p>{body}</body></html>",
            encoding="utf-8",
        )
        return name

    return write


@pytest.fixture
def listener():
    """A TCP port on 127.0.0.1 that records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]

    def connected():
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    yield port, connected
    server.close()


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a rel="attachment" href="file:///etc/passwd">x</a>',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    "<style>@import url(file:///etc/passwd);</style>",
    "<style>@font-face { font-family: x; src: url(file:///etc/passwd); } p { font-family: x }"
    "</style>",
    '<object data="file:///etc/passwd"></object>',
    '<embed src="file:///etc/passwd">',
    '<img src="http://127.0.0.1:{port}/x.png">',
    '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
    '<link rel="attachment" href="https://127.0.0.1:{port}/secret">',
    '<img src="ftp://127.0.0.1:{port}/x.png">',
    '<img src="/static/../config/settings.py">',
    '<img src="/static/%2e%2e/config/settings.py">',
    '<link rel="attachment" href="/media/x.jpg">',
    '<base href="file:///etc/"><img src="passwd">',
]


@pytest.mark.django_db
@pytest.mark.parametrize("body", HOSTILE)
def test_a_strict_render_refuses_every_address_but_ours(pdf_templates, listener, body):
    port, connected = listener
    name = pdf_templates(body.replace("{port}", str(port)))
    with pytest.raises(PDFError) as refused:
        render_pdf(name, {})
    assert isinstance(refused.value.__cause__, URLRefused)
    assert not connected()


@needs_poppler
@pytest.mark.django_db
@pytest.mark.parametrize("body", HOSTILE)
def test_a_lenient_render_leaves_refused_addresses_out(pdf_templates, listener, tmp_path, body):
    port, connected = listener
    name = pdf_templates(body.replace("{port}", str(port)))
    pdf = render_pdf(name, {}, strict=False)
    assert pdf.startswith(b"%PDF-")
    assert b"root:x:0:0" not in pdf and b"root:x:0:0" not in decoded_streams(pdf)
    assert b"SECRET_KEY" not in decoded_streams(pdf)
    assert poppler("pdfdetach", pdf, tmp_path, "-list").startswith("0 embedded files")
    assert not connected()


@needs_poppler
def test_the_check_would_see_an_embedded_file(tmp_path):
    """Control: WeasyPrint's own fetcher does embed the file, and the checks above see it."""
    from weasyprint import HTML

    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    html = f'<p>x</p><link rel="attachment" href="{secret.as_uri()}">'
    pdf = HTML(string=html).write_pdf()
    assert b"root:x:0:0" in decoded_streams(pdf)
    assert poppler("pdfdetach", pdf, tmp_path, "-list").startswith("1 embedded files")


SVG_WITH_IMAGE = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='20' height='20'>"
    "<image href='{href}' width='20' height='20'/></svg>"
)


def svg_bodies(href):
    svg = SVG_WITH_IMAGE.format(href=href)
    return {
        "inline": svg,
        "data-uri": f'<img src="data:image/svg+xml,{urllib.parse.quote(svg)}">',
    }


@needs_poppler
@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["inline", "data-uri"])
def test_an_address_inside_an_svg_image_is_refused_too(pdf_templates, tmp_path, kind):
    """WeasyPrint swallows errors while drawing SVG: strict still fails, lenient still
    leaves the picture out (the control shows WeasyPrint's own fetcher would embed it)."""
    from PIL import Image
    from weasyprint import HTML

    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), (12, 34, 56)).save(secret)
    body = svg_bodies(secret.as_uri())[kind]

    def images(pdf):
        return poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]

    assert len(images(HTML(string=f"<p>x</p>{body}").write_pdf())) == 1
    name = pdf_templates(body)
    with pytest.raises(PDFError) as refused:
        render_pdf(name, {})
    assert isinstance(refused.value.__cause__, URLRefused)
    assert images(render_pdf(name, {}, strict=False)) == []


@pytest.mark.django_db
def test_our_static_files_and_data_uris_are_allowed(pdf_templates, settings):
    settings.SITE_URL = "https://houqin.example.cn"
    svg = segno.make_qr("x").svg_data_uri()
    name = pdf_templates(
        '<link rel="stylesheet" href="{% static \'css/houqin.css\' %}">'
        f'<img src="{svg}"><img src="{{% static \'img/favicon.svg\' %}}">'
    )
    assert render_pdf(name, {}).startswith(b"%PDF-")


@pytest.mark.django_db
def test_context_is_autoescaped(pdf_templates):
    name = pdf_templates("<p>{{ value }}</p>")
    # Markup in data is text, not an element: nothing is fetched, the strict render passes.
    assert render_pdf(name, {"value": '<img src="file:///etc/passwd">'}).startswith(b"%PDF-")


def test_the_fetcher_maps_only_safe_static_paths(settings):
    settings.SITE_URL = "https://houqin.example.cn/"
    fetcher = StaticURLFetcher()
    base = "https://houqin.example.cn/static/"
    response = fetcher.fetch(base + "css/houqin.css")
    assert b"Houqin" in response.read()
    assert response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "https://houqin.example.cn/media/x.jpg",
        "http://houqin.example.cn/static/css/houqin.css",  # another scheme
        "https://evil.example/static/css/houqin.css",
        "https://user@houqin.example.cn/static/css/houqin.css",
        base + "../config/settings.py",
        base + "%2e%2e/config/settings.py",
        base + "css/..%2f..%2fconfig/settings.py",
        base + "%2fetc/passwd",
        base + "css/%5c..%5c..%5cconfig/settings.py",
        base + "css/houqin.css%00.png",
        base + "css//houqin.css",
        base + "no-such-file.css",
        base,
        "gopher://127.0.0.1/",
        "/etc/passwd",
        "relative/path",
    ]:
        with pytest.raises(URLRefused):
            fetcher.fetch(url)


# --- the time limit -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_time_limit_stops_a_render_and_restores_the_alarm(pdf_templates):
    name = pdf_templates("<p>x</p>" * 200)
    previous = signal.getsignal(signal.SIGALRM)
    with pytest.raises(PDFTimeout):
        render_pdf(name, {}, timeout=0.001)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is previous
    # And a render with time enough still works afterwards.
    assert render_pdf(name, {}, timeout=60).startswith(b"%PDF-")


@pytest.mark.django_db
def test_the_alarm_interrupts_the_layout_itself(pdf_templates, monkeypatch):
    """With the checks between stages switched off, the alarm alone stops a long layout
    before the PDF is written."""
    from weasyprint.document import Document

    name = pdf_templates(("<p>" + "后勤处报修统计 " * 40 + "</p>") * 300)  # seconds of work
    monkeypatch.setattr(pdfmod._Deadline, "check", lambda self: None)
    written = []
    monkeypatch.setattr(Document, "write_pdf", lambda *a, **k: written.append(1))
    with pytest.raises(PDFTimeout):
        render_pdf(name, {}, timeout=0.05)
    assert written == []
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_late_alarm_never_lands_outside_the_render():
    import time

    with pdfmod._TimeLimit(0.001):
        time.sleep(0.25)  # alarms fire here, outside the render: they are ignored
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.django_db
def test_the_time_limit_gives_back_an_outer_timer(pdf_templates):
    name = pdf_templates("<p>x</p>")
    fired = []

    def outer(signum, frame):
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        render_pdf(name, {}, timeout=30)
        assert signal.getsignal(signal.SIGALRM) is outer
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < left <= 100
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


@pytest.mark.django_db
def test_the_time_limit_in_a_thread_is_checked_between_stages(pdf_templates, settings):
    name = pdf_templates("<p>x</p>")
    settings.PDF_RENDER_TIMEOUT = 0.000001
    outcome = []

    def run():
        try:
            render_pdf(name, {})
        except PDFTimeout as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert len(outcome) == 1
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
