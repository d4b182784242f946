"""Safety report pages: the role × page matrix; the rectification rate page showing the
selectors' numbers (and following a hazard being closed) in a constant number of
queries; drills and their form (bad input stores nothing); responsibility agreements
(scans: PDF or picture, nothing else, not too big; withdrawing); the monthly hazard
check report as a PDF (its counts, an embedded CJK font); another school sees nothing."""

import datetime
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from logistics.choices import Role
from logistics.common.periods import resolve_period
from safety.choices import (
    AgreementKind,
    DrillKind,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    SafetyArea,
)
from safety.forms.reports import (
    MonthForm,
    SchoolPeriodForm,
    parse_duration,
    period_picker,
    resolve_school_period,
)
from safety.models import Drill, DrillPhoto, SafetyAgreement
from safety.selectors.reports import monthly_report, unrectified_at_month_end
from safety.selectors.rows import format_duration
from safety.selectors.stats import (
    RECTIFICATION_RATE_DEFINITION,
    rectification_by,
    rectification_rate,
)
from safety.services import hazards as hazard_services
from safety.views.reports import period_form
from tests import factories
from tests.language import speaking, zh
from tests.matrix import ALL_ROLES, Page, check_page, roles
from tests.safety_factories import (
    AgreementFactory,
    DrillFactory,
    HazardFactory,
    InspectionFactory,
    template_with_items,
)

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date
GA = Role.GENERAL_AFFAIRS
SO = Role.SAFETY_OFFICER
PRINCIPAL = Role.PRINCIPAL
SEPTEMBER = "?start=2026-09-01&end=2026-09-30"

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) are not installed",
)


@pytest.fixture(autouse=True)
def _english(client):
    """The pages in English (their labels are compared below): the language switch's
    cookie; a test may choose Chinese with its own."""
    client.cookies["django_language"] = "en"


