"""Each domain has its own Chinese: the safety pages, the major-hazard report sent to the
district, the drills and the summary's document page say nothing in repair words
(报修地点, 维修内容, 开工/完工时间) — shared English msgids carry a context per domain."""

import datetime
import re

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from logistics.choices import Role
from logistics.documents.models import Document, DocumentStatus
from logistics.documents.selectors import SUMMARY_KIND
from safety.choices import HazardLevel, HazardStatus
from safety.models import RectificationPlan
from tests import factories
from tests.safety_factories import DrillFactory, HazardFactory

REPAIR_WORDS = re.compile(r"报修|维修|开工|完工|派单|结单")


def main_part(response):
    """The page's own content (the side menu, which names the repair pages, left out)."""
    page = response.content.decode()
    match = re.search(r"<main\b.*?</main>", page, re.S)
    return match.group(0) if match else page


def assert_no_repair_words(text, where):
    found = sorted(set(REPAIR_WORDS.findall(text)))
    assert not found, f"{where} says {found}: " + " | ".join(
        text[max(0, m.start() - 40) : m.end() + 20] for m in REPAIR_WORDS.finditer(text)
    )


@pytest.fixture
def pdf_as_html(monkeypatch):
    """The PDF views answer with the HTML they would print (same template, context and
    language)."""

    def render(template, context, **kwargs):
        return render_to_string(template, context).encode()

    def respond(content, filename, **kwargs):
        return HttpResponse(content, content_type="text/html; charset=utf-8")

    monkeypatch.setattr("safety.views.hazards.render_pdf", render)
    monkeypatch.setattr("safety.views.hazards.pdf_response", respond)


@pytest.fixture
def major_hazard(school, make_user):
    """A major hazard rectified (with its plan) and awaiting the check."""
    person = make_user(Role.STAFF, school, name="李老师")
    found = timezone.now() - datetime.timedelta(days=3)
    hazard = HazardFactory(
        school=school,
        level=HazardLevel.MAJOR,
        status=HazardStatus.AWAITING_CHECK,
        responsible_person=person,
        found_at=found,
        assigned_at=found,
        rectification_note="更换灭火器并张贴检查标签",
        description="教学楼灭火器过期",
    )
    RectificationPlan.objects.create(
        hazard=hazard,
        measures="采购并更换",
        funding=300,
        responsible_person=person,
        deadline=timezone.localdate(),
        interim_measures="临时调配",
        created_by=person,
    )
    return hazard


@pytest.mark.django_db
def test_safety_pages_and_reports_say_no_repair_words(
    client, school, general_affairs, major_hazard, pdf_as_html
):
    unassigned = HazardFactory(school=school, location="操场东侧")
    drill = DrillFactory(school=school, location="全校教学楼", held_on=timezone.localdate())
    client.force_login(general_affairs)
    client.get("/", headers={"accept-language": "en"})  # the browser's language is ignored
    pages = {
        "the hazard page": reverse("safety_hazard_detail", args=[major_hazard.pk]),
        "an unassigned hazard": reverse("safety_hazard_detail", args=[unassigned.pk]),
        "the hazard ledger": reverse("safety_hazard_list"),
        "the drill page": reverse("safety_drill_detail", args=[drill.pk]),
        "the drills": reverse("safety_drill_list"),
        "the rate page": reverse("safety_rate"),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = main_part(response)
        assert "隐患" in text or "演练" in text, name  # Chinese pages indeed
        assert_no_repair_words(text, name)
    page = main_part(client.get(pages["the hazard page"]))
    assert "隐患地点" in page and "整改措施" in page
    assert "尚未指定责任人" in main_part(client.get(pages["an unassigned hazard"]))
    assert "地点" in main_part(client.get(pages["the drill page"]))
    # The major-hazard report sent to the supervising authority, and the monthly report.
    report = client.get(reverse("safety_hazard_report_pdf", args=[major_hazard.pk]))
    assert report.status_code == 200
    text = report.content.decode()
    assert "重大" in text and "隐患地点" in text
    assert_no_repair_words(text, "the major-hazard report")
    # The monthly report is made by the document task: its template in its context.
    from django.utils import translation

    from safety.documents import MONTHLY_TEMPLATE, monthly_context

    with translation.override("zh-hans"):
        monthly = render_to_string(
            MONTHLY_TEMPLATE, monthly_context(major_hazard.school, timezone.localdate())
        )
    assert "隐患" in monthly
    assert_no_repair_words(monthly, "the monthly hazard report")


@pytest.mark.django_db
def test_the_summary_document_page_says_no_repair_words(client, school, general_affairs):
    term = factories.SemesterFactory(school=school, is_current=True)
    now = timezone.now()
    documents = [
        Document.objects.create(
            kind=SUMMARY_KIND,
            school=school,
            semester=term,
            period_start=term.start_date,
            period_end=term.end_date,
            version=version,
            status=status,
            started_at=now,
            finished_at=now,
            attempts=1,
        )
        for version, status in ((1, DocumentStatus.FAILED), (2, DocumentStatus.RUNNING))
    ]
    client.force_login(general_affairs)
    for document in documents:
        text = main_part(client.get(reverse("summary_document", args=[document.pk])))
        assert "开始生成" in text
        assert_no_repair_words(text, f"the document page ({document.status})")
    failed = main_part(client.get(reverse("summary_document", args=[documents[0].pk])))
    assert "生成失败" in failed and "发送失败" not in failed
    index = main_part(client.get(reverse("summary_index")))
    assert "页数" in index


@pytest.mark.django_db
def test_the_repair_pages_keep_their_own_words(client, school, make_user):
    staff = make_user(Role.STAFF, school)
    client.force_login(staff)
    text = main_part(client.get(reverse("ticket_create")))
    assert "报修地点" in text
