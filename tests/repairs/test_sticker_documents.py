"""QR sticker sheets made in the background: the request never renders (a very large
building answers at once with the sheet's page), the task makes the PDF, asking again
joins a sheet being made or gets the ready one while nothing printed on it changed
(a renamed, added or retired room, a renamed building, a new address: a fresh
version), two buildings or floors are two documents, a failed sheet is retried, and
only general affairs of the same school reads it (another school's is a 404)."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from logistics.choices import Role
from logistics.common.registry import registry
from logistics.documents import pdf as pdfmod
from logistics.documents.models import Document, DocumentStatus
from logistics.documents.services import documents as document_services
from logistics.models import Room
from logistics.repairs.services import stickers
from tests import factories
from tests.language import speaking

URL = "/repairs/stickers/"
HTMX = {"HTTP_HX_REQUEST": "true"}

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"
)


def pdf_text(content, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()


def make_building(school, rooms, **kwargs):
    building = factories.BuildingFactory(school=school, **kwargs)
    made = [
        factories.RoomFactory(building=building, floor=floor, number=number, name=name)
        for floor, number, name in rooms
    ]
    return building, made


def post(client, building, floor=None, **extra):
    data = {"building": building.pk}
    if floor is not None:
        data["floor"] = str(floor)
    return client.post(URL, data, **extra)


def document_of(response):
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/summary/documents/(\d+)/", response.url)
    assert match, response.url
    return Document.objects.get(pk=match[1])


def ask(client, capture, building, floor=None, language=None):
    """Ask for the sheet; the task runs when the request commits (eager Celery)."""
    with speaking(client, language), capture(execute=True):
        response = post(client, building, floor)
    return document_of(response)


def download(client, document):
    return client.get(reverse("summary_download", args=[document.pk]))


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs rendered and the QR codes drawn."""
    counts = {"pdf": 0, "qr": 0}
    real_pdf, real_qr = pdfmod.render_pdf, stickers.qr_svg_data_uri

    def render_pdf(*args, **kwargs):
        counts["pdf"] += 1
        return real_pdf(*args, **kwargs)

    def qr(text):
        counts["qr"] += 1
        return real_qr(text)

    monkeypatch.setattr(pdfmod, "render_pdf", render_pdf)
    monkeypatch.setattr(stickers, "qr_svg_data_uri", qr)
    return counts


