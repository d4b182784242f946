"""The monthly hazard check report as a printed document: the tick asks for last month's
report on the 1st, once per school and month however often it ticks, and tells general
affairs and the district's viewers; the PDF (made by the eager Celery task) is one page
in a CJK font with the selector's figures; a school with no records gets nothing; the
document is not another school's to read. The report page only asks for a month's
report (the task makes it, in the language asked in); asking again joins a run, or
makes a new version once it is ready; a failed one is retried; who reads it."""

import datetime
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from logistics.choices import Role
from logistics.common.registry import registry
from logistics.common.reminders import reminders_run
from logistics.documents.models import Document, DocumentStatus
from logistics.documents.services.documents import may_read
from logistics.models import Notification, Reminder
from logistics.selectors import people_with_role
from safety.choices import HazardLevel, HazardStatus, InspectionKind, InspectionStatus
from safety.documents import MONTHLY_KIND, monthly_context, monthly_request
from safety.reminders import DOCUMENT_URL, MonthlyHazardReportRule
from safety.selectors.reports import monthly_report
from safety.services.common import link
from tests.language import speaking
from tests.safety_factories import (
    DrillFactory,
    HazardFactory,
    InspectionFactory,
    template_with_items,
)

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date
RULE = MonthlyHazardReportRule.name

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) are not installed",
)


