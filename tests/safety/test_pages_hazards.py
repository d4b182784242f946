"""Hazard pages (隐患台账): the role × page × school matrix, reporting through the form
(bad photos, double submits), the whole rectification workflow through the pages and its
refusals, the ledger (filters, sorting, overdue rows, who sees what), its export, the
written report of a major hazard (PDF) and query counts."""

import datetime
import io
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from logistics.choices import Role
from logistics.selectors import status_history
from safety import services
from safety.choices import HazardLevel, HazardPhotoKind, HazardStatus, SafetyArea
from safety.models import Hazard, HazardDeferral, HazardPhoto, RectificationPlan
from tests import factories
from tests.matrix import ALL_ROLES, EVERYONE, Page, check_page, expect, roles
from tests.safety_factories import HazardFactory, clean_photo

GA = Role.GENERAL_AFFAIRS
SO = Role.SAFETY_OFFICER
PRINCIPAL = Role.PRINCIPAL
SEE_ALL = roles(GA, SO, PRINCIPAL)
LEDGER = EVERYONE - {Role.DISTRICT_VIEWER}
REPORTERS = EVERYONE - {PRINCIPAL, Role.DISTRICT_VIEWER}

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) are not installed",
)


@pytest.fixture
def client(client):
    """Pages in English (the language switch's cookie), so the tests can read them."""
    client.cookies["django_language"] = "en"
    return client


def today():
    return timezone.localdate()


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


# --- The role × page × school matrix -----------------------------------------------------------


def _hazard(school, **kwargs):
    return HazardFactory(school=school, **kwargs)


def _hazard_kwargs(school):
    return {"pk": _hazard(school).pk}


def _withdraw(school):
    return {"pk": _hazard(school).pk, "action": "withdraw"}


def _major(school):
    return {"pk": _hazard(school, level=HazardLevel.MAJOR).pk}


def _building(school):
    return {"building": factories.BuildingFactory(school=school).pk}


PAGES = [
    Page("safety_hazard_list", LEDGER),
    Page("safety_hazard_export", LEDGER),
    Page("safety_hazard_create", REPORTERS),
    Page("safety_hazard_rooms", REPORTERS, query=_building),
    # Those who see only their own hazards do not find another's: 404.
    Page(
        "safety_hazard_detail",
        expect(SEE_ALL, others=404, district_viewer=403),
        kwargs=_hazard_kwargs,
    ),
    # The service refuses those who may see it but not withdraw it (message, redirect).
    Page(
        "safety_hazard_action",
        expect(SEE_ALL, ok=302, others=404, district_viewer=403),
        kwargs=_withdraw,
        method="post",
        data=lambda kwargs: {"withdraw-reason": "重复上报"},
        label="withdraw",
    ),
    Page("safety_hazard_report_pdf", roles(GA, PRINCIPAL), kwargs=_major, pdf=True),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_role_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


@pytest.mark.django_db
def test_who_sees_a_hazard(client, make_user, school, other_school):
    reporter = make_user(Role.STAFF, school)
    responsible = make_user(Role.TECHNICIAN, school)
    hazard = HazardFactory(
        school=school,
        found_by=reporter,
        responsible_person=responsible,
        deadline=today(),
        description="他人看不到的隐患",
    )
    photo = HazardPhoto.objects.create(
        hazard=hazard,
        kind=HazardPhotoKind.FOUND,
        image="safety/hazards/2026/01/01/" + "a" * 32 + ".jpg",
        width=1,
        height=1,
        uploaded_by=reporter,
    )
    url = reverse("safety_hazard_detail", args=[hazard.pk])
    expected = {
        reporter: 200,
        responsible: 200,
        make_user(Role.STAFF, school): 404,
        make_user(Role.CANTEEN_MANAGER, school): 404,
        make_user(SO, school): 200,
        make_user(PRINCIPAL, school): 200,
        make_user(GA, school): 200,
        make_user(GA, other_school): 404,
    }
    for person, status in expected.items():
        client.force_login(person)
        assert client.get(url).status_code == status, person
        ledger = client.get(reverse("safety_hazard_list")).content.decode()
        assert ("他人看不到的隐患" in ledger) == (status == 200), person
        # The photo is served to those who see the hazard only (the file itself is not
        # written here: not found either way, but never a 200 for the others).
        if status == 404:
            assert client.get(photo.url).status_code == 404


# --- Reporting through the form -------------------------------------------------------------


@pytest.fixture
def officer(make_user, school):
    return make_user(SO, school, name="安全员老张")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school, floor=2, number="201")


def report_data(room=None, **extra):
    found = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
    data = {
        "category": SafetyArea.FIRE,
        "level": HazardLevel.GENERAL,
        "description": "消防通道堆放自行车",
        "building": room.building_id if room else "",
        "floor": room.floor if room else "",
        "room": room.pk if room else "",
        "location": "",
        "found_at": found.strftime("%Y-%m-%dT%H:%M"),
        "submission_key": str(uuid.uuid4()),
        "photos": [factories.photo_upload()],
    }
    data.update(extra)
    return data


URL_NEW = "/safety/hazards/new/"