# --- Not in the request ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_very_large_building_is_not_rendered_in_the_request(
    ga_client, school, renders, django_capture_on_commit_callbacks
):
    """2,000 rooms took ~23 s to draw and render here (30 s was gunicorn's timeout): the
    request only asks for the sheet and answers with its page."""
    building = factories.BuildingFactory(school=school, name="综合楼")
    Room.objects.bulk_create(
        Room(building=building, floor=1 + i // 100, number=str(1001 + i)) for i in range(2000)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post(ga_client, building)
    document = document_of(response)
    assert renders == {"pdf": 0, "qr": 0}
    assert document.status == DocumentStatus.QUEUED and document.version == 1
    assert document.kind == stickers.KIND
    assert document.params == {"building": building.pk, "floor": None}
    assert len(queued) == 1  # the task, enqueued when the request commits

    # Its page follows the progress by itself until the download is there.
    page = ga_client.get(response.url).content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 1s"' in page
    assert 'data-testid="download"' not in page
    assert "综合楼" in page  # what the document is of
    status = ga_client.get(reverse("summary_document_status", args=[document.pk]), **HTMX)
    assert 'data-status="queued"' in status.content.decode()
    assert download(ga_client, document).status_code == 404  # not ready yet


@needs_poppler
@pytest.mark.django_db
def test_the_task_makes_the_sheet_with_its_progress(
    ga_client, school, settings, renders, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://houqin.example.cn"
    building, rooms = make_building(school, [(1, "101", "传达室"), (1, "102", ""), (2, "201", "")])
    stages = []
    real = document_services.document_progress

    def progress(document_id, percent, stage):
        stages.append((percent, str(stage)))
        real(document_id, percent, stage)

    monkeypatch.setattr(document_services, "document_progress", progress)
    document = ask(ga_client, django_capture_on_commit_callbacks, building)
    assert document.status == DocumentStatus.DONE, document.error
    assert document.progress == 100 and document.pages == 1 and document.fingerprint
    assert renders == {"pdf": 1, "qr": 3}
    with translation.override("zh-hans"):  # the language it was asked in
        drawing = gettext("Drawing the QR codes: %(done)s of %(total)s") % {"done": 0, "total": 3}
    assert (5, drawing) in stages
    assert [p for p, _s in stages] == sorted(p for p, _s in stages)

    page = ga_client.get(reverse("summary_document", args=[document.pk])).content.decode()
    assert 'data-testid="download"' in page and 'hx-trigger="every 1s"' not in page
    assert f'href="{reverse("ticket_stickers")}"' in page  # back to the stickers page
    response = download(ga_client, document)
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="qr-stickers-building-{building.pk}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    for room in rooms:
        assert f"https://houqin.example.cn/r/{room.pk}/" in text
    assert "传达室" in text

    # The stickers page lists the sheet made, with its download.
    listing = ga_client.get(URL).content.decode()
    assert reverse("summary_download", args=[document.pk]) in listing
    assert building.name in listing


# --- Asking again ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_asking_again_while_it_is_made_joins_it(ga_client, school, general_affairs):
    building, _ = make_building(school, [(1, "101", "")])
    other_ga = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
    # No on_commit execution: the first stays queued, as while a worker makes it.
    first = document_of(post(ga_client, building))
    second = document_of(post(ga_client, building))
    ga_client.force_login(other_ga)
    third = document_of(post(ga_client, building))
    assert first.pk == second.pk == third.pk
    assert Document.objects.count() == 1
    assert first.requested_by == general_affairs


@needs_poppler
@pytest.mark.django_db
def test_the_ready_sheet_is_given_while_nothing_changed_and_a_change_makes_a_fresh_one(
    ga_client, school, settings, renders, tmp_path, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.SITE_URL = "https://houqin.example.cn"
    building, (room, _other) = make_building(school, [(1, "101", "教师办公室"), (1, "102", "")])
    first = ask(ga_client, capture, building)
    assert first.status == DocumentStatus.DONE and renders["pdf"] == 1

    # Nothing changed: the same sheet, nothing rendered again.
    again = ask(ga_client, capture, building)
    assert again.pk == first.pk and renders["pdf"] == 1
    # A change elsewhere (another building's room) changes nothing here.
    factories.RoomFactory(building__school=school, number="999")
    assert ask(ga_client, capture, building).pk == first.pk and renders["pdf"] == 1

    def fresh(previous):
        document = ask(ga_client, capture, building)
        assert document.status == DocumentStatus.DONE, document.error
        assert document.version == previous.version + 1
        assert document.fingerprint != previous.fingerprint
        return document, pdf_text(download(ga_client, document).content, tmp_path)

    room.name = "校长室"  # renamed
    room.save()
    renamed, text = fresh(first)
    assert "校长室" in text and "教师办公室" not in text
    added_room = factories.RoomFactory(building=building, floor=2, number="201")
    added, text = fresh(renamed)
    assert f"/r/{added_room.pk}/" in text
    added_room.is_active = False  # retired
    added_room.save()
    retired, text = fresh(added)
    assert f"/r/{added_room.pk}/" not in text
    building.name = "明德楼"
    building.save()
    moved, text = fresh(retired)
    assert "明德楼 101" in text
    settings.SITE_URL = "https://bx.example.cn"  # the portal moved: every link changes
    _moved_again, text = fresh(moved)
    assert f"https://bx.example.cn/r/{room.pk}/" in text
    assert renders["pdf"] == 6
    # Each version keeps its own file.
    old = pdf_text(download(ga_client, first).content, tmp_path)
    assert "教师办公室" in old


@pytest.mark.django_db
def test_a_ready_sheet_whose_file_is_gone_is_made_again(
    ga_client, school, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    building, _ = make_building(school, [(1, "101", "")])
    first = ask(ga_client, capture, building)
    first.file.storage.delete(first.file.name)
    second = ask(ga_client, capture, building)
    assert second.version == 2 and second.status == DocumentStatus.DONE


@pytest.mark.django_db
def test_two_buildings_and_floors_are_documents_of_their_own(
    ga_client, school, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    one, _ = make_building(school, [(1, "101", ""), (2, "201", "")], name="求真楼")
    two, _ = make_building(school, [(1, "101", "")], name="明德楼")
    documents = [
        ask(ga_client, capture, one),
        ask(ga_client, capture, two),
        ask(ga_client, capture, one, floor=2),
        ask(ga_client, capture, one, floor=2, language="en"),
    ]
    assert len({d.pk for d in documents}) == 4
    assert all(d.version == 1 and d.status == DocumentStatus.DONE for d in documents)
    assert len({d.file.name for d in documents}) == 4
    assert [d.params for d in documents] == [
        {"building": one.pk, "floor": None},
        {"building": two.pk, "floor": None},
        {"building": one.pk, "floor": 2},
        {"building": one.pk, "floor": 2},
    ]
    assert [d.language for d in documents] == ["zh-hans", "zh-hans", "zh-hans", "en"]
    listing = ga_client.get(URL).content.decode()
    assert "求真楼 2F" in listing and "明德楼" in listing


@needs_poppler
@pytest.mark.django_db
def test_a_sheet_is_printed_in_the_language_it_was_asked_in(
    ga_client, school, tmp_path, django_capture_on_commit_callbacks
):
    building, _ = make_building(school, [(1, "101", "")])
    english = ask(ga_client, django_capture_on_commit_callbacks, building, language="en")
    chinese = ask(ga_client, django_capture_on_commit_callbacks, building)
    assert "Scan to report a repair" in pdf_text(download(ga_client, english).content, tmp_path)
    assert "扫码报修" in pdf_text(download(ga_client, chinese).content, tmp_path).replace(" ", "")


# --- Failures -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_sheet_is_retried(
    ga_client, school, monkeypatch, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    building, _ = make_building(school, [(1, "101", "")])
    kind = registry.document_kinds[stickers.KIND]
    calls = []

    def flaky(document, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the printer font went away")
        return kind.context(document, **kwargs)

    monkeypatch.setitem(
        registry.document_kinds, kind.key, type(kind)(**{**kind.__dict__, "context": flaky})
    )
    failed = ask(ga_client, capture, building)
    assert failed.status == DocumentStatus.FAILED
    page = ga_client.get(reverse("summary_document", args=[failed.pk])).content.decode()
    assert "the printer font went away" in page and 'data-testid="retry"' in page
    # The retry makes the same version again.
    with capture(execute=True):
        response = ga_client.post(reverse("summary_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.DONE and failed.attempts == 2 and failed.version == 1
    assert download(ga_client, failed).content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_building_retired_before_the_run_fails_it_with_the_reason(
    ga_client, school, django_capture_on_commit_callbacks
):
    building, _ = make_building(school, [(1, "101", "")])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        document = document_of(post(ga_client, building))
    building.is_active = False
    building.save()
    for callback in queued:
        callback()
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    with translation.override("zh-hans"):  # the language it was asked in
        assert document.error == gettext(
            "This building is not one of the school's buildings in use."
        )


# --- The kind's choices ---------------------------------------------------------------------


def stickers_request(school, actor, params):
    today = timezone.localdate()
    return document_services.document_request(
        kind=stickers.KIND, school=school, start=today, end=today, params=params, actor=actor
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "choose",
    [
        lambda b: {},
        lambda b: {"building": str(b["ours"])},  # a string is not an id
        lambda b: {"building": True},
        lambda b: {"building": b["foreign"]},
        lambda b: {"building": b["retired"]},
        lambda b: {"building": b["ours"], "floor": 0},
        lambda b: {"building": b["ours"], "floor": 9999},
        lambda b: {"building": b["ours"], "floor": "1"},
        lambda b: {"building": b["ours"], "floor": 5},  # no rooms on that floor
        lambda b: {"building": b["ours"], "colour": "red"},
    ],
    ids=["none", "text", "bool", "foreign", "retired", "floor0", "high", "floortext", "empty", "x"],
)
def test_the_kind_refuses_choices_the_records_do_not_allow(
    school, other_school, general_affairs, choose
):
    buildings = {
        "ours": make_building(school, [(1, "101", "")])[0].pk,
        "foreign": make_building(other_school, [(1, "101", "")])[0].pk,
        "retired": make_building(school, [(1, "101", "")], is_active=False)[0].pk,
    }
    with pytest.raises(ValidationError):
        stickers_request(school, general_affairs, choose(buildings))
    assert not Document.objects.exists()
    # The same building, rightly chosen, is accepted (and normalised).
    document, created = stickers_request(school, general_affairs, {"building": buildings["ours"]})
    assert created and document.params == {"building": buildings["ours"], "floor": None}


@pytest.mark.django_db
def test_a_kind_without_choices_takes_none(school, general_affairs):
    with pytest.raises(ValidationError):
        document_services.document_request(
            kind="summary",
            school=school,
            start=datetime.date(2026, 9, 1),
            end=datetime.date(2027, 1, 31),
            params={"building": 1},
            actor=general_affairs,
        )


# --- Who reads it ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_general_affairs_of_the_school_reads_it(
    client, make_user, school, other_school, django_capture_on_commit_callbacks
):
    building, _ = make_building(school, [(1, "101", "")])
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    document = ask(client, django_capture_on_commit_callbacks, building)
    urls = [
        reverse("summary_document", args=[document.pk]),
        reverse("summary_document_status", args=[document.pk]),
        reverse("summary_download", args=[document.pk]),
    ]
    assert all(client.get(url).status_code == 200 for url in urls)

    # Another school's general affairs: not found, whatever the page.
    client.force_login(make_user(Role.GENERAL_AFFAIRS, other_school))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.post(reverse("summary_retry", args=[document.pk])).status_code == 404
    assert document.pk not in [d.pk for d in stickers_listing(client)]
    # The same school's roles that may not print stickers: refused.
    for role in (Role.PRINCIPAL, Role.STAFF, Role.TECHNICIAN, Role.SAFETY_OFFICER):
        client.force_login(make_user(role, school))
        assert [client.get(url).status_code for url in urls] == [403, 403, 403], role
    # A district viewer reads the district's summaries, not its sticker sheets.
    client.force_login(make_user(Role.DISTRICT_VIEWER, district=school.district))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def stickers_listing(client):
    response = client.get(URL)
    return response.context["documents"] if response.status_code == 200 else []
