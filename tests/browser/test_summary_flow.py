"""General affairs writes a section of the semester summary with a placeholder, sees it
saved as she types, generates the PDF and waits for it; the principal downloads it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_write_generate_and_download_the_summary(
    make_context, live_server, demo, problems, sign_in
):
    from logistics.documents.models import Document, DocumentStatus, SummaryDraft
    from logistics.documents.selectors import SUMMARY_KIND
    from logistics.documents.services.documents import document_render as render
    from logistics.models import Semester

    term = Semester.objects.get(school=demo.school, is_current=True)

    # --- General affairs writes the repairs section ---------------------------------------
    office = make_context().new_page()
    sign_in(office, "zongwu", demo.password)
    office.goto("/summary/")
    expect(office.get_by_test_id("chosen-title")).to_contain_text(term.year_label)
    with office.expect_navigation():
        office.get_by_test_id("edit").click()
    expect(office).to_have_url(re.compile(rf"/summary/{term.pk}/edit/$"))

    text = "{学校}本学期认真做好校舍维修工作。\n- 及时响应报修\n- 定期巡查设施"
    box = office.get_by_test_id("text-section-repairs")
    box.click()
    box.press_sequentially(text[:12])
    box.fill(text)
    status = office.get_by_test_id("status-section-repairs")
    expect(status.get_by_test_id("saved")).to_be_visible(timeout=10_000)
    office.screenshot(path="/tmp/summary-editor.png", full_page=True)
    expect(status.get_by_test_id("problems")).to_have_count(0)
    draft = SummaryDraft.objects.get(school=demo.school, semester=term)
    assert draft.text("section", "repairs") == text

    # An unknown placeholder is shown beside its text, in red, and kept.
    plans = office.get_by_test_id("text-plans")
    plans.fill("下学期计划{没有这个数}")
    expect(office.get_by_test_id("status-plans").get_by_test_id("problems")).to_contain_text(
        "{没有这个数}", timeout=10_000
    )
    plans.fill("下学期继续做好后勤保障。")
    expect(office.get_by_test_id("status-plans").get_by_test_id("problems")).to_have_count(
        0, timeout=10_000
    )

    # --- Generate and wait for it ----------------------------------------------------------
    with office.expect_navigation(timeout=120_000):
        office.get_by_test_id("generate").click()
    expect(office).to_have_url(re.compile(r"/summary/documents/\d+/$"))
    status = office.get_by_test_id("document-status")
    expect(status).to_have_attribute("data-status", "done", timeout=120_000)
    expect(office.get_by_test_id("download")).to_be_visible()
    document = Document.objects.get(school=demo.school, kind=SUMMARY_KIND, semester=term)
    assert document.status == DocumentStatus.DONE and document.pages
    office.screenshot(path="/tmp/summary-document.png", full_page=True)

    # A version made by a worker: the page follows it by itself until it is ready.
    later = Document.objects.create(
        kind=SUMMARY_KIND,
        school=demo.school,
        semester=term,
        period_start=term.start_date,
        period_end=term.end_date,
        version=document.version + 1,
        requested_by=document.requested_by,
    )
    office.goto(f"/summary/documents/{later.pk}/")
    expect(status).to_have_attribute("data-status", "queued")
    render(later.pk)
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    expect(office.get_by_test_id("download")).to_be_visible()
    problems.assert_none(office, "general affairs")

    # --- The principal downloads it ----------------------------------------------------------
    head = make_context().new_page()
    sign_in(head, "xiaozhang", demo.password)
    head.goto("/summary/")
    expect(head.get_by_test_id("generate")).to_have_count(0)
    expect(head.get_by_test_id("edit")).to_have_count(0)
    row = head.get_by_test_id("document-row").filter(has=head.get_by_test_id("download"))
    with head.expect_download() as download:
        row.first.get_by_test_id("download").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
    problems.assert_none(head, "principal")