@pytest.mark.django_db
class TestReportPage:
    def test_form_has_a_key_and_the_time(self, officer_client):
        body = officer_client.get(URL_NEW).content.decode()
        assert re.search(r'name="submission_key" value="[0-9a-f-]{36}"', body)
        assert re.search(r'name="found_at" value="\d{4}-\d\d-\d\dT\d\d:\d\d"', body)
        assert 'accept="image/*"' in body and "multiple" in body

    def test_reports_a_hazard_in_a_room(self, officer_client, officer, room, settings):
        response = officer_client.post(URL_NEW, report_data(room))
        hazard = Hazard.objects.get()
        assert response.status_code == 302
        assert response.url == f"/safety/hazards/{hazard.pk}/"
        assert (hazard.found_by, hazard.room, hazard.status) == (officer, room, "reported")
        photo = hazard.photos.get()
        assert photo.kind == HazardPhotoKind.FOUND
        page = officer_client.get(response.url).content.decode()
        assert "消防通道堆放自行车" in page and photo.url in page
        served = officer_client.get(photo.url)
        assert served.status_code == 200
        served.close()

    def test_reports_a_hazard_at_a_place(self, officer_client, room):
        data = report_data(None, location="东侧楼梯", building=room.building_id)
        response = officer_client.post(URL_NEW, data)
        assert response.status_code == 302
        hazard = Hazard.objects.get()
        assert hazard.room is None
        assert hazard.location == f"{room.building.name} · 东侧楼梯"

    def test_missing_fields_are_named(self, officer_client):
        data = report_data(None, description="", category="")
        response = officer_client.post(URL_NEW, data)
        errors = response.context["form"].errors
        assert {"description", "category", "location"} <= set(errors)
        assert not Hazard.objects.exists()

    def test_future_time_and_foreign_room_are_refused(self, officer_client, other_school, room):
        later = timezone.localtime() + datetime.timedelta(days=1)
        response = officer_client.post(
            URL_NEW, report_data(room, found_at=later.strftime("%Y-%m-%dT%H:%M"))
        )
        assert "found_at" in response.context["form"].errors
        foreign = factories.RoomFactory(building__school=other_school)
        response = officer_client.post(URL_NEW, report_data(foreign))
        assert response.context["form"].errors
        assert not Hazard.objects.exists()

    @pytest.mark.parametrize(
        "case", ["not_an_image", "too_large", "four_photos", "no_photo", "truncated"]
    )
    def test_bad_photos_store_nothing(self, officer_client, room, settings, case):
        photos = [factories.photo_upload()]
        if case == "not_an_image":
            photos = [SimpleUploadedFile("x.jpg", b"#!/bin/sh\necho hi\n", "image/jpeg")]
        elif case == "too_large":
            settings.UPLOAD_IMAGE_MAX_BYTES = 500
            photos = [factories.photo_upload(size=(400, 400))]
        elif case == "four_photos":
            photos = [factories.photo_upload() for _ in range(4)]
        elif case == "no_photo":
            photos = []
        elif case == "truncated":
            photos = [SimpleUploadedFile("t.jpg", factories.photo_bytes()[:200], "image/jpeg")]
        response = officer_client.post(URL_NEW, report_data(room, photos=photos))
        assert response.status_code == 200
        assert "photos" in response.context["form"].errors
        assert not Hazard.objects.exists() and not HazardPhoto.objects.exists()
        assert media_files(settings) == []

    def test_double_submit_reports_one_hazard(self, officer_client, room, settings):
        data = report_data(room)
        first = officer_client.post(URL_NEW, data)
        data["photos"] = [factories.photo_upload()]
        second = officer_client.post(URL_NEW, data, follow=True)
        assert Hazard.objects.count() == 1 and HazardPhoto.objects.count() == 1
        assert second.redirect_chain[-1][0] == first.url
        assert "This hazard was already reported." in page_messages(second)
        assert len(media_files(settings)) == 1

    def test_same_form_from_another_session_is_one_hazard(self, client, officer, room):
        """Two copies of the form in flight (the session has not seen the first yet):
        the form's one-time key, stored with the hazard, makes them one."""
        data = report_data(room)
        client.force_login(officer)
        first = client.post(URL_NEW, data)
        client.logout()
        client.force_login(officer)
        data["photos"] = [factories.photo_upload()]
        second = client.post(URL_NEW, data)
        assert Hazard.objects.count() == 1
        assert first.url == second.url

    def test_a_second_report_with_a_new_form_is_a_new_hazard(self, officer_client, room):
        officer_client.post(URL_NEW, report_data(room))
        officer_client.post(URL_NEW, report_data(room, description="另一处隐患"))
        assert Hazard.objects.count() == 2

    def test_two_forms_saying_the_same_in_the_same_minute_are_two_hazards(
        self, officer_client, room, settings
    ):
        """Two reports of the same words at the same place and minute (two broken
        sockets side by side, each photographed) are two hazards: only the same form
        sent twice is one. Each keeps its photo."""
        first = report_data(room)
        second = report_data(room)
        assert first["submission_key"] != second["submission_key"]
        assert first["found_at"] == second["found_at"]
        second["photos"] = [factories.photo_upload()]
        officer_client.post(URL_NEW, first)
        response = officer_client.post(URL_NEW, second, follow=True)
        assert "This hazard was already reported." not in page_messages(response)
        assert Hazard.objects.count() == 2
        assert [h.photos.count() for h in Hazard.objects.all()] == [1, 1]
        assert len(media_files(settings)) == 2

    def test_room_link_prefills_and_rooms_fragment(self, officer_client, room, school):
        factories.RoomFactory(building=room.building, floor=3, number="301")
        page = officer_client.get(f"{URL_NEW}?room={room.pk}")
        form = page.context["form"]
        assert form.initial["room"] == room.pk and form.initial["building"] == room.building_id
        body = officer_client.get(
            f"/safety/hazards/new/rooms/?building={room.building_id}"
        ).content.decode()
        assert 'id="room-fields"' in body and "201" in body and "301" in body
        foreign = factories.RoomFactory(building__school=factories.SchoolFactory())
        body = officer_client.get(f"/safety/hazards/new/rooms/?building={foreign.building_id}")
        assert foreign.number not in body.content.decode().split('id="id_room"')[1]