def at(month, day, hour=9, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def _drill(school):
    return {"pk": DrillFactory(school=school).pk}


def _agreement(school):
    return {"pk": AgreementFactory(school=school).pk}


PAGES = [
    Page("safety_rate", roles(GA, PRINCIPAL)),
    Page("safety_drill_list", roles(GA, SO, PRINCIPAL)),
    Page("safety_drill_create", roles(GA, SO)),
    Page("safety_drill_detail", roles(GA, SO, PRINCIPAL), kwargs=_drill),
    Page("safety_drill_edit", roles(GA, SO), kwargs=_drill),
    Page("safety_agreement_list", roles(GA, PRINCIPAL)),
    Page("safety_agreement_create", roles(GA)),
    Page(
        "safety_agreement_retire",
        roles(GA),
        kwargs=_agreement,
        method="post",
        data=lambda kwargs: {"reason": "签错了"},
        ok=302,
    ),
    Page("safety_monthly_report", roles(GA, SO, PRINCIPAL)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_role_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


def monthly_pdf(client, capture, month, **extra):
    """Ask for a month's report (the document task runs when the request commits) and
    download it from the document's page."""
    with speaking(client, extra.pop("language", None)):
        with capture(execute=True):
            response = client.post(reverse("safety_monthly_report"), {"month": month}, **extra)
        assert response.status_code == 302, response.status_code
        pk = re.fullmatch(r"/summary/documents/(\d+)/", response.url)[1]
        return client.get(reverse("summary_download", args=[pk]), **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [GA, SO, PRINCIPAL, Role.STAFF, Role.DISTRICT_VIEWER])
def test_monthly_pdf_matrix(client, role, school, make_user, django_capture_on_commit_callbacks):
    client.force_login(make_user(role, school))
    if role in (GA, SO, PRINCIPAL):
        response = monthly_pdf(client, django_capture_on_commit_callbacks, "2026-09")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    else:
        response = client.post(reverse("safety_monthly_report"), {"month": "2026-09"})
        assert response.status_code == 403


def figure(response, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', response.content.decode())
    assert match, f"{testid} not on the page"
    return match.group(1).strip()


def table_rows(response, testid):
    """The rows of a table as lists of cell texts (tags stripped)."""
    html = response.content.decode()
    match = re.search(rf'data-testid="{testid}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert match, f"{testid} not on the page"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


# --- The rectification rate page ---------------------------------------------------------


@pytest.fixture
def september(school, other_school):
    """A month of one school's hazards (and one of another school's)."""
    dept = factories.DepartmentFactory(school=school, name="后勤保障科")
    building = factories.BuildingFactory(school=school, name="求真楼")
    room = factories.RoomFactory(building=building, number="101")
    rows = {
        "closed": HazardFactory(
            school=school,
            found_at=at(9, 1),
            status=HazardStatus.CLOSED,
            closed_at=at(9, 3),
            department=dept,
            room=room,
        ),
        "late": HazardFactory(
            school=school,
            found_at=at(9, 28),
            status=HazardStatus.CLOSED,
            closed_at=at(10, 2),
            category=SafetyArea.ELECTRICAL,
        ),
        "overdue": HazardFactory(
            school=school,
            found_at=at(9, 5),
            status=HazardStatus.RECTIFYING,
            deadline=D(2026, 9, 10),
            category=SafetyArea.ELECTRICAL,
            department=dept,
            description="配电箱门未上锁",
        ),
        "checking": HazardFactory(
            school=school,
            found_at=at(9, 20),
            status=HazardStatus.AWAITING_CHECK,
            level=HazardLevel.MAJOR,
            room=room,
        ),
        "withdrawn": HazardFactory(school=school, found_at=at(9, 21), status="withdrawn"),
    }
    HazardFactory(school=other_school, found_at=at(9, 10), description="别校的隐患")
    return rows


@pytest.mark.django_db
class TestRatePage:
    def test_the_figures_are_the_selectors(self, ga_client, school, september):
        response = ga_client.get(reverse("safety_rate") + SEPTEMBER)
        assert response.status_code == 200
        expected = rectification_rate(school, D(2026, 9, 1), D(2026, 9, 30))
        assert (expected["found"], expected["rectified"]) == (4, 1)
        assert figure(response, "rate-found") == str(expected["found"])
        assert figure(response, "rate-rectified") == str(expected["rectified"])
        assert figure(response, "rate-value") == f"{expected['rate']}%" == "25.0%"
        assert figure(response, "rate-unrectified") == "3"
        assert figure(response, "rate-overdue") == str(expected["overdue"]) == "1"
        assert figure(response, "rate-major") == "0 / 1"
        with translation.override("en"):
            assert str(RECTIFICATION_RATE_DEFINITION) in response.content.decode()
        # The tables hold the breakdowns' numbers, rates included.
        for testid, dimension in (
            ("rate-per-category", "category"),
            ("rate-per-level", "level"),
            ("rate-per-department", "department"),
        ):
            rows = rectification_by(school, D(2026, 9, 1), D(2026, 9, 30), dimension)
            shown = table_rows(response, testid)
            assert [r[1:3] for r in shown] == [[str(r["found"]), str(r["rectified"])] for r in rows]
            assert [r[3] for r in shown] == [
                f"{r['rate']}%" if r["rate"] is not None else "—" for r in rows
            ]
        months = table_rows(response, "rate-per-month")
        assert months == [["2026-09", "4", "1", "25.0%"]]
        # The monthly chart is a vector drawing on the page.
        assert "<svg" in response.content.decode()

    def test_links_to_the_ledger(self, ga_client, school, september):
        response = ga_client.get(reverse("safety_rate") + SEPTEMBER)
        html = response.content.decode()
        ledger = reverse("safety_hazard_list")
        period = "found_from=2026-09-01&amp;found_to=2026-09-30"
        assert f'href="{ledger}?{period}&amp;category=electrical"' in html
        assert f'href="{ledger}?{period}&amp;level=major"' in html
        dept = september["closed"].department_id
        assert f'href="{ledger}?{period}&amp;department={dept}"' in html
        assert f'href="{ledger}?overdue=true"' in html
        # The overdue list links each hazard's page.
        overdue = table_rows(response, "overdue-list")
        assert len(overdue) == 1 and overdue[0][0] == f"#{september['overdue'].pk}"
        detail = reverse("safety_hazard_detail", args=[september["overdue"].pk])
        assert f'href="{detail}"' in html
        assert figure(response, "overdue-total") == "1"

    def test_closing_a_hazard_changes_the_figures(self, ga_client, school, september, make_user):
        url = reverse("safety_rate") + SEPTEMBER
        before = ga_client.get(url)
        assert figure(before, "rate-rectified") == "1"
        checker = make_user(GA, school)
        hazard = september["checking"]
        close_at = at(9, 25, 10)
        hazard_services.hazard_verify(hazard, actor=checker, approve=True, now=close_at)
        after = ga_client.get(url)
        assert figure(after, "rate-rectified") == "2"
        assert figure(after, "rate-value") == "50.0%"
        assert figure(after, "rate-major") == "1 / 1"
        # (the general row's label carries its one overdue hazard as a badge)
        assert table_rows(after, "rate-per-level") == [
            ["General 1", "3", "1", "33.3%"],
            ["Major", "1", "1", "100.0%"],
        ]

    def test_empty_period_and_bad_period(self, ga_client, school):
        response = ga_client.get(reverse("safety_rate") + SEPTEMBER)
        assert figure(response, "rate-value") == "—"
        assert b'data-testid="rate-empty"' in response.content
        assert b'data-testid="overdue-list"' not in response.content
        bad = ga_client.get(reverse("safety_rate") + "?start=2026-09-30&end=2026-09-01")
        assert bad.status_code == 200
        assert b'data-testid="period-errors"' in bad.content
        assert b'data-testid="rate-value"' not in bad.content

    def test_default_period_is_the_current_semester(self, ga_client, school):
        factories.SemesterFactory(
            school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31), is_current=True
        )
        HazardFactory(school=school, found_at=at(11, 3))
        response = ga_client.get(reverse("safety_rate"))
        assert figure(response, "rate-found") == "1"
        months = [row[0] for row in table_rows(response, "rate-per-month")]
        assert months == ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]

    def test_choosing_a_semester(self, ga_client, school, other_school, september):
        autumn = factories.SemesterFactory(
            school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31)
        )
        foreign = factories.SemesterFactory(
            school=other_school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31)
        )
        response = ga_client.get(reverse("safety_rate"), {"semester": autumn.pk})
        assert figure(response, "rate-found") == "4"
        assert f'<option value="{autumn.pk}" selected>' in response.content.decode()
        refused = ga_client.get(reverse("safety_rate"), {"semester": foreign.pk})
        assert b'data-testid="period-errors"' in refused.content
        assert b'data-testid="rate-found"' not in refused.content
        both = ga_client.get(reverse("safety_rate"), {"semester": autumn.pk, "start": "2026-09-01"})
        assert b'data-testid="period-errors"' in both.content

    def test_another_school_sees_only_its_own(
        self, client, school, other_school, september, make_user
    ):
        client.force_login(make_user(GA, other_school))
        response = client.get(reverse("safety_rate") + SEPTEMBER)
        assert figure(response, "rate-found") == "1"
        html = response.content.decode()
        assert "配电箱门未上锁" not in html and "求真楼" not in html and "后勤保障科" not in html
        assert figure(response, "overdue-total") == "0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"start": "2026-09-01", "end": "2026-09-30"},
        {"start": "2026-09-30", "end": "2026-09-01"},
        {"semester": "999999"},
        {"semester": "x", "start": "2026-01-01"},
        {"semester": "current"},
        {"start": 'bad<>"'},
    ],
)
def test_the_period_form_is_the_dashboards(school, data):
    """The rate page reads its period in one query and draws its picker itself: the same
    period as ``resolve_period`` and the same markup as the dashboard's ``period-form``
    partial, errors and all, in Chinese."""
    current = factories.SemesterFactory(
        school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31), is_current=True
    )
    factories.SemesterFactory(
        school=school,
        start_date=D(2026, 2, 1),
        end_date=D(2026, 7, 10),
        term=2,
        academic_year=2025,
    )
    if data.get("semester") == "current":
        data = {"semester": str(current.pk)}

    def squeeze(html):
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()

    with translation.override("zh-hans"):
        picker = period_picker(school, data)
        core_form, core_period = resolve_period(school, data)
        if data:  # (the core's semester field words a wrong choice differently)
            form = SchoolPeriodForm(data, school=school)
            form.is_valid()
        else:
            form = core_form
        expected = render_to_string(
            "core/dashboard.html#period-form", {"form": form, "period": picker.period}
        )
        assert squeeze(period_form(picker)) == squeeze(expected)
    assert picker.period == core_period == resolve_school_period(school, data)[1]
    if data == {}:
        assert picker.period.semester == current


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _school_with(n):
    """A school with ``n`` hazards (of every kind), drills and agreements."""
    school = factories.SchoolFactory()
    factories.SemesterFactory(
        school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31), is_current=True
    )
    departments = [factories.DepartmentFactory(school=school) for _ in range(3)]
    rooms = [factories.RoomFactory(building__school=school) for _ in range(3)]
    statuses = [HazardStatus.CLOSED, HazardStatus.RECTIFYING, HazardStatus.REPORTED]
    for i in range(n):
        status = statuses[i % 3]
        extra = {"deadline": D(2026, 9, 5)} if status == HazardStatus.RECTIFYING else {}
        HazardFactory(
            school=school,
            found_at=at(9 + i % 4, 1 + i % 28),
            status=status,
            closed_at=at(9 + i % 4, 1 + i % 28, 18) if status == HazardStatus.CLOSED else None,
            **extra,
            category=SafetyArea.values[i % len(SafetyArea.values)],
            level=HazardLevel.MAJOR if i % 5 == 0 else HazardLevel.GENERAL,
            department=departments[i % 3],
            room=rooms[i % 3] if i % 2 else None,
        )
    ga = factories.user_with_role(GA, school=school)
    for i in range(max(1, n // 5)):
        DrillFactory(school=school, held_on=D(2026, 9 + i % 4, 1 + i % 28), recorded_by=ga)
        AgreementFactory(school=school, recorded_by=ga)
    return school, ga


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("safety_rate"),
        reverse("safety_rate") + "?start=2026-09-01&end=2026-12-31",
        reverse("safety_drill_list"),
        reverse("safety_agreement_list") + "?year=2026",
    ],
)
def test_queries_do_not_grow_with_the_data(client, settings, url):
    settings.DEBUG = False
    counts = []
    for n in (5, 50):
        school, ga = _school_with(n)
        client.force_login(ga)
        client.get(url)  # warm up: per-process caches (role permissions, statements)
        cache.clear()  # the rate page's figures are read again
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts
    if url.startswith(reverse("safety_rate")):
        assert counts[1] <= 10, counts


