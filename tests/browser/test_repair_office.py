"""The general affairs office at work on the repairs: the list and its filter panel, a
ticket nobody has yet dispatched by hand, the QR sticker sheet of a building (asked
for, made in the background, followed on its page and downloaded when ready)."""

import re

import pytest
from playwright.sync_api import expect

from logistics.documents.models import Document, DocumentStatus
from logistics.models import Building
from logistics.repairs.choices import TicketStatus
from logistics.repairs.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_office_filters_dispatches_and_prints_stickers(
    make_context, live_server, demo, problems, sign_in, zh, assert_fits_viewport
):
    waiting = Ticket.objects.filter(school=demo.school, status=TicketStatus.SUBMITTED).first()
    assert waiting is not None, "the demo has tickets waiting for a technician"
    page = make_context(phone=True).new_page()
    sign_in(page, "zongwu", demo.password)
    page.goto("/repairs/")
    expect(page.locator("h1")).to_have_text(zh("Repair tickets"))
    assert_fits_viewport(page)

    # The filter panel arrives by htmx; choosing "awaiting dispatch" narrows the list.
    page.get_by_test_id("open-filters").click()
    panel = page.get_by_test_id("filter-panel")
    expect(panel).to_be_visible()
    panel.locator("select[name=status]").select_option(TicketStatus.SUBMITTED.value)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    expect(page.get_by_test_id("active-filters")).to_contain_text(zh("Awaiting dispatch"))
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    for status in rows.locator(".badge").all_inner_texts():
        assert status in (zh("Awaiting dispatch"), zh("Overdue")), status

    # Dispatch one by hand.
    with page.expect_navigation():
        page.locator(f"a[href='/repairs/{waiting.pk}/']").click()
    box = page.get_by_test_id("action-assign")
    box.locator("summary").click()
    box.locator("select[name=assign-technician]").select_option(index=1)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text(zh("Assigned"))
    waiting.refresh_from_db()
    assert waiting.assignee is not None and waiting.status == TicketStatus.ASSIGNED
    expect(page.get_by_test_id("status-history")).to_contain_text(waiting.assignee.display_name)

    # The QR stickers of a building: asked for, made in the background, then downloaded.
    building = Building.objects.get(school=demo.school, name="求真楼")
    page.goto("/repairs/stickers/")
    page.select_option("select[name=building]", str(building.pk))
    with page.expect_navigation():
        page.get_by_test_id("make-sheet").click()
    expect(page).to_have_url(re.compile(r"/summary/documents/\d+/$"))
    expect(page.get_by_test_id("document-description")).to_have_text("求真楼")
    status = page.get_by_test_id("document-status")
    expect(status).to_have_attribute("data-status", "done", timeout=60_000)
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert re.search(r"\.pdf$", download.value.suggested_filename)
    document = Document.objects.get(school=demo.school, params__building=building.pk)
    assert document.status == DocumentStatus.DONE and document.pages
    assert_fits_viewport(page)

    # A sheet made by a worker: its page follows the progress by itself until it is ready.
    from logistics.documents.services.documents import document_render

    later = Document.objects.create(
        kind=document.kind,
        school=demo.school,
        period_start=document.period_start,
        period_end=document.period_end,
        params={**document.params, "floor": 1},
        language=document.language,
        version=1,
        requested_by=document.requested_by,
    )
    page.goto(f"/summary/documents/{later.pk}/")
    expect(status).to_have_attribute("data-status", "queued")
    document_render(later.pk)
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_test_id("download")).to_be_visible()

    # Back on the stickers page, the sheets made are listed with their downloads.
    page.get_by_test_id("document-index").click()
    expect(page.get_by_test_id("document-row")).to_have_count(2)
    problems.assert_none(page, "general affairs")