# --- The workflow through the pages --------------------------------------------------------------


def act(client, hazard, action, data=None, **kwargs):
    return client.post(f"/safety/hazards/{hazard.pk}/{action}/", data or {}, **kwargs)


def statuses(hazard):
    return [(c.from_status, c.to_status) for c in status_history(hazard).filter(field="status")]


@pytest.fixture
def people(make_user, school):
    return {
        "officer": make_user(SO, school, name="安全员老张"),
        "office": make_user(GA, school, name="总务处刘主任"),
        "checker": make_user(GA, school, name="王副主任"),
        "staff": make_user(Role.STAFF, school, name="李老师"),
    }


def reported(officer, level=HazardLevel.GENERAL, **kwargs):
    hazard, _created = services.hazard_report(
        actor=officer,
        category=SafetyArea.ELECTRICAL,
        description=kwargs.pop("description", "配电箱门损坏，电线裸露"),
        level=level,
        location=kwargs.pop("location", "操场配电箱"),
        photos=[clean_photo()],
        **kwargs,
    )
    return hazard


@pytest.mark.django_db
class TestWorkflow:
    def test_major_hazard_from_report_to_closed(self, client, people, school, settings):
        department = factories.DepartmentFactory(school=school, name="总务处")
        deadline = today() + datetime.timedelta(days=7)
        # Reported from the form.
        client.force_login(people["officer"])
        response = client.post(URL_NEW, report_data(None, location="操场东侧围墙"))
        hazard = Hazard.objects.get()
        assert response.status_code == 302
        # General affairs assigns it and makes it major.
        client.force_login(people["office"])
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        assert 'data-testid="action-assign"' in page and 'data-testid="action-withdraw"' in page
        response = act(
            client,
            hazard,
            "assign",
            {
                "assign-responsible_person": people["staff"].pk,
                "assign-department": department.pk,
                "assign-deadline": deadline.isoformat(),
                "assign-level": HazardLevel.MAJOR,
                "assign-note": "尽快处理",
            },
        )
        assert response.status_code == 302, response.context and response.context["steps"]
        hazard.refresh_from_db()
        assert (hazard.responsible_person, hazard.department, hazard.deadline) == (
            people["staff"],
            department,
            deadline,
        )
        assert hazard.level == HazardLevel.MAJOR
        # The responsible person: a major hazard needs its plan before the start.
        client.force_login(people["staff"])
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        assert 'data-testid="needs-plan"' in page and 'data-testid="action-plan"' in page
        response = act(client, hazard, "start", follow=True)
        assert "A major hazard needs a rectification plan first." in page_messages(response)
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.REPORTED
        response = act(
            client,
            hazard,
            "plan",
            {
                "plan-measures": "更换配电箱门并加锁",
                "plan-funding": "1200.50",
                "plan-responsible_person": people["staff"].pk,
                "plan-deadline": deadline.isoformat(),
                "plan-interim_measures": "设置警戒线和警示牌",
            },
        )
        assert response.status_code == 302
        plan = RectificationPlan.objects.get(hazard=hazard)
        assert str(plan.funding) == "1200.50"
        response = act(client, hazard, "start")
        assert response.status_code == 302
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING
        # Submitted without a note and a photo: refused with the reasons, nothing changed.
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        assert 'data-testid="submit-needs"' in page
        response = act(client, hazard, "submit", {"submit-note": ""})
        assert response.status_code == 400
        errors = response.context["steps"]["submit"].errors
        assert errors["note"] == ["Say what was done to rectify the hazard."]
        assert errors["photo"] == ["Add a photo of the rectified place."]
        body = response.content.decode()
        assert "Say what was done to rectify the hazard." in body
        assert "Add a photo of the rectified place." in body
        response = act(client, hazard, "submit", {"submit-note": "已更换"})
        assert response.status_code == 400
        assert list(response.context["steps"]["submit"].errors) == ["photo"]
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING and not hazard.rectification_note
        assert not hazard.photos.filter(kind=HazardPhotoKind.RECTIFIED).exists()
        # With both.
        response = act(
            client,
            hazard,
            "submit",
            {"submit-note": "已更换配电箱门", "submit-photo": [factories.photo_upload()]},
        )
        assert response.status_code == 302
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.AWAITING_CHECK
        assert hazard.photos.filter(kind=HazardPhotoKind.RECTIFIED).count() == 1
        # The rectifier cannot check it.
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        assert 'data-testid="action-verify"' not in page
        # Another person of general affairs sends it back, with the reason.
        client.force_login(people["checker"])
        response = act(client, hazard, "verify", {"verify-decision": "reject"})
        assert response.status_code == 400
        assert "reason" in response.context["steps"]["verify"].errors
        response = act(
            client, hazard, "verify", {"verify-decision": "reject", "verify-reason": "未加锁"}
        )
        assert response.status_code == 302
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING and hazard.check_note == "未加锁"
        client.force_login(people["staff"])
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        sent_back = page.split('data-testid="sent-back"')[1].split("</div>")[0]
        assert "未加锁" in sent_back and "王副主任" in sent_back
        act(
            client,
            hazard,
            "submit",
            {"submit-note": "已加锁", "submit-photo": [factories.photo_upload()]},
        )
        # Approved: closed.
        client.force_login(people["checker"])
        response = act(
            client, hazard, "verify", {"verify-decision": "approve", "verify-reason": "合格"}
        )
        assert response.status_code == 302
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.CLOSED and hazard.verified_by == people["checker"]
        assert statuses(hazard) == [
            ("", "reported"),
            ("reported", "rectifying"),
            ("rectifying", "awaiting_check"),
            ("awaiting_check", "rectifying"),
            ("rectifying", "awaiting_check"),
            ("awaiting_check", "closed"),
        ]
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        history = page.split('data-testid="status-history"')[1]
        assert history.count("<li") == status_history(hazard).count()
        assert 'data-field="plan"' in history and 'data-field="level"' in history
        assert 'data-testid="check-result"' in page and 'data-testid="plan"' in page
        assert 'data-testid="actions"' not in page  # nothing left to do
        assert "更换配电箱门并加锁" in page and "已加锁" in page

    def test_verifier_who_rectified_is_refused(self, client, people):
        hazard = reported(people["officer"])
        office = people["office"]
        services.hazard_assign(hazard, actor=office, responsible_person=office, deadline=today())
        client.force_login(office)
        act(client, hazard, "start")
        act(
            client,
            hazard,
            "submit",
            {"submit-note": "已修好", "submit-photo": [factories.photo_upload()]},
        )
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.AWAITING_CHECK and hazard.rectified_by == office
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        assert 'data-testid="action-verify"' not in page
        response = act(client, hazard, "verify", {"verify-decision": "approve"}, follow=True)
        assert "Someone other than the rectifier must check the rectification." in page_messages(
            response
        )
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.AWAITING_CHECK and hazard.verified_by is None

    def test_a_second_checker_is_told_who_decided(self, client, people):
        hazard = reported(people["officer"])
        services.hazard_assign(
            hazard, actor=people["office"], responsible_person=people["staff"], deadline=today()
        )
        services.hazard_start_rectifying(hazard, actor=people["staff"])
        services.hazard_submit_rectification(
            hazard, actor=people["staff"], note="好了", photo=clean_photo()
        )
        services.hazard_verify(hazard, actor=people["office"], approve=True)
        client.force_login(people["checker"])
        response = act(
            client, hazard, "verify", {"verify-decision": "reject", "verify-reason": "x"}
        )
        assert response.status_code == 302
        messages = page_messages(client.get(response.url))
        assert any("总务处刘主任" in m for m in messages), messages
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.CLOSED

    def test_defer_withdraw_and_photos(self, client, people, settings):
        hazard = reported(people["officer"])
        office = people["office"]
        services.hazard_assign(
            hazard, actor=office, responsible_person=people["staff"], deadline=today()
        )
        client.force_login(office)
        later = today() + datetime.timedelta(days=30)
        response = act(
            client,
            hazard,
            "defer",
            {
                "defer-reason": "需等暑假施工",
                "defer-new_deadline": later.isoformat(),
                "defer-interim_measures": "加装护栏",
            },
        )
        assert response.status_code == 302
        hazard.refresh_from_db()
        assert hazard.deadline == later and hazard.deferral_count == 1
        page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
        assert 'data-testid="deferrals"' in page and "需等暑假施工" in page
        # An earlier deadline is no deferral: the field says why.
        response = act(
            client,
            hazard,
            "defer",
            {"defer-reason": "x", "defer-new_deadline": today().isoformat()},
        )
        assert response.status_code == 400
        assert "new_deadline" in response.context["steps"]["defer"].errors
        # More photos; a bad one stores nothing.
        before = len(media_files(settings))
        response = act(
            client,
            hazard,
            "photo",
            {"photo-photos": [SimpleUploadedFile("x.jpg", b"nope", "image/jpeg")]},
        )
        assert response.status_code == 400
        assert len(media_files(settings)) == before
        response = act(
            client,
            hazard,
            "photo",
            {"photo-photos": [factories.photo_upload()], "photo-kind": "found"},
        )
        assert response.status_code == 302
        assert hazard.photos.count() == 2
        # Withdrawn with a reason.
        response = act(client, hazard, "withdraw", {"withdraw-reason": ""})
        assert response.status_code == 400
        act(client, hazard, "withdraw", {"withdraw-reason": "重复上报"})
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.WITHDRAWN

    def test_bad_rectification_photo_stores_nothing(self, client, people, settings):
        hazard = reported(people["officer"])
        services.hazard_assign(
            hazard, actor=people["office"], responsible_person=people["staff"], deadline=today()
        )
        services.hazard_start_rectifying(hazard, actor=people["staff"])
        client.force_login(people["staff"])
        before = len(media_files(settings))
        settings.UPLOAD_IMAGE_MAX_BYTES = 500
        response = act(
            client,
            hazard,
            "submit",
            {"submit-note": "已修", "submit-photo": [factories.photo_upload(size=(400, 400))]},
        )
        assert response.status_code == 400
        assert "photo" in response.context["steps"]["submit"].errors
        assert len(media_files(settings)) == before
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING

    def test_unknown_step_and_get(self, client, people):
        hazard = reported(people["officer"])
        client.force_login(people["office"])
        assert act(client, hazard, "bogus").status_code == 404
        assert client.get(f"/safety/hazards/{hazard.pk}/withdraw/").status_code == 405

    def test_foreign_person_is_not_a_choice(self, client, people):
        hazard = reported(people["officer"])
        foreign = factories.user_with_role(Role.STAFF, school=factories.SchoolFactory())
        client.force_login(people["office"])
        response = act(
            client,
            hazard,
            "assign",
            {
                "assign-responsible_person": foreign.pk,
                "assign-deadline": today().isoformat(),
                "assign-level": "general",
            },
        )
        assert response.status_code == 400
        hazard.refresh_from_db()
        assert hazard.responsible_person is None