def _hazard_reads(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    reads = [q["sql"] for q in captured if '"safety_hazard"' in q["sql"]]
    return reads, response


@pytest.mark.django_db
def test_rate_page_is_one_statement_for_the_hazards(client, settings):
    """The hazards are read once (one statement for every breakdown), the overdue list
    once; nothing per row. The figures are then kept until a hazard changes."""
    settings.DEBUG = False
    school, ga = _school_with(30)
    client.force_login(ga)
    url = reverse("safety_rate")
    reads, first = _hazard_reads(client, url)
    assert len(reads) == 2, reads
    reads, again = _hazard_reads(client, url)
    assert reads == []  # from the cache
    for tile in ("rate-found", "rate-rectified", "rate-overdue", "rate-major"):
        assert _tile(again, tile) == _tile(first, tile)


@pytest.mark.django_db
def test_rate_page_keeps_its_figures_markup_per_language(client, settings):
    """The figures' tables are rendered once per figures stamp, period, day and
    language: a second view serves the kept markup, another language its own."""
    settings.DEBUG = False
    school, ga = _school_with(12)
    client.force_login(ga)
    url = reverse("safety_rate")
    with speaking(client, "zh-hans"):
        first = client.get(url)
        assert "safety/rate/_figures.html" in [t.name for t in first.templates]
        again = client.get(url)
        assert "safety/rate/_figures.html" not in [t.name for t in again.templates]
    assert _tile(again, "rate-found") == _tile(first, "rate-found") == "12"
    assert zh("By category") in again.content.decode()
    with speaking(client, "en"):
        english = client.get(url)
    assert "safety/rate/_figures.html" in [t.name for t in english.templates]
    assert "By category" in english.content.decode()
    assert zh("By category") not in english.content.decode()


def _tile(response, name):
    return (
        re.search(rf'data-testid="{name}"[^>]*>\s*([^<]+)<', response.content.decode())
        .group(1)
        .strip()
    )


@pytest.mark.django_db
def test_rate_page_shows_a_change_at_once(client, settings):
    """A rectified hazard recorded, a department renamed: the next view of the
    page reads the figures again (the school's figures stamp moved)."""
    settings.DEBUG = False
    school, ga = _school_with(9)
    client.force_login(ga)
    url = reverse("safety_rate")
    _reads, before = _hazard_reads(client, url)
    school.refresh_from_db()
    version = school.figures_version
    HazardFactory(
        school=school, found_at=at(10, 1), status=HazardStatus.CLOSED, closed_at=at(10, 1, 18)
    )
    school.refresh_from_db()
    assert school.figures_version == version + 1
    reads, after = _hazard_reads(client, url)
    assert len(reads) == 2
    assert int(_tile(after, "rate-rectified")) == int(_tile(before, "rate-rectified")) + 1

    department = school.departments.order_by("pk").first()
    from logistics.services.organisation import department_save

    department_save(school=school, instance=department, name="新名字的部门")
    reads, renamed = _hazard_reads(client, url)
    assert len(reads) == 2
    assert "新名字的部门" in renamed.content.decode()


# --- Drills --------------------------------------------------------------------------------


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def drill_data(**extra):
    data = {
        "kind": DrillKind.FIRE_EVACUATION,
        "held_on": "2026-09-15",
        "title": "秋季消防疏散演练",
        "location": "操场",
        "participants": "1200",
        "evacuation_time": "3:05",
        "notes": "全校师生参加",
    }
    data.update(extra)
    return data


@pytest.fixture
def officer_client(client, school, make_user):
    client.force_login(make_user(SO, school))
    return client


@pytest.mark.django_db
class TestDrills:
    def test_record_with_photos(self, officer_client, school, settings):
        photos = [factories.photo_upload(name=f"p{i}.jpg") for i in range(2)]
        response = officer_client.post(reverse("safety_drill_create"), drill_data(photos=photos))
        assert response.status_code == 302
        drill = Drill.objects.get(school=school)
        assert response.url == reverse("safety_drill_detail", args=[drill.pk])
        assert (drill.participants, drill.evacuation_seconds) == (1200, 185)
        assert drill.photos.count() == 2 and len(media_files(settings)) == 2
        page = officer_client.get(response.url)
        assert figure(page, "drill-participants") == "1200"
        assert "3:05" in figure(page, "drill-evacuation")
        assert page.content.decode().count("ticket-photo") == 2

    @pytest.mark.parametrize(
        "bad",
        [
            {"participants": "-5"},
            {"participants": "0"},
            {"participants": "many"},
            {"evacuation_time": "3:75"},
            {"evacuation_time": "soon"},
            {"held_on": "2099-01-01"},
            {"kind": "picnic"},
            {"photos": [SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")]},
            {"photos": [factories.photo_upload(name=f"p{i}.jpg") for i in range(7)]},
        ],
        ids=[
            "negative",
            "zero",
            "words",
            "seconds",
            "time",
            "future",
            "kind",
            "bad-photo",
            "seven-photos",
        ],
    )
    def test_bad_input_stores_nothing(self, officer_client, school, settings, bad):
        if "photos" not in bad:
            bad["photos"] = [factories.photo_upload()]
        response = officer_client.post(reverse("safety_drill_create"), drill_data(**bad))
        assert response.status_code == 400
        assert b"invalid-feedback" in response.content
        assert not Drill.objects.exists() and not DrillPhoto.objects.exists()
        assert media_files(settings) == []

    def test_edit_keeps_earlier_photos(self, client, school, make_user, settings):
        ga = make_user(GA, school)
        client.force_login(ga)
        client.post(reverse("safety_drill_create"), drill_data(photos=[factories.photo_upload()]))
        drill = Drill.objects.get()
        form = client.get(reverse("safety_drill_edit", args=[drill.pk]))
        assert 'value="3:05"' in form.content.decode()
        response = client.post(
            reverse("safety_drill_edit", args=[drill.pk]),
            drill_data(participants="900", evacuation_time="", photos=[factories.photo_upload()]),
        )
        assert response.status_code == 302
        drill.refresh_from_db()
        assert (drill.participants, drill.evacuation_seconds) == (900, None)
        assert drill.photos.count() == 2
        bad = client.post(
            reverse("safety_drill_edit", args=[drill.pk]), drill_data(participants="-1")
        )
        assert bad.status_code == 400
        drill.refresh_from_db()
        assert drill.participants == 900

    def test_principal_reads_but_does_not_edit(self, client, school, make_user):
        drill = DrillFactory(school=school)
        client.force_login(make_user(PRINCIPAL, school))
        page = client.get(reverse("safety_drill_detail", args=[drill.pk]))
        assert page.status_code == 200 and b'data-testid="drill-edit"' not in page.content
        assert client.get(reverse("safety_drill_list")).content.count(b"drill-add") == 0

    def test_list_and_the_monthly_requirement(self, officer_client, school, other_school):
        factories.SemesterFactory(school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31))
        DrillFactory(school=school, held_on=D(2026, 9, 15), title="消防疏散")
        DrillFactory(school=school, held_on=D(2026, 11, 2), kind=DrillKind.EARTHQUAKE)
        DrillFactory(school=other_school, held_on=D(2026, 10, 8), title="别校演练")
        response = officer_client.get(
            reverse("safety_drill_list") + "?start=2026-09-01&end=2026-11-30"
        )
        months = table_rows(response, "drill-months")
        assert [(m[0], m[1], m[4]) for m in months] == [
            ("2026-09", "1", "Met"),
            ("2026-10", "0", "Not met"),
            ("2026-11", "1", "Met"),
        ]
        assert figure(response, "drills-met") == "Requirement met in 2 of 3 months"
        drills = table_rows(response, "drill-list")
        assert len(drills) == 2 and "别校演练" not in response.content.decode()

    def test_another_schools_drill_is_not_found(self, client, school, other_school, make_user):
        drill = DrillFactory(school=school)
        client.force_login(make_user(GA, other_school))
        assert client.get(reverse("safety_drill_detail", args=[drill.pk])).status_code == 404
        response = client.post(
            reverse("safety_drill_edit", args=[drill.pk]), drill_data(participants="1")
        )
        assert response.status_code == 404
        drill.refresh_from_db()
        assert drill.participants == 800

    @pytest.mark.parametrize(
        ("text", "seconds"),
        [
            ("3:05", 185),
            ("3：05", 185),
            ("3分05秒", 185),
            ("4分", 240),
            ("185", 185),
            ("185秒", 185),
            ("", None),
        ],
    )
    def test_durations(self, text, seconds):
        assert parse_duration(text) == seconds
        if seconds:
            assert parse_duration(format_duration(seconds)) == seconds


# --- Responsibility agreements ---------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def agreement_data(signer, **extra):
    data = {
        "signer": signer.pk,
        "kind": AgreementKind.STAFF,
        "title": "",
        "year": "2026",
        "signed_on": "2026-09-01",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
class TestAgreements:
    def test_a_pdf_scan_is_accepted(self, ga_client, school, make_user, settings):
        signer = make_user(Role.STAFF, school)
        scan = SimpleUploadedFile("责任状.pdf", PDF, content_type="application/pdf")
        response = ga_client.post(
            reverse("safety_agreement_create"), agreement_data(signer, scan=scan)
        )
        assert response.status_code == 302
        assert response.url == reverse("safety_agreement_list") + "?year=2026"
        agreement = SafetyAgreement.objects.get(signer=signer)
        assert agreement.file_type == "application/pdf" and agreement.file.endswith(".pdf")
        assert agreement.title == str(AgreementKind.STAFF.label)
        assert len(media_files(settings)) == 1
        listed = ga_client.get(response.url)
        rows = table_rows(listed, "agreement-list")
        assert len(rows) == 1 and "PDF" in rows[0][3]
        assert agreement.file_url in listed.content.decode()
        # The scan is served to general affairs, not to another person of the school.
        served = ga_client.get(agreement.file_url)
        assert served.status_code == 200
        served.close()

    def test_a_picture_scan_is_accepted(self, ga_client, school, make_user):
        signer = make_user(Role.STAFF, school)
        response = ga_client.post(
            reverse("safety_agreement_create"),
            agreement_data(signer, scan=factories.photo_upload(name="scan.png")),
        )
        assert response.status_code == 302
        assert SafetyAgreement.objects.get(signer=signer).file_type == "image/jpeg"

    @pytest.mark.parametrize("case", ["text", "fake-pdf", "too-big-pdf", "too-big-picture"])
    def test_other_files_are_refused(self, ga_client, school, make_user, settings, case):
        signer = make_user(Role.STAFF, school)
        if case == "text":
            scan = SimpleUploadedFile(
                "a.pdf", b"hello, this is text", content_type="application/pdf"
            )
        elif case == "fake-pdf":
            scan = SimpleUploadedFile(
                "a.pdf", b"%PDF-1.4 but cut off", content_type="application/pdf"
            )
        elif case == "too-big-pdf":
            settings.UPLOAD_PDF_MAX_BYTES = 20
            scan = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
        else:
            settings.UPLOAD_IMAGE_MAX_BYTES = 100
            scan = factories.photo_upload(size=(400, 300))
        response = ga_client.post(
            reverse("safety_agreement_create"), agreement_data(signer, scan=scan)
        )
        assert response.status_code == 400
        assert b"invalid-feedback" in response.content
        assert not SafetyAgreement.objects.exists()
        assert media_files(settings) == []

    def test_one_valid_agreement_a_year(self, ga_client, school, make_user):
        signer = make_user(Role.STAFF, school)
        AgreementFactory(school=school, signer=signer)
        response = ga_client.post(reverse("safety_agreement_create"), agreement_data(signer))
        assert response.status_code == 400
        assert "already has this agreement" in response.content.decode()
        assert SafetyAgreement.objects.count() == 1

    def test_signer_of_another_school_is_refused(self, ga_client, school, other_school, make_user):
        stranger = make_user(Role.STAFF, other_school)
        response = ga_client.post(reverse("safety_agreement_create"), agreement_data(stranger))
        assert response.status_code == 400
        assert not SafetyAgreement.objects.exists()

    def test_prefilled_from_the_missing_list(self, ga_client, school, make_user):
        signer = make_user(Role.STAFF, school, name="王老师")
        listed = ga_client.get(reverse("safety_agreement_list") + "?year=2026")
        link = f"{reverse('safety_agreement_create')}?signer={signer.pk}&amp;year=2026"
        assert link in listed.content.decode()
        form = ga_client.get(link.replace("&amp;", "&"))
        assert re.search(rf'<option value="{signer.pk}" selected>', form.content.decode())

    def test_coverage_list_and_missing(self, ga_client, school, general_affairs, make_user):
        signed = make_user(Role.STAFF, school, name="李老师")
        missing = make_user(Role.STAFF, school, name="张老师")
        AgreementFactory(school=school, signer=signed, recorded_by=general_affairs)
        AgreementFactory(school=school, signer=general_affairs, recorded_by=general_affairs)
        AgreementFactory(school=school, signer=missing, year=2025, recorded_by=general_affairs)
        response = ga_client.get(reverse("safety_agreement_list") + "?year=2026")
        assert figure(response, "coverage-staff") == "3"
        assert figure(response, "coverage-covered") == "2"
        assert figure(response, "coverage-rate") == "66.7%"
        assert figure(response, "coverage-missing") == "1"
        missing_list = re.search(
            r'data-testid="agreement-missing">(.*?)</ul>', response.content.decode(), re.S
        ).group(1)
        assert "张老师" in missing_list and "李老师" not in missing_list
        assert len(table_rows(response, "agreement-list")) == 2
        last_year = ga_client.get(reverse("safety_agreement_list") + "?year=2025")
        assert len(table_rows(last_year, "agreement-list")) == 1

    def test_withdraw(self, ga_client, school):
        agreement = AgreementFactory(school=school)
        url = reverse("safety_agreement_retire", args=[agreement.pk])
        refused = ga_client.post(url, {"reason": "  "}, follow=True)
        agreement.refresh_from_db()
        assert agreement.is_active and refused.status_code == 200
        response = ga_client.post(url, {"reason": "重复登记"})
        assert response.status_code == 302
        agreement.refresh_from_db()
        assert not agreement.is_active and agreement.retired_reason == "重复登记"
        again = ga_client.post(url, {"reason": "再次"}, follow=True)
        assert "already withdrawn" in again.content.decode()
        assert ga_client.get(url).status_code == 405

    def test_another_school_sees_nothing(self, client, school, other_school, make_user):
        agreement = AgreementFactory(school=school, title="本校责任状")
        client.force_login(make_user(GA, other_school))
        response = client.get(reverse("safety_agreement_list") + "?year=2026")
        assert "本校责任状" not in response.content.decode()
        assert figure(response, "coverage-covered") == "0"
        retire = client.post(
            reverse("safety_agreement_retire", args=[agreement.pk]), {"reason": "x"}
        )
        assert retire.status_code == 404
        agreement.refresh_from_db()
        assert agreement.is_active


# --- The monthly report ---------------------------------------------------------------------


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


@pytest.fixture
def october(school, other_school):
    """October 2026 of one school: inspections, hazards (one overdue from September),
    drills."""
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
            school=school,
            found_at=at(10, day),
            status=HazardStatus.CLOSED,
            closed_at=at(10, day + 1),
            category=SafetyArea.ELECTRICAL,
        )
    HazardFactory(
        school=school,
        found_at=at(10, 25),
        status=HazardStatus.REPORTED,
        level=HazardLevel.MAJOR,
        category=SafetyArea.BUILDINGS,
        description="围墙开裂",
    )
    DrillFactory(school=school, held_on=D(2026, 10, 16), title="消防疏散演练", participants=1234)
    HazardFactory(school=other_school, found_at=at(10, 8), description="别校的隐患")
    DrillFactory(school=other_school, held_on=D(2026, 10, 9), title="别校演练")


@pytest.mark.django_db
class TestMonthlyReport:
    def test_the_selector(self, school, october):
        report = monthly_report(school, D(2026, 10, 31), now=at(11, 2))
        assert (report["start"], report["end"]) == (D(2026, 10, 1), D(2026, 10, 31))
        h = report["hazards"]
        assert (h["found"], h["rectified"], h["rate"]) == (4, 3, Decimal("75.0"))
        assert [r["description"] for r in report["unrectified"]] == [
            "九月发现的灭火器过期",
            "围墙开裂",
        ]
        assert [r["overdue"] for r in report["unrectified"]] == [True, False]
        assert report["overdue"] == 1
        assert (report["inspections"]["total"], report["inspections"]["submitted"]) == (4, 3)
        assert [d["title"] for d in report["drills"]] == ["消防疏散演练"]
        assert report["drill_month"]["met"] is True

    def test_the_list_is_capped_overdue_first(self, school):
        def make(day, deadline, **kwargs):
            return HazardFactory(
                school=school,
                found_at=at(10, day),
                status=HazardStatus.RECTIFYING,
                deadline=deadline,
                **kwargs,
            )

        late = [make(d, D(2026, 10, 20 - d)) for d in (1, 2, 3)]  # overdue by 31 October
        on_time = [make(d, D(2026, 11, 30)) for d in (4, 5)]
        handed_in = make(6, D(2026, 10, 10), rectified_at=at(10, 9), rectification_note="修好")
        report = monthly_report(school, D(2026, 10, 1), now=at(11, 2))
        assert (report["unrectified_total"], report["overdue"]) == (6, 3)
        short = unrectified_at_month_end(school, D(2026, 10, 1), limit=4)
        assert [r["pk"] for r in short["rows"]] == [
            late[2].pk,  # the longest overdue first (deadline 17 October)
            late[1].pk,
            late[0].pk,
            handed_in.pk,  # then by deadline: handed in by 10 October, not overdue
        ]
        assert [r["overdue"] for r in short["rows"]] == [True, True, True, False]
        assert (short["total"], short["overdue"]) == (6, 3)
        everything = unrectified_at_month_end(school, D(2026, 10, 1), limit=None)["rows"]
        assert [r["pk"] for r in everything[4:]] == [h.pk for h in on_time]

    def test_closed_after_the_month_still_counts_as_open_then(self, school):
        hazard = HazardFactory(
            school=school,
            found_at=at(10, 3),
            status=HazardStatus.CLOSED,
            closed_at=at(11, 4),
            deadline=D(2026, 10, 20),
        )
        report = monthly_report(school, D(2026, 10, 1), now=at(11, 10))
        assert report["hazards"]["rectified"] == 0
        [row] = report["unrectified"]
        assert row["pk"] == hazard.pk and row["closed_since"] and row["overdue"]

    def test_the_page_offers_last_month(self, ga_client):
        response = ga_client.get(reverse("safety_monthly_report"))
        assert response.status_code == 200
        today = timezone.localdate()
        last = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        assert f'value="{last}"' in response.content.decode()
        assert b'type="month"' in response.content

    @pytest.mark.parametrize("month", ["2026-13", "soon", "2999-01", ""])
    def test_a_wrong_month_is_explained(self, ga_client, month):
        response = ga_client.post(reverse("safety_monthly_report"), {"month": month})
        assert response.status_code == 400
        assert b"invalid-feedback" in response.content

    def test_month_form_default(self):
        form = MonthForm(today=D(2026, 1, 15))
        assert form.initial["month"] == D(2025, 12, 1)

    @needs_poppler
    def test_the_pdf(
        self, ga_client, school, october, tmp_path, django_capture_on_commit_callbacks
    ):
        response = monthly_pdf(
            ga_client, django_capture_on_commit_callbacks, "2026-10", language="zh-hans"
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "hazard-check-2026-10.pdf" in response["Content-Disposition"]
        # (table cells wrap Chinese anywhere: compare without the white space)
        flat = re.sub(r"\s+", "", poppler("pdftotext", response.content, tmp_path))
        assert "武进实验中学2026年10月" in flat
        assert "75.0%" in flat
        assert "九月发现的灭火器过期" in flat and "围墙开裂" in flat
        assert "消防疏散演练" in flat and "1234" in flat
        assert "别校" not in flat
        fonts = poppler("pdffonts", response.content, tmp_path)
        assert re.search(r"(Noto-?Sans-?CJK|Noto-?Serif-?CJK|WenQuanYi)\S*.*\byes\b", fonts), fonts

    @needs_poppler
    def test_the_pdf_in_english_with_its_counts(
        self, ga_client, school, october, tmp_path, django_capture_on_commit_callbacks
    ):
        response = monthly_pdf(
            ga_client, django_capture_on_commit_callbacks, "2026-10", language="en"
        )
        text = re.sub(r"\s+", " ", poppler("pdftotext", response.content, tmp_path))
        assert "Hazards found this month: 4; rectified by the end of the month: 3;" in text
        assert "Overdue at the end of the month: 1." in text
        assert "Inspections done: 3 of 4." in text
        assert "Drills held: 1." in text
        assert "October 2026" in text

    @needs_poppler
    def test_another_school_gets_its_own_empty_report(
        self,
        client,
        school,
        other_school,
        october,
        make_user,
        tmp_path,
        django_capture_on_commit_callbacks,
    ):
        client.force_login(make_user(GA, other_school))
        response = monthly_pdf(client, django_capture_on_commit_callbacks, "2026-10", language="en")
        text = re.sub(r"\s+", " ", poppler("pdftotext", response.content, tmp_path))
        assert "武进实验中学" not in text and "围墙开裂" not in text.replace(" ", "")
        assert "Hazards found this month: 1;" in text