def at(month, day, hour=9, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def poppler(tool, pdf_bytes, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    result = subprocess.run(
        [tool, str(path), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()


def tick(now, capture):
    """One tick's reminders; the documents it asks for are made (eager Celery) when its
    transaction commits."""
    with capture(execute=True):
        return reminders_run(now)


def told(rule=RULE):
    return Notification.objects.filter(key__startswith=f"reminder:{rule}:")


@pytest.fixture
def october(school, other_school):
    """October 2026 of ``school``: inspections, hazards (one overdue from September), a
    drill. ``other_school`` had nothing in October (a hazard in September only)."""
    school.name = "武进实验中学"
    school.save()
    daily = template_with_items(school, kind=InspectionKind.DAILY)
    for day in (1, 2, 3):
        InspectionFactory(
            school=school,
            template=daily,
            period_start=D(2026, 10, day),
            status=InspectionStatus.SUBMITTED,
            started_at=at(10, day, 8),
            submitted_at=at(10, day, 17),
        )
    InspectionFactory(school=school, template=daily, period_start=D(2026, 10, 4))
    HazardFactory(
        school=school,
        found_at=at(9, 20),
        status=HazardStatus.RECTIFYING,
        deadline=D(2026, 10, 10),
        description="九月发现的灭火器过期",
    )
    for day in (5, 6, 7):
        HazardFactory(
            school=school, found_at=at(10, day), status=HazardStatus.CLOSED, closed_at=at(10, 8)
        )
    HazardFactory(
        school=school,
        found_at=at(10, 25),
        status=HazardStatus.REPORTED,
        level=HazardLevel.MAJOR,
        description="围墙开裂",
    )
    DrillFactory(school=school, held_on=D(2026, 10, 16), title="消防疏散演练", participants=1234)
    HazardFactory(school=other_school, found_at=at(9, 8), description="别校九月的隐患")


@pytest.fixture
def people(school, other_school, make_user):
    viewer = make_user(Role.DISTRICT_VIEWER, district=school.district)
    return {
        "ga": make_user(Role.GENERAL_AFFAIRS, school),
        "ga2": make_user(Role.GENERAL_AFFAIRS, school),
        "officer": make_user(Role.SAFETY_OFFICER, school),
        "viewer": viewer,
        "other_viewer": make_user(Role.DISTRICT_VIEWER, district=other_school.district),
        "other_ga": make_user(Role.GENERAL_AFFAIRS, other_school),
    }


def test_the_kind_is_registered():
    kind = registry.document_kinds[MONTHLY_KIND]
    assert kind.template == "safety/reports/monthly_pdf.html"
    # District viewers read it; those who may view the hazards and inspections ask for
    # it (from the monthly report page) and read it.
    assert kind.read == (
        ("logistics.view_document",),
        ("safety.view_hazard", "safety.view_inspection"),
    )
    assert kind.make == ("safety.view_hazard", "safety.view_inspection")
    assert RULE in registry.reminder_rules


@pytest.mark.django_db
class TestTheTick:
    def test_two_ticks_on_the_first_ask_once_and_tell_once(
        self, school, october, people, django_capture_on_commit_callbacks
    ):
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        tick(at(11, 1, 0, 10), django_capture_on_commit_callbacks)

        [document] = Document.objects.filter(kind=MONTHLY_KIND)
        assert document.school == school
        assert (document.period_start, document.period_end) == (D(2026, 10, 1), D(2026, 10, 31))
        assert document.requested_by is None and document.version == 1
        assert document.status == DocumentStatus.DONE, document.error
        [reminder] = Reminder.objects.filter(rule=RULE)
        assert reminder.key == f"{school.pk}:2026-10" and reminder.school == school

        notes = told()
        affairs = list(people_with_role(school, Role.GENERAL_AFFAIRS))
        assert people["ga"] in affairs and people["ga2"] in affairs
        assert sorted(n.recipient_id for n in notes) == sorted(
            [u.pk for u in affairs] + [people["viewer"].pk]
        )
        assert {n.url for n in notes} == {link(DOCUMENT_URL, document.pk)}
        assert all("武进实验中学" in n.title for n in notes)

    def test_mid_month_a_month_done_gives_nothing(
        self, school, october, people, django_capture_on_commit_callbacks
    ):
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        before = (
            Document.objects.count(),
            told().count(),
            Reminder.objects.filter(rule=RULE).count(),
        )
        assert before[:2] == (1, 1 + people_with_role(school, Role.GENERAL_AFFAIRS).count())
        tick(at(11, 15), django_capture_on_commit_callbacks)
        assert (
            Document.objects.count(),
            told().count(),
            Reminder.objects.filter(rule=RULE).count(),
        ) == before

    def test_a_missed_first_is_caught_up_later_in_the_month(
        self, school, october, people, django_capture_on_commit_callbacks
    ):
        tick(at(10, 31, 23, 55), django_capture_on_commit_callbacks)  # September's: none
        assert not Document.objects.filter(school=school, period_start=D(2026, 10, 1)).exists()
        tick(at(11, 3), django_capture_on_commit_callbacks)
        assert Document.objects.filter(school=school, period_start=D(2026, 10, 1)).count() == 1

    def test_a_school_without_records_that_month_gets_nothing(
        self, school, other_school, october, people, django_capture_on_commit_callbacks
    ):
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        assert not Document.objects.filter(school=other_school).exists()
        assert not Reminder.objects.filter(rule=RULE, school=other_school).exists()
        assert not told().filter(recipient__in=[people["other_ga"], people["other_viewer"]])

    def test_an_inactive_school_gets_nothing(
        self, school, october, people, django_capture_on_commit_callbacks
    ):
        school.is_active = False
        school.save()
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        assert not Document.objects.exists() and not told().exists()

    def test_a_failed_request_records_nothing_and_is_tried_again(
        self, school, october, people, monkeypatch, django_capture_on_commit_callbacks
    ):
        from logistics.documents.services import documents

        real = documents.document_request

        def broken(**kwargs):
            raise RuntimeError("no")

        monkeypatch.setattr(documents, "document_request", broken)
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        assert not Reminder.objects.filter(rule=RULE).exists() and not told().exists()
        monkeypatch.setattr(documents, "document_request", real)
        tick(at(11, 1, 0, 10), django_capture_on_commit_callbacks)
        assert Document.objects.filter(kind=MONTHLY_KIND).count() == 1
        assert told().count() == 1 + people_with_role(school, Role.GENERAL_AFFAIRS).count()


@pytest.mark.django_db
class TestTheDocument:
    @needs_poppler
    def test_one_page_in_a_cjk_font_with_the_selectors_figures(
        self, school, october, people, tmp_path, django_capture_on_commit_callbacks
    ):
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        [document] = Document.objects.filter(kind=MONTHLY_KIND)
        assert document.status == DocumentStatus.DONE, document.error
        assert document.pages == 1
        with document.file.open("rb") as file:
            pdf = file.read()
        assert len(pdf) == document.size and pdf.startswith(b"%PDF")

        fonts = poppler("pdffonts", pdf, tmp_path)
        assert re.search(r"(Noto-?Sans-?CJK|Noto-?Serif-?CJK|WenQuanYi)\S*.*\byes\b", fonts), fonts
        # (table cells wrap Chinese anywhere: compare without the white space)
        flat = re.sub(r"\s+", "", poppler("pdftotext", pdf, tmp_path))
        report = monthly_report(school, D(2026, 10, 1))
        h, i = report["hazards"], report["inspections"]
        assert (h["found"], h["rectified"], str(h["rate"])) == (4, 3, "75.0")
        assert f"本月发现隐患{h['found']}处，月末前已整改{h['rectified']}处；" in flat
        assert f"{h['rate']}%" in flat
        assert f"月末超期未整改{report['overdue']}处。" in flat
        assert f"完成检查{i['submitted']}/{i['total']}次。" in flat
        assert "武进实验中学2026年10月" in flat
        assert "九月发现的灭火器过期" in flat and "围墙开裂" in flat
        assert "消防疏散演练" in flat and "1234" in flat
        assert "别校" not in flat

    def test_the_page_and_the_document_share_one_context(self, school, october):
        context = monthly_context(school, D(2026, 10, 20), now=at(11, 2))
        report = monthly_report(school, D(2026, 10, 1), now=at(11, 2))
        assert context["hazards"] == report["hazards"]
        assert context["month"] == D(2026, 10, 1)
        assert [r["description"] for r in context["unrectified"]] == [
            "九月发现的灭火器过期",
            "围墙开裂",
        ]
        assert all("category_label" in r for r in context["unrectified"])
        assert [d["kind_label"] for d in context["drills"]]

    def test_not_another_schools_to_read(
        self, school, other_school, october, people, django_capture_on_commit_callbacks
    ):
        # The download page reads documents through ``Document.objects.for_user`` after
        # ``may_read``: another school's general affairs may read documents of this
        # kind, but never finds this one (a 404).
        tick(at(11, 1, 0, 5), django_capture_on_commit_callbacks)
        [document] = Document.objects.filter(kind=MONTHLY_KIND)
        kind = registry.document_kinds[MONTHLY_KIND]
        for key in ("ga", "officer", "viewer", "other_ga", "other_viewer"):
            assert may_read(people[key], kind), key
        readable = {
            key: Document.objects.for_user(people[key]).filter(pk=document.pk).exists()
            for key in ("ga", "officer", "viewer", "other_ga", "other_viewer")
        }
        assert readable == {
            "ga": True,
            "officer": True,
            "viewer": True,
            "other_ga": False,
            "other_viewer": False,
        }


def post_month(client, month, language=None):
    with speaking(client, language):
        return client.post(reverse("safety_monthly_report"), {"month": month})


def document_of(response):
    assert response.status_code == 302, response.status_code
    return Document.objects.get(pk=re.fullmatch(r"/summary/documents/(\d+)/", response.url)[1])


@pytest.mark.django_db
class TestThePage:
    """The monthly report page asks for a document; the task makes it."""

    def test_the_request_only_asks_and_the_task_makes_it(
        self, client, school, october, people, monkeypatch, django_capture_on_commit_callbacks
    ):
        from logistics.documents import pdf

        rendered = []
        real = pdf.render_pdf
        monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: rendered.append(1) or real(*a, **k))
        client.force_login(people["officer"])
        with django_capture_on_commit_callbacks(execute=False) as queued:
            document = document_of(post_month(client, "2026-10", language="en"))
        assert rendered == [] and len(queued) == 1
        assert document.status == DocumentStatus.QUEUED
        assert (document.period_start, document.period_end) == (D(2026, 10, 1), D(2026, 10, 31))
        assert document.requested_by == people["officer"] and document.language == "en"
        page = client.get(reverse("summary_document", args=[document.pk])).content.decode()
        assert 'hx-trigger="every 1s"' in page
        for callback in queued:
            callback()
        document.refresh_from_db()
        assert document.status == DocumentStatus.DONE and rendered == [1]
        response = client.get(reverse("summary_download", args=[document.pk]))
        assert response.content.startswith(b"%PDF")
        assert "hazard-check-2026-10.pdf" in response["Content-Disposition"]

    def test_asking_again_joins_a_run_and_later_makes_a_new_version(
        self, ga_client, school, october, django_capture_on_commit_callbacks
    ):
        first = document_of(post_month(ga_client, "2026-10"))
        assert document_of(post_month(ga_client, "2026-10")) == first  # being made: joined
        assert services_render(first).status == DocumentStatus.DONE
        # Ready: the report shows the records as they are now, so asking makes a new one.
        with django_capture_on_commit_callbacks(execute=True):
            response = post_month(ga_client, "2026-10")
        second = document_of(response)
        assert second.version == 2 and second.status == DocumentStatus.DONE
        page = ga_client.get(reverse("safety_monthly_report")).content.decode()
        for document in (first, second):
            assert reverse("summary_download", args=[document.pk]) in page

    def test_a_failed_report_is_retried(
        self, ga_client, school, october, monkeypatch, django_capture_on_commit_callbacks
    ):
        kind = registry.document_kinds[MONTHLY_KIND]
        calls = []

        def flaky(document, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("the database went away")
            return kind.context(document, **kwargs)

        monkeypatch.setitem(
            registry.document_kinds, kind.key, type(kind)(**{**kind.__dict__, "context": flaky})
        )
        with django_capture_on_commit_callbacks(execute=True):
            document = document_of(post_month(ga_client, "2026-10"))
        document.refresh_from_db()
        assert document.status == DocumentStatus.FAILED
        page = ga_client.get(reverse("summary_document", args=[document.pk])).content.decode()
        assert "the database went away" in page and 'data-testid="retry"' in page
        with django_capture_on_commit_callbacks(execute=True):
            ga_client.post(reverse("summary_retry", args=[document.pk]))
        document.refresh_from_db()
        assert document.status == DocumentStatus.DONE and document.version == 1

    def test_who_reads_it(
        self, client, school, october, people, make_user, django_capture_on_commit_callbacks
    ):
        client.force_login(people["ga"])
        with django_capture_on_commit_callbacks(execute=True):
            document = document_of(post_month(client, "2026-10"))
        urls = [
            reverse("summary_document", args=[document.pk]),
            reverse("summary_download", args=[document.pk]),
        ]
        page_link = f'href="{reverse("safety_monthly_report")}" data-testid="document-index"'
        for key in ("ga", "officer", "viewer"):
            client.force_login(people[key])
            assert [client.get(url).status_code for url in urls] == [200, 200], key
            # Back to the report page: for those who may ask for reports there.
            linked = page_link in client.get(urls[0]).content.decode()
            assert linked == (key != "viewer"), key
        principal = make_user(Role.PRINCIPAL, school)
        client.force_login(principal)
        assert [client.get(url).status_code for url in urls] == [200, 200]
        for key in ("other_ga", "other_viewer"):
            client.force_login(people[key])
            assert [client.get(url).status_code for url in urls] == [404, 404], key
            assert client.post(reverse("summary_retry", args=[document.pk])).status_code == 404
        client.force_login(make_user(Role.STAFF, school))
        assert [client.get(url).status_code for url in urls] == [403, 403]
        assert post_month(client, "2026-10").status_code == 403
        # Another school's page lists its own reports only.
        client.force_login(people["other_ga"])
        page = client.get(reverse("safety_monthly_report")).content.decode()
        assert reverse("summary_download", args=[document.pk]) not in page

    def test_a_month_not_begun_is_refused(self, ga_client, school):
        response = post_month(ga_client, "2999-01")
        assert response.status_code == 400 and not Document.objects.exists()
        with pytest.raises(ValidationError):
            monthly_request(school=school, month=D(2999, 1, 1))


def services_render(document):
    from logistics.documents.services.documents import document_render

    return document_render(document.pk)