# --- The ledger ----------------------------------------------------------------------------------


LEDGER_URL = "/safety/hazards/"


def rows(body):
    return re.findall(r'<a href="/safety/hazards/(\d+)/">#', body)


@pytest.mark.django_db
class TestLedger:
    def test_empty_state(self, ga_client):
        body = ga_client.get(LEDGER_URL).content.decode()
        assert 'data-testid="empty"' in body and 'href="/safety/hazards/new/"' in body

    def test_filters_and_overdue_rows(self, ga_client, school, make_user):
        department = factories.DepartmentFactory(school=school, name="后勤组")
        person = make_user(Role.STAFF, school, name="赵老师")
        late = HazardFactory(
            school=school,
            status=HazardStatus.RECTIFYING,
            responsible_person=person,
            department=department,
            deadline=today() - datetime.timedelta(days=3),
            found_at=timezone.now() - datetime.timedelta(days=10),
        )
        major = HazardFactory(school=school, level=HazardLevel.MAJOR, category=SafetyArea.GAS)
        closed = HazardFactory(school=school, status=HazardStatus.CLOSED)
        HazardFactory(school=factories.SchoolFactory(), description="别校隐患")

        def ids(query):
            body = ga_client.get(f"{LEDGER_URL}?{query}").content.decode()
            assert "别校隐患" not in body
            return {int(pk) for pk in rows(body)}

        assert ids("") == {late.pk, major.pk, closed.pk}
        assert ids("overdue=true") == {late.pk}
        assert ids("overdue=false") == {major.pk, closed.pk}
        assert ids("status=closed") == {closed.pk}
        assert ids("level=major") == {major.pk}
        assert ids("category=gas") == {major.pk}
        assert ids(f"department={department.pk}") == {late.pk}
        assert ids(f"responsible_person={person.pk}") == {late.pk}
        since = (today() - datetime.timedelta(days=1)).isoformat()
        assert ids(f"found_from={since}") == {major.pk, closed.pk}
        until = (today() - datetime.timedelta(days=5)).isoformat()
        assert ids(f"found_to={until}") == {late.pk}
        assert ids(f"q={major.pk}") == {major.pk}
        body = ga_client.get(LEDGER_URL).content.decode()
        assert body.count('data-overdue="1"') == 1
        assert 'class="table-danger"' in body
        body = ga_client.get(f"{LEDGER_URL}?status=closed&level=general").content.decode()
        assert 'data-testid="active-filters"' in body
        assert 'href="/safety/hazards/export/?status=closed&amp;level=general"' in body
        # A department of another school is no choice: ignored, no chip.
        foreign = factories.DepartmentFactory(school=factories.SchoolFactory())
        response = ga_client.get(f"{LEDGER_URL}?department={foreign.pk}")
        assert response.status_code == 200 and response.context["chips"] == []
        assert ids(f"department={foreign.pk}") == {late.pk, major.pk, closed.pk}

    def test_mine_filters(self, client, school, make_user):
        me = make_user(GA, school)
        mine = HazardFactory(school=school, status=HazardStatus.RECTIFYING, responsible_person=me)
        reported_by_me = HazardFactory(school=school, found_by=me)
        to_check = HazardFactory(school=school, status=HazardStatus.AWAITING_CHECK)
        client.force_login(me)
        body = client.get(f"{LEDGER_URL}?mine=rectify").content.decode()
        assert rows(body) == [str(mine.pk)]
        body = client.get(f"{LEDGER_URL}?mine=reported").content.decode()
        assert rows(body) == [str(reported_by_me.pk)]
        body = client.get(f"{LEDGER_URL}?mine=check").content.decode()
        assert rows(body) == [str(to_check.pk)]

    def test_sorting_and_pages(self, ga_client, school):
        hazards = [
            HazardFactory(school=school, found_at=timezone.now() - datetime.timedelta(hours=i))
            for i in range(30)
        ]
        body = ga_client.get(LEDGER_URL).content.decode()
        assert len(rows(body)) == 25 and "1 / 2" in body
        assert rows(body)[0] == str(hazards[0].pk)  # the newest first
        body = ga_client.get(f"{LEDGER_URL}?page=2").content.decode()
        assert len(rows(body)) == 5
        body = ga_client.get(f"{LEDGER_URL}?sort=found").content.decode()
        assert rows(body)[0] == str(hazards[-1].pk) and 'href="?sort=-found"' in body
        body = ga_client.get(f"{LEDGER_URL}?per_page=50").content.decode()
        assert len(rows(body)) == 30

    def test_text_is_escaped(self, ga_client, school):
        HazardFactory(school=school, location="<b>楼梯</b>", description='"x"&<i>')
        body = ga_client.get(LEDGER_URL).content.decode()
        assert "&lt;b&gt;楼梯&lt;/b&gt;" in body and "<b>楼梯" not in body

    def test_staff_see_their_own(self, client, school, make_user):
        staff = make_user(Role.STAFF, school)
        own = HazardFactory(school=school, found_by=staff)
        HazardFactory(school=school)
        client.force_login(staff)
        assert rows(client.get(LEDGER_URL).content.decode()) == [str(own.pk)]


@pytest.mark.django_db
def test_export_has_the_filtered_rows_and_escapes_formulas(ga_client, school, make_user):
    person = make_user(Role.STAFF, school, name="钱老师")
    HazardFactory(
        school=school,
        description="=HYPERLINK(1)",
        category=SafetyArea.ELECTRICAL,
        status=HazardStatus.CLOSED,
        responsible_person=person,
        rectification_note="+已更换",
    )
    HazardFactory(school=school, category=SafetyArea.FIRE, description="消防")
    HazardFactory(school=factories.SchoolFactory(), category=SafetyArea.ELECTRICAL)
    response = ga_client.get("/safety/hazards/export/?category=electrical")
    assert response.status_code == 200
    assert "hazards.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.values)
    assert len(table) == 2
    header, row = table
    assert len(header) == 16 and header[0] == "No." and header[6] == "Description of the hazard"
    assert row[0] == 1
    assert row[6] == "'=HYPERLINK(1)"
    assert row[9] == "钱老师" and row[11] == "'+已更换"
    assert row[13]  # checked by
    assert row[14] == "Closed"


# --- The written report of a major hazard ---------------------------------------------------------


def poppler(tool, content, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    args = [tool, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout.decode()


@needs_poppler
@pytest.mark.django_db
def test_major_hazard_report_pdf(client, people, school, tmp_path):
    hazard = reported(people["officer"], level=HazardLevel.MAJOR, description="教学楼外墙瓷砖脱落")
    services.hazard_assign(
        hazard, actor=people["office"], responsible_person=people["staff"], deadline=today()
    )
    services.hazard_plan_save(
        hazard,
        actor=people["office"],
        measures="搭设防护棚，更换外墙瓷砖",
        funding="35000",
        responsible_person=people["staff"],
        deadline=today() + datetime.timedelta(days=20),
        interim_measures="设置警戒区域，禁止通行",
    )
    client.force_login(people["office"])
    page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
    assert f'href="/safety/hazards/{hazard.pk}/report/"' in page
    response = client.get(f"/safety/hazards/{hazard.pk}/report/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="major-hazard-{hazard.pk}.pdf"' in response["Content-Disposition"]
    text = poppler("pdftotext", response.content, tmp_path)
    flat = re.sub(r"\s+", "", text)
    for expected in ("教学楼外墙瓷砖脱落", "搭设防护棚，更换外墙瓷砖", "35000.00", "设置警戒区域"):
        assert expected in flat, expected
    assert school.name.replace(" ", "") in flat
    fonts = poppler("pdffonts", response.content, tmp_path)
    assert re.search(r"(Noto-?Sans-?CJK|Noto-?Serif-?CJK|WenQuanYi)\S*.*\byes\b", fonts), fonts


@pytest.mark.django_db
def test_general_hazard_has_no_written_report(client, people):
    hazard = reported(people["officer"])
    client.force_login(people["office"])
    page = client.get(f"/safety/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="report-pdf"' not in page
    response = client.get(f"/safety/hazards/{hazard.pk}/report/", follow=True)
    assert response.redirect_chain[-1][0] == f"/safety/hazards/{hazard.pk}/"
    assert (
        "Only a major hazard is reported in writing to the supervising authority."
        in page_messages(response)
    )


# --- Query counts --------------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm-up: caches of content types, permissions, templates
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [GA, Role.STAFF])
def test_ledger_queries_do_not_grow_with_rows(client, make_user, settings, role):
    settings.DEBUG = False
    counts = []
    for n in (5, 50):
        school = factories.SchoolFactory()
        user = make_user(role, school)
        departments = [factories.DepartmentFactory(school=school) for _ in range(3)]
        people = [make_user(Role.STAFF, school) for _ in range(3)]
        rooms = [factories.RoomFactory(building__school=school) for _ in range(3)]
        for i in range(n):
            HazardFactory(
                school=school,
                found_by=user,
                status=HazardStatus.RECTIFYING if i % 2 else HazardStatus.REPORTED,
                responsible_person=people[i % 3] if i % 2 else None,
                department=departments[i % 3] if i % 2 else None,
                deadline=today() - datetime.timedelta(days=i % 4) if i % 2 else None,
                room=rooms[i % 3] if i % 3 else None,
            )
        client.force_login(user)
        counts.append(count_queries(client, f"{LEDGER_URL}?per_page=100"))
        counts.append(count_queries(client, f"{LEDGER_URL}?per_page=100&status=rectifying"))
    assert counts[:2] == counts[2:], counts
    assert max(counts) <= 14, counts


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["office", "staff"])
def test_detail_queries_do_not_grow(client, make_user, settings, viewer):
    settings.DEBUG = False
    counts = []
    for n in (2, 8):
        school = factories.SchoolFactory()
        officer = make_user(SO, school)
        office = make_user(GA, school)
        staff = make_user(Role.STAFF, school)
        hazard = reported(officer, level=HazardLevel.MAJOR)
        services.hazard_assign(hazard, actor=office, responsible_person=staff, deadline=today())
        services.hazard_plan_save(
            hazard,
            actor=staff,
            measures="措施",
            funding="100",
            responsible_person=staff,
            deadline=today(),
            interim_measures="警示",
        )
        for i in range(n):
            services.hazard_defer(
                hazard,
                actor=office,
                reason=f"原因{i}",
                new_deadline=today() + datetime.timedelta(days=i + 1),
            )
            services.hazard_photo_add(hazard, actor=office, photos=[clean_photo()])
        services.hazard_start_rectifying(hazard, actor=staff)
        assert HazardDeferral.objects.filter(hazard=hazard).count() == n
        client.force_login({"office": office, "staff": staff}[viewer])
        counts.append(count_queries(client, f"/safety/hazards/{hazard.pk}/"))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_ledger_kept_count_and_filters_follow_a_new_hazard(client, make_user):
    """The plain ledger's count and its people filter are kept under the school's
    figures stamp: a hazard written after they were drawn shows at once."""
    school = factories.SchoolFactory()
    office = make_user(GA, school)
    officer = make_user(SO, school)
    newcomer = make_user(Role.STAFF, school, name="新责任人")
    HazardFactory(school=school, found_by=officer)
    client.force_login(office)
    before = client.get(LEDGER_URL).content.decode()
    assert "1 项" in before or "1 item" in before
    assert "新责任人" not in before
    HazardFactory(school=school, found_by=officer, responsible_person=newcomer)
    after = client.get(LEDGER_URL).content.decode()
    assert "2 项" in after or "2 items" in after
    assert "新责任人" in after


@pytest.mark.django_db
def test_inspection_opens_is_inspection_visible(make_user):
    """The hazard page's link to its inspection is decided without a query; it agrees
    with ``inspection_visible`` for every role, the inspector and another school."""
    from safety import selectors
    from tests.safety_factories import InspectionFactory

    school = factories.SchoolFactory()
    inspector = make_user(Role.STAFF, school)
    inspections = [
        InspectionFactory(school=school, inspector=inspector),
        InspectionFactory(school=school),
        InspectionFactory(school=factories.SchoolFactory()),
    ]
    users = [inspector] + [make_user(role, school) for role in ALL_ROLES]
    for user in users:
        visible = set(selectors.inspection_visible(user).values_list("pk", flat=True))
        for inspection in inspections:
            opens = selectors.inspection_opens(user, inspection)
            assert opens == (inspection.pk in visible), (user, inspection)


# The timeline's changes as safety/hazards/history.html drew them one at a time (the
# markup ``{% hazard_history_items %}`` keeps).
HISTORY_ITEMS_TEMPLATE = """{% load i18n %}{% for change in history %}
    <li class="list-group-item px-0" data-field="{{ change.field }}">
      <span class="text-muted">{{ change.at|date:"Y-m-d H:i" }}</span>
      {% with actor=change.actor.display_name|default:_("system") %}{% blocktranslate %}{{ actor }}:{% endblocktranslate %}{% endwith %}
      {% if change.field == "plan" %}<strong>{% translate "Rectification plan" %}</strong>
      {% elif change.field == "found_again" %}<strong>{% translate "Found again" %}</strong>
      {% else %}
        {% if change.field == "level" %}{% translate "Level:" %}{% elif change.field == "responsible_person" %}{% translate "Responsible:" %}{% elif change.field == "deadline" %}{% translate "Deadline:" %}{% endif %}
        {% if change.from_status %}{{ change.from_label }} → {% endif %}<strong>{{ change.to_label }}</strong>
      {% endif %}
      {% if change.note %}<div class="text-muted">{{ change.note|linebreaksbr }}</div>{% endif %}
    </li>
    {% endfor %}"""  # noqa: E501


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_history_items_are_the_template_s_markup(school, make_user, language):
    """``{% hazard_history_items %}`` draws what the timeline's template drew: every
    kind of change, with and without its actor, from-status and note (escaped, its lines
    kept)."""
    from django.template import Context, Template
    from django.utils import translation

    from logistics.common.workflow import status_record
    from safety.templatetags.safety_hazards import hazard_history_items

    person = make_user(Role.STAFF, school, name='王 <"老师">&')
    hazard = HazardFactory(school=school)
    record = status_record
    record(hazard, from_status="", to_status=HazardStatus.REPORTED, actor=person)
    record(hazard, from_status=HazardStatus.REPORTED, to_status=HazardStatus.RECTIFYING)
    record(hazard, from_status="general", to_status="major", actor=person, field="level")
    record(hazard, from_status="", to_status="张三", field="responsible_person", note="a\r\nb")
    record(hazard, from_status="2026-09-01", to_status="2026-10-01", field="deadline")
    record(hazard, from_status="", to_status="x", field="plan", note="<b>&</b>\nc")
    record(hazard, from_status="", to_status="y", field="found_again", actor=person)
    record(hazard, from_status="odd", to_status="unknown <s>", note="'quoted'")
    history = list(status_history(hazard))
    with translation.override(language):
        expected = Template(HISTORY_ITEMS_TEMPLATE).render(Context({"history": history}))
        assert hazard_history_items(history) == expected
    assert hazard_history_items([]) == ""


@pytest.mark.django_db
def test_kept_page_parts_follow_every_write(client, people, school):
    """A hazard's page keeps the parts that show the hazard alone; each write shows at
    once: a photo added (no write to the hazard's row), a plan written and revised, an
    assignment, a deferral, a person renamed; and the page as kept is the page drawn
    afresh."""
    from django.core.cache import cache

    from logistics.services.people import person_update

    office, staff = people["office"], people["staff"]
    hazard = reported(people["officer"], level=HazardLevel.MAJOR)
    client.force_login(office)
    url = f"/safety/hazards/{hazard.pk}/"

    def page():
        body = client.get(url).content.decode()
        return re.sub(r'(X-CSRFToken": |name="csrfmiddlewaretoken" value=)"[^"]+"', r"\1", body)

    first = page()
    assert page() == first
    cache.clear()
    assert page() == first
    services.hazard_photo_add(hazard, actor=office, photos=[clean_photo()])
    assert page().count('data-testid="found-photos"') == 1
    assert len(re.findall(r'<img src="[^"]+" class="img-fluid', page())) == 2
    services.hazard_assign(hazard, actor=office, responsible_person=staff, deadline=today())
    assert 'data-testid="responsible">李老师' in page()
    plan = {
        "actor": staff,
        "funding": "100",
        "responsible_person": staff,
        "deadline": today(),
        "interim_measures": "警示",
    }
    services.hazard_plan_save(hazard, measures="更换线路", **plan)
    assert "更换线路" in page()
    services.hazard_plan_save(hazard, measures="改用阻燃线路", **plan)
    assert "改用阻燃线路" in page()
    services.hazard_defer(
        hazard, actor=office, reason="等待采购", new_deadline=today() + datetime.timedelta(days=3)
    )
    assert "等待采购" in page()
    person_update(user=staff, roles=[Role.STAFF], actor=office, name="李晓明")
    assert 'data-testid="responsible">李晓明' in page()
    kept = page()
    cache.clear()
    assert page() == kept


@pytest.mark.parametrize(
    "text",
    ["", "消防通道堆放杂物", "x" * 60, "x" * 61, "e\u0301" * 40, "Ω" * 30, "a\u0958b", "长" * 100],
)
def test_ledger_short_description_is_truncators(text):
    from django.utils.text import Truncator

    from safety.templatetags.safety_ledger import _short

    assert _short(text) == Truncator(text).chars(60)


@pytest.mark.django_db
def test_kept_page_parts_follow_a_renamed_checklist(client, people, school):
    """The checklist and item a hazard was found at are named on its page: renamed (a
    write that raises no stamp), the page says the new names at once."""
    from safety.models import ChecklistItem, ChecklistTemplate
    from tests.safety_factories import InspectionFactory, template_with_items

    template = template_with_items(school)
    item = template.items.first()
    hazard = HazardFactory(
        school=school,
        inspection=InspectionFactory(school=school, template=template),
        source_item=item,
    )
    client.force_login(people["office"])
    url = f"/safety/hazards/{hazard.pk}/"
    assert template.name in client.get(url).content.decode()
    ChecklistTemplate.objects.filter(pk=template.pk).update(name="夜间巡查表")
    assert "夜间巡查表" in client.get(url).content.decode()
    ChecklistItem.objects.filter(pk=item.pk).update(text="灭火器压力正常")
    assert "灭火器压力正常" in client.get(url).content.decode()


@pytest.mark.django_db
def test_kept_step_forms_follow_every_write(client, people, school):
    """The steps' unbound forms are drawn once and kept: a plan revised shows in the plan
    form, a new person among those to assign, and a form sent with errors is drawn with
    the user's input, not the kept one."""
    office, staff = people["office"], people["staff"]
    hazard = reported(people["officer"], level=HazardLevel.MAJOR)
    services.hazard_assign(hazard, actor=office, responsible_person=staff, deadline=today())
    client.force_login(office)
    url = f"/safety/hazards/{hazard.pk}/"
    plan = {
        "actor": staff,
        "funding": "100",
        "responsible_person": staff,
        "deadline": today(),
        "interim_measures": "警示",
    }
    services.hazard_plan_save(hazard, measures="更换线路", **plan)
    page = client.get(url).content.decode()
    assert "更换线路</textarea>" in page
    assert client.get(url).content.decode().count("更换线路</textarea>") == 1
    services.hazard_plan_save(hazard, measures="改用阻燃线路", **plan)
    assert "改用阻燃线路</textarea>" in client.get(url).content.decode()
    from logistics.services.people import person_create

    person_create(
        school=school, username="zhao", name="新来的赵老师", roles=[Role.STAFF], actor=office
    )
    assert "新来的赵老师" in client.get(url).content.decode()
    response = act(client, hazard, "defer", {"defer-reason": "等待<采购>"})
    assert response.status_code == 400
    assert "等待&lt;采购&gt;</textarea>" in response.content.decode()
    assert "等待&lt;采购&gt;" not in client.get(url).content.decode()
