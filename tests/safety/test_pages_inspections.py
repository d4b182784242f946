"""Safety inspection pages: the role × page × school matrix, inspecting on the phone page
item by item (plain posts and htmx), submitting (refused while items are unanswered, once
only), bad photos, who may answer, the list's filters, the set-up of checklists and
schedules, and query counts that do not grow with the rows."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext

from logistics.choices import Role
from logistics.models import StatusChange
from safety import services
from safety.choices import (
    Frequency,
    HazardLevel,
    HazardPhotoKind,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    Outcome,
    SafetyArea,
)
from safety.models import (
    ChecklistTemplate,
    Hazard,
    Inspection,
    InspectionResult,
    InspectionSchedule,
)
from tests import factories
from tests.matrix import ALL_ROLES, EVERYONE, Page, check_page, expect, roles
from tests.safety_factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    InspectionFactory,
    ScheduleFactory,
    template_with_items,
)

GA = Role.GENERAL_AFFAIRS
SO = Role.SAFETY_OFFICER
PRINCIPAL = Role.PRINCIPAL
READERS = roles(GA, SO, PRINCIPAL)
HTMX = {"HX-Request": "true"}


def today():
    return timezone.localdate()


def _template(school):
    return {"pk": template_with_items(school).pk}


def _item(school):
    template = template_with_items(school)
    return {"pk": template.pk, "item": template.items.order_by("-pk").first().pk}


def _item_action(school):
    return {**_item(school), "action": "retire"}


def _item_data(kwargs):
    item = kwargs["item"]
    return {f"item-{item}-text": "灭火器在有效期内", f"item-{item}-area": "fire"}


def _schedule(school):
    return {"pk": ScheduleFactory(school=school).pk}


SETUP_PAGES = [
    Page("safety_inspection_list", READERS),
    Page("safety_inspection_create", roles(GA, SO)),
    Page("safety_checklist_list", READERS),
    Page("safety_checklist_create", roles(GA)),
    Page("safety_checklist_edit", READERS, kwargs=_template),
    Page(
        "safety_checklist_edit",
        roles(GA),
        kwargs=_template,
        method="post",
        data=lambda kwargs: {"template-name": "改名的检查表", "template-kind": "daily"},
        ok=302,
    ),
    Page("safety_checklist_defaults", roles(GA), method="post", ok=302),
    Page(
        "safety_checklist_item_add",
        roles(GA),
        kwargs=_template,
        method="post",
        data=lambda kwargs: {"new-text": "疏散指示灯完好", "new-area": "fire"},
        ok=302,
    ),
    Page(
        "safety_checklist_item_edit",
        roles(GA),
        kwargs=_item,
        method="post",
        data=_item_data,
        ok=302,
    ),
    Page(
        "safety_checklist_item_action",
        roles(GA),
        kwargs=_item_action,
        method="post",
        ok=302,
    ),
    Page("safety_schedule_list", READERS),
    Page("safety_schedule_create", roles(GA)),
    Page("safety_schedule_edit", roles(GA), kwargs=_schedule),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", SETUP_PAGES, ids=lambda p: p.id)
def test_role_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


# --- One inspection: who may open it and take its steps -----------------------------------
#
# An inspection is a 404 for whoever may not see it (someone else's, for those who may not
# view inspections; another school's for everyone), as a repair ticket is. Those who see it
# but may not take a step get a 403. Safety officers cover for each other (the services'
# rule): a colleague may answer and submit; only general affairs cancels.

SEE = expect(READERS, others=404)
WORK = expect(roles(GA, SO), ok=302, others=404, principal=403)
CANCEL = expect(roles(GA), ok=302, others=404, safety_officer=403, principal=403)


def _planned(school):
    return InspectionFactory(school=school, period_start=today())


def _started(school):
    inspection = _planned(school)
    services.inspection_start(inspection, actor=inspection.inspector)
    return inspection


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the pages' English wording (the catalogue has the Chinese)."""
    settings.LANGUAGE_CODE = "en"


def answered(n, total):
    """The progress line as the page shows it, in the language the pages render in."""
    return gettext("%(answered)s of %(total)s answered") % {"answered": n, "total": total}


def _answered(school):
    inspection = _started(school)
    for item in inspection.template.items.all():
        services.inspection_record_result(inspection, item, Outcome.OK, actor=inspection.inspector)
    return inspection


def _first_item(inspection):
    return inspection.results.order_by("sort_order").first().item_id


def _step(make, action):
    def kwargs(school):
        return {"pk": make(school).pk, "action": action}

    return kwargs


def _result(school):
    inspection = _started(school)
    return {"pk": inspection.pk, "item": _first_item(inspection)}


# Another school's inspection is a 404 for every role (``foreign``), even one refused the
# step.
OBJECT_PAGES = [
    Page(
        "safety_inspection_detail",
        SEE,
        kwargs=lambda school: {"pk": _planned(school).pk},
        foreign=EVERYONE,
    ),
    Page(
        "safety_inspection_action",
        WORK,
        kwargs=_step(_planned, "start"),
        method="post",
        label="start",
        foreign=EVERYONE,
    ),
    Page(
        "safety_inspection_result",
        WORK,
        kwargs=_result,
        method="post",
        # An item's answer carries the item's prefix.
        data=lambda kwargs: {f"item-{kwargs['item']}-outcome": "ok"},
        foreign=EVERYONE,
    ),
    Page(
        "safety_inspection_action",
        WORK,
        kwargs=_step(_answered, "submit"),
        method="post",
        data=lambda kwargs: {"submit-summary": "良好"},
        label="submit",
        foreign=EVERYONE,
    ),
    Page(
        "safety_inspection_action",
        CANCEL,
        kwargs=_step(_planned, "cancel"),
        method="post",
        data=lambda kwargs: {"cancel-reason": "放假"},
        label="cancel",
        foreign=EVERYONE,
    ),
]
PAGES = [*SETUP_PAGES, *OBJECT_PAGES]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", OBJECT_PAGES, ids=lambda p: p.id)
def test_inspection_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


def test_unknown_action_and_get(client, db, school, make_user):
    inspection = _planned(school)
    client.force_login(inspection.inspector)
    assert client.post(f"/safety/inspections/{inspection.pk}/bogus/").status_code == 404
    assert client.get(f"/safety/inspections/{inspection.pk}/start/").status_code == 405


# --- Inspecting on the page ---------------------------------------------------------------


@pytest.fixture
def officer(make_user, school):
    return make_user(SO, school, name="安全员老张")


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school, building__name="实验楼", number="201")


@pytest.fixture
def inspection(school, officer, room):
    template = template_with_items(
        school, SafetyArea.FIRE, SafetyArea.ELECTRICAL, SafetyArea.GATE, name="日巡视"
    )
    return InspectionFactory(
        school=school, template=template, inspector=officer, room=room, period_start=today()
    )


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def items_of(inspection):
    return list(inspection.template.items.order_by("sort_order"))


def answer(client, inspection, item, outcome, htmx=False, **fields):
    data = {f"item-{item.pk}-outcome": outcome}
    data.update({f"item-{item.pk}-{key}": value for key, value in fields.items()})
    return client.post(
        f"/safety/inspections/{inspection.pk}/items/{item.pk}/",
        data,
        headers=HTMX if htmx else {},
    )


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
class TestInspecting:
    def test_an_inspector_answers_every_item_and_submits(
        self, officer_client, inspection, officer, room, general_affairs
    ):
        fire, electrical, gate = items_of(inspection)
        url = f"/safety/inspections/{inspection.pk}/"
        page = officer_client.get(url).content.decode()
        assert 'data-testid="start"' in page and fire.text in page
        response = officer_client.post(f"{url}start/")
        assert response.status_code == 302 and response.url == url
        page = officer_client.get(url).content.decode()
        assert page.count('data-testid="item"') == 3
        assert answered(0, 3) in page
        assert fire.guidance in page  # how to check it
        # The hazard's place is pre-filled from the inspection, the rooms are suggested.
        assert f'name="item-{electrical.pk}-place"' in page and 'value="实验楼 201"' in page
        assert '<datalist id="school-rooms">' in page and 'capture="environment"' in page

        response = answer(officer_client, inspection, fire, Outcome.OK)
        assert response.status_code == 302 and response.url == f"{url}#item-{fire.pk}"
        response = answer(
            officer_client,
            inspection,
            electrical,
            Outcome.HAZARD,
            note="配电箱门锁损坏",
            hazard_level=HazardLevel.MAJOR,
            place="实验楼 201",
            photo=factories.photo_upload(),
        )
        assert response.status_code == 302
        answer(officer_client, inspection, gate, Outcome.NOT_APPLICABLE)
        page = officer_client.get(url).content.decode()
        assert answered(3, 3) in page
        result = InspectionResult.objects.get(inspection=inspection, item=electrical)
        assert result.photo.startswith("safety/inspections/") and result.photo_url in page
        assert result.room == room and result.hazard_level == HazardLevel.MAJOR

        response = officer_client.post(f"{url}submit/", {"submit-summary": "总体良好"})
        assert response.status_code == 302 and response.url == url
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.SUBMITTED
        assert inspection.summary == "总体良好"
        hazard = Hazard.objects.get()
        assert hazard.status == HazardStatus.REPORTED
        assert (hazard.room, hazard.category, hazard.level) == (
            room,
            SafetyArea.ELECTRICAL,
            HazardLevel.MAJOR,
        )
        assert "配电箱门锁损坏" in hazard.description and electrical.text in hazard.description
        assert hazard.inspection == inspection and hazard.found_by == officer
        [photo] = hazard.photos.all()
        assert (photo.kind, photo.image) == (HazardPhotoKind.FOUND, result.photo)
        # Read-only now: the summary and the hazard it reported, no more forms.
        response = officer_client.get(url)
        page = response.content.decode()
        assert 'data-testid="summary"' in page and "总体良好" in page
        assert f"#{hazard.pk}" in page and 'data-testid="hazard"' in page
        assert "hx-post" not in page and 'data-testid="action-submit"' not in page
        assert response.context["hazards"] == [hazard]

    def test_htmx_answer_returns_the_item_and_the_progress(
        self, officer_client, inspection, officer
    ):
        services.inspection_start(inspection, actor=officer)
        fire, electrical, _gate = items_of(inspection)
        response = answer(officer_client, inspection, fire, Outcome.OK, htmx=True)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body and "<nav" not in body
        assert body.count('data-testid="item"') == 1 and f'id="item-{fire.pk}"' in body
        assert 'data-testid="saved"' in body
        assert 'id="inspection-progress"' in body and 'hx-swap-oob="true"' in body
        assert answered(1, 3) in body
        assert InspectionResult.objects.get(item=fire, inspection=inspection).outcome == "ok"
        # A hazard without a note: the card comes back with the error (htmx swaps 200s).
        response = answer(officer_client, inspection, electrical, Outcome.HAZARD, htmx=True)
        assert response.status_code == 200
        assert 'data-testid="saved"' not in response.content.decode()
        assert response.context["r"].form.errors["note"]
        assert InspectionResult.objects.get(item=electrical, inspection=inspection).outcome == ""

    def test_a_hazard_somewhere_else_in_words(self, officer_client, inspection, officer):
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        answer(
            officer_client, inspection, fire, Outcome.HAZARD, note="堆放纸箱", place="操场东侧围墙"
        )
        result = InspectionResult.objects.get(item=fire, inspection=inspection)
        assert (result.room, result.location) == (None, "操场东侧围墙")

    def test_a_hazard_needs_a_place(self, officer_client, school, officer):
        inspection = InspectionFactory(school=school, inspector=officer, period_start=today())
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        response = answer(officer_client, inspection, fire, Outcome.HAZARD, note="坏了", place="")
        assert response.status_code == 400
        assert response.context["results"][0].form.errors["place"]

    def test_submit_with_unanswered_items_is_refused(self, officer_client, inspection, officer):
        services.inspection_start(inspection, actor=officer)
        fire, electrical, gate = items_of(inspection)
        answer(officer_client, inspection, fire, Outcome.OK)
        response = officer_client.post(
            f"/safety/inspections/{inspection.pk}/submit/", {"submit-summary": "x"}
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert 'data-testid="unanswered"' in body
        listed = body.split('data-testid="unanswered"')[1].split("</div>")[0]
        assert electrical.text in listed and gate.text in listed and fire.text not in listed
        assert f'href="#item-{electrical.pk}"' in listed
        error = response.context["submit_form"].non_field_errors()[0]
        assert electrical.text in error and gate.text in error
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.DRAFT and inspection.summary == ""
        assert not Hazard.objects.exists()

    def test_double_submit_is_one_submission(self, officer_client, inspection, officer):
        services.inspection_start(inspection, actor=officer)
        fire, electrical, gate = items_of(inspection)
        answer(officer_client, inspection, fire, Outcome.OK)
        answer(officer_client, inspection, electrical, Outcome.HAZARD, note="线路老化")
        answer(officer_client, inspection, gate, Outcome.OK)
        url = f"/safety/inspections/{inspection.pk}/submit/"
        first = officer_client.post(url, {"submit-summary": "第一次"})
        second = officer_client.post(url, {"submit-summary": "第二次"}, follow=True)
        assert first.status_code == 302
        assert second.status_code == 200
        assert "already submitted" in second.content.decode()
        inspection.refresh_from_db()
        assert inspection.summary == "第一次"
        assert Hazard.objects.count() == 1
        assert (
            StatusChange.objects.filter(object_id=inspection.pk, to_status="submitted").count() == 1
        )

    @pytest.mark.parametrize("case", ["not_an_image", "too_large"])
    @pytest.mark.parametrize("htmx", [False, True], ids=["post", "htmx"])
    def test_bad_photo_stores_nothing(
        self, officer_client, inspection, officer, settings, case, htmx
    ):
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        if case == "not_an_image":
            photo = SimpleUploadedFile("x.jpg", b"#!/bin/sh\necho hi\n", "image/jpeg")
        else:
            settings.UPLOAD_IMAGE_MAX_BYTES = 500
            photo = factories.photo_upload(size=(400, 400))
        response = answer(officer_client, inspection, fire, Outcome.OK, htmx=htmx, photo=photo)
        if htmx:
            assert response.status_code == 200
            form = response.context["r"].form
        else:
            assert response.status_code == 400
            [form] = [r.form for r in response.context["results"] if r.item_id == fire.pk]
        assert form.errors["photo"]
        assert 'data-testid="photo-error"' in response.content.decode()
        result = InspectionResult.objects.get(item=fire, inspection=inspection)
        assert (result.outcome, result.photo) == ("", "")
        assert media_files(settings) == []

    def test_a_new_photo_and_removing_it(self, officer_client, inspection, officer):
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        answer(officer_client, inspection, fire, Outcome.OK, photo=factories.photo_upload())
        result = InspectionResult.objects.get(item=fire, inspection=inspection)
        assert result.photo
        page = officer_client.get(f"/safety/inspections/{inspection.pk}/").content.decode()
        assert f'name="item-{fire.pk}-remove_photo"' in page
        answer(officer_client, inspection, fire, Outcome.OK, remove_photo="on")
        result.refresh_from_db()
        assert result.photo == ""

    def test_another_inspector_cannot_answer(self, client, inspection, officer, school, make_user):
        """A dorm manager inspecting the dorms sees and answers their own inspections
        only; someone else's is not found for them, and nothing changes."""
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        dorm_manager = make_user(Role.DORM_MANAGER, school)
        own = InspectionFactory(school=school, inspector=dorm_manager, period_start=today())
        client.force_login(dorm_manager)
        assert client.get(f"/safety/inspections/{own.pk}/").status_code == 200
        assert client.get("/safety/inspections/").status_code == 200  # their own to do
        assert client.get(f"/safety/inspections/{inspection.pk}/").status_code == 404
        assert answer(client, inspection, fire, Outcome.OK).status_code == 404
        assert answer(client, inspection, fire, Outcome.OK, htmx=True).status_code == 404
        response = client.post(f"/safety/inspections/{inspection.pk}/submit/")
        assert response.status_code == 404
        # An inspector of another school neither.
        client.force_login(make_user(SO, factories.SchoolFactory()))
        assert answer(client, inspection, fire, Outcome.OK).status_code == 404
        result = InspectionResult.objects.get(item=fire, inspection=inspection)
        assert result.outcome == "" and result.recorded_by is None
        # An item of another inspection is not found on this one.
        stranger = ChecklistItemFactory(template__school=school)
        client.force_login(officer)
        assert answer(client, inspection, stranger, Outcome.OK).status_code == 404

    def test_a_colleague_covers_and_is_told(self, client, inspection, officer, school, make_user):
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        colleague = make_user(SO, school, name="安全员小李")
        client.force_login(colleague)
        page = client.get(f"/safety/inspections/{inspection.pk}/").content.decode()
        assert 'data-testid="covering"' in page and "安全员老张" in page
        answer(client, inspection, fire, Outcome.OK)
        result = InspectionResult.objects.get(item=fire, inspection=inspection)
        assert result.recorded_by == colleague

    def test_the_principal_reads_without_forms(self, client, inspection, officer, school):
        services.inspection_start(inspection, actor=officer)
        fire, *_rest = items_of(inspection)
        services.inspection_record_result(inspection, fire, Outcome.OK, "正常", actor=officer)
        client.force_login(factories.user_with_role(PRINCIPAL, school=school))
        page = client.get(f"/safety/inspections/{inspection.pk}/").content.decode()
        assert "<form" not in page.split('data-testid="items"')[1].split("</main>")[0]
        assert "正常" in page and gettext("Not answered yet.") in page

    def test_answering_a_planned_or_submitted_inspection(self, officer_client, inspection, officer):
        fire, electrical, gate = items_of(inspection)
        response = answer(officer_client, inspection, fire, Outcome.OK)
        assert response.status_code == 302  # not started: told to start first
        services.inspection_start(inspection, actor=officer)
        for item in (fire, electrical, gate):
            services.inspection_record_result(inspection, item, Outcome.OK, actor=officer)
        services.inspection_submit(inspection, actor=officer)
        response = answer(officer_client, inspection, fire, Outcome.NOT_APPLICABLE, htmx=True)
        assert response.status_code == 200 and response.headers["HX-Redirect"]
        response = answer(officer_client, inspection, fire, Outcome.NOT_APPLICABLE)
        assert response.status_code == 302
        assert InspectionResult.objects.get(item=fire, inspection=inspection).outcome == "ok"

    def test_cancel_needs_a_reason(self, ga_client, inspection):
        url = f"/safety/inspections/{inspection.pk}/cancel/"
        response = ga_client.post(url, {"cancel-reason": ""})
        assert response.status_code == 400
        assert response.context["cancel_form"].errors["reason"]
        response = ga_client.post(url, {"cancel-reason": "国庆放假"})
        assert response.status_code == 302
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.CANCELLED


# --- An inspection by hand ----------------------------------------------------------------


@pytest.mark.django_db
class TestCreate:
    def test_plan_a_special_inspection(self, ga_client, school, officer, room):
        template = template_with_items(
            school, SafetyArea.SURROUNDINGS, kind=InspectionKind.SPECIAL, name="周边专项"
        )
        page = ga_client.get(f"/safety/inspections/new/?template={template.pk}")
        assert page.context["form"].initial["template"] == template.pk
        start = today()
        response = ga_client.post(
            "/safety/inspections/new/",
            {
                "template": template.pk,
                "inspector": officer.pk,
                "area": "",
                "room": room.pk,
                "location": "校园周边200米",
                "period_start": start.isoformat(),
                "period_end": (start + datetime.timedelta(days=4)).isoformat(),
            },
        )
        inspection = Inspection.objects.get()
        assert response.status_code == 302
        assert response.url == f"/safety/inspections/{inspection.pk}/"
        assert (inspection.kind, inspection.inspector, inspection.room) == (
            InspectionKind.SPECIAL,
            officer,
            room,
        )
        assert inspection.location == "校园周边200米"

    def test_bad_input_is_named(self, ga_client, school, officer, other_school):
        template = template_with_items(school, SafetyArea.FIRE)
        foreign = template_with_items(other_school)
        start = today()
        data = {
            "template": template.pk,
            "inspector": officer.pk,
            "area": SafetyArea.GATE,  # not in the checklist
            "period_start": start.isoformat(),
            "period_end": (start - datetime.timedelta(days=1)).isoformat(),
        }
        response = ga_client.post("/safety/inspections/new/", data)
        assert response.status_code == 400
        assert "period_end" in response.context["form"].errors
        data["period_end"] = start.isoformat()
        response = ga_client.post("/safety/inspections/new/", data)
        assert response.status_code == 400
        assert "area" in response.context["form"].errors
        response = ga_client.post("/safety/inspections/new/", {**data, "template": foreign.pk})
        assert "template" in response.context["form"].errors
        assert not Inspection.objects.exists()


# --- The list -----------------------------------------------------------------------------


@pytest.mark.django_db
class TestList:
    def test_an_inspector_sees_to_do_first(self, officer_client, school, officer):
        now = timezone.now()
        late = InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today() - datetime.timedelta(days=3),
            template=template_with_items(school, name="逾期的巡查"),
        )
        due = InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today(),
            template=template_with_items(school, name="今天的巡查"),
        )
        later = InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today() + datetime.timedelta(days=7),
            template=template_with_items(school, name="下周的巡查"),
        )
        done = InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today() - datetime.timedelta(days=1),
            template=template_with_items(school, name="昨天的巡查"),
            status=InspectionStatus.SUBMITTED,
            started_at=now,
            submitted_at=now,
        )
        InspectionFactory(
            school=school, period_start=today(), template=template_with_items(school, name="别人的")
        )
        response = officer_client.get("/safety/inspections/")
        assert response.context["tab"] == "mine"
        # The cards are plain values (``inspector_list``).
        assert [card["pk"] for card in response.context["to_do"]] == [late.pk, due.pk]
        assert response.context["to_do"][0]["is_overdue"]
        assert not response.context["to_do"][1]["is_overdue"]
        assert [card["pk"] for card in response.context["upcoming"]] == [later.pk]
        assert [card["pk"] for card in response.context["object_list"]] == [done.pk]
        body = response.content.decode()
        assert body.index("逾期的巡查") < body.index("今天的巡查") < body.index("昨天的巡查")
        assert "别人的" not in body and 'data-testid="overdue"' in body
        assert 'data-testid="new-inspection"' in body  # safety officers may plan one
        # They may see all of the school's too.
        body = officer_client.get("/safety/inspections/?tab=all").content.decode()
        assert "别人的" in body

    def test_filters_for_the_office(self, ga_client, school, officer):
        now = timezone.now()
        late = InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today() - datetime.timedelta(days=3),
            template=template_with_items(school, name="逾期的"),
        )
        done = InspectionFactory(
            school=school,
            period_start=today() - datetime.timedelta(days=20),
            kind=InspectionKind.MONTHLY,
            template=template_with_items(school, name="月检查"),
            status=InspectionStatus.SUBMITTED,
            started_at=now,
            submitted_at=now,
        )
        InspectionFactory(school=factories.SchoolFactory(), kind=InspectionKind.MONTHLY)
        response = ga_client.get("/safety/inspections/")
        assert response.context["tab"] == "all"
        assert set(response.context["object_list"]) == {late, done}
        assert 'class="inspection-overdue"' in response.content.decode()

        def listed(query):
            return set(ga_client.get(f"/safety/inspections/?{query}").context["object_list"])

        assert listed("status=submitted") == {done}
        assert listed("kind=monthly") == {done}
        assert listed("overdue=true") == {late}
        assert listed("overdue=false") == {done}
        assert listed(f"inspector={officer.pk}") == {late}
        since = today() - datetime.timedelta(days=5)
        assert listed(f"period_from={since.isoformat()}") == {late}
        assert listed(f"period_to={since.isoformat()}") == {done}
        body = ga_client.get("/safety/inspections/?sort=checklist").content.decode()
        assert body.index("月检查") < body.index("逾期的")
        response = ga_client.get("/safety/inspections/?sort=-hazards&tab=all")
        assert response.status_code == 200 and response.context["current_sort"] == "-hazards"

    def test_pages(self, ga_client, school):
        template = template_with_items(school)
        for day in range(30):
            InspectionFactory(
                school=school,
                template=template,
                period_start=today() - datetime.timedelta(days=day),
            )
        body = ga_client.get("/safety/inspections/").content.decode()
        assert "1 / 2" in body and "30 inspections" in body
        assert ga_client.get("/safety/inspections/?page=2").context["page_obj"].number == 2


# --- Set-up: checklists and schedules -----------------------------------------------------


@pytest.mark.django_db
class TestChecklists:
    def test_load_the_defaults_once(self, ga_client, school):
        body = ga_client.get("/safety/checklists/").content.decode()
        assert "No checklists yet" in body and 'data-testid="load-defaults"' in body
        ga_client.post("/safety/checklists/defaults/")
        count = ChecklistTemplate.objects.filter(school=school).count()
        assert count > 3
        response = ga_client.post("/safety/checklists/defaults/", follow=True)
        assert "loaded already" in response.content.decode()
        assert ChecklistTemplate.objects.filter(school=school).count() == count
        body = ga_client.get("/safety/checklists/").content.decode()
        assert body.count("/safety/checklists/") >= count

    def test_create_then_add_edit_retire_restore_and_reorder_items(self, ga_client, school):
        response = ga_client.post(
            "/safety/checklists/new/", {"name": "实验室专项", "kind": "special", "area": "labs"}
        )
        template = ChecklistTemplate.objects.get(name="实验室专项")
        url = f"/safety/checklists/{template.pk}/"
        assert response.status_code == 302 and response.url == url
        for text in ("危化品双人双锁", "通风橱运行正常", "洗眼器可用"):
            response = ga_client.post(f"{url}items/new/", {"new-text": text, "new-area": "labs"})
            assert response.status_code == 302
        first, second, third = template.items.order_by("sort_order")
        assert [i.text for i in (first, second, third)] == [
            "危化品双人双锁",
            "通风橱运行正常",
            "洗眼器可用",
        ]
        # The same text twice is refused, with the reason.
        response = ga_client.post(
            f"{url}items/new/", {"new-text": "洗眼器可用", "new-area": "labs"}
        )
        assert response.status_code == 400 and response.context["new_item_form"].errors
        response = ga_client.post(
            f"{url}items/{second.pk}/",
            {
                f"item-{second.pk}-text": "通风橱风量正常",
                f"item-{second.pk}-guidance": "看风量计",
                f"item-{second.pk}-area": "labs",
            },
        )
        assert response.status_code == 302
        second.refresh_from_db()
        assert (second.text, second.guidance) == ("通风橱风量正常", "看风量计")
        ga_client.post(f"{url}items/{third.pk}/up/")
        assert [i.pk for i in template.items.order_by("sort_order")] == [
            first.pk,
            third.pk,
            second.pk,
        ]
        ga_client.post(f"{url}items/{first.pk}/down/")
        assert [i.pk for i in template.items.order_by("sort_order")][:2] == [third.pk, first.pk]
        ga_client.post(f"{url}items/{first.pk}/retire/")
        first.refresh_from_db()
        assert not first.is_active
        page = ga_client.get(url).content.decode()
        assert 'data-testid="retired"' in page and "2 items in use" in page
        ga_client.post(f"{url}items/{first.pk}/restore/")
        first.refresh_from_db()
        assert first.is_active
        assert ga_client.post(f"{url}items/{first.pk}/bogus/").status_code == 404

    def test_rename_and_clash(self, ga_client, school):
        ChecklistTemplateFactory(school=school, name="已有的")
        template = template_with_items(school, name="日巡视")
        url = f"/safety/checklists/{template.pk}/"
        response = ga_client.post(url, {"template-name": "已有的", "template-kind": "daily"})
        assert response.status_code == 400 and response.context["template_form"].errors
        template.refresh_from_db()
        assert template.name == "日巡视"
        response = ga_client.post(url, {"template-name": "每日巡视", "template-kind": "daily"})
        assert response.status_code == 302
        template.refresh_from_db()
        assert template.name == "每日巡视"

    def test_readers_see_no_forms(self, client, school, make_user):
        template = template_with_items(school)
        client.force_login(make_user(PRINCIPAL, school))
        page = client.get(f"/safety/checklists/{template.pk}/").content.decode()
        assert template.items.first().text in page
        assert "<form" not in page.split("<main")[1].split("</main>")[0]


@pytest.mark.django_db
class TestSchedules:
    def test_create_and_edit(self, ga_client, school, officer, room):
        template = template_with_items(school, SafetyArea.FIRE, SafetyArea.GATE)
        response = ga_client.post(
            "/safety/schedules/new/",
            {
                "template": template.pk,
                "inspector": officer.pk,
                "frequency": Frequency.WEEKLY,
                "area": SafetyArea.GATE,
                "rooms": [room.pk],
                "scope_note": "校门口",
                "starts_on": today().isoformat(),
                "is_active": "on",
            },
        )
        assert response.status_code == 302 and response.url == "/safety/schedules/"
        schedule = InspectionSchedule.objects.get()
        assert list(schedule.rooms.all()) == [room] and schedule.area == SafetyArea.GATE
        body = ga_client.get("/safety/schedules/").content.decode()
        assert "校门口" in body and "实验楼 201" in body
        response = ga_client.post(
            f"/safety/schedules/{schedule.pk}/edit/",
            {
                "template": template.pk,
                "inspector": officer.pk,
                "frequency": Frequency.WEEKLY,
                "area": SafetyArea.LABS,  # no such item in the checklist
                "starts_on": today().isoformat(),
            },
        )
        assert response.status_code == 400 and "area" in response.context["form"].errors
        schedule.refresh_from_db()
        assert schedule.area == SafetyArea.GATE


# --- Query counts -------------------------------------------------------------------------


def count_queries(client, url):
    client.get(url)  # warm up (caches of content types, permissions, the menu)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("tab", ["all", "mine"])
def test_inspection_list_queries_do_not_grow(client, make_user, settings, tab):
    settings.DEBUG = False
    counts = []
    for n in (5, 30):
        school = factories.SchoolFactory()
        ga = make_user(GA, school)
        officer = make_user(SO, school)
        room = factories.RoomFactory(building__school=school)
        template = template_with_items(school)
        now = timezone.now()
        for i in range(n):
            done = i % 2
            InspectionFactory(
                school=school,
                template=template,
                inspector=officer,
                room=room if i % 3 else None,
                period_start=today() - datetime.timedelta(days=i),
                status=InspectionStatus.SUBMITTED if done else InspectionStatus.PLANNED,
                started_at=now if done else None,
                submitted_at=now if done else None,
            )
        client.force_login(ga if tab == "all" else officer)
        counts.append(count_queries(client, f"/safety/inspections/?tab={tab}&per_page=50"))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_inspector_list_kept_count_follows_a_submit(client, make_user):
    """The count of an inspector's done inspections is kept under the school's figures
    stamp: one submitted after it was counted shows in the pages at once."""
    school = factories.SchoolFactory()
    officer = make_user(SO, school)
    template = template_with_items(school)
    now = timezone.now()
    for _ in range(25):
        InspectionFactory(
            school=school,
            template=template,
            inspector=officer,
            period_start=today(),
            status=InspectionStatus.SUBMITTED,
            started_at=now,
            submitted_at=now,
        )
    open_one = InspectionFactory(
        school=school, template=template, inspector=officer, period_start=today()
    )
    client.force_login(officer)
    before = client.get("/safety/inspections/?tab=mine").content.decode()
    assert "1 / 2" not in before
    services.inspection_start(open_one, actor=officer)
    for item in template.items.all():
        services.inspection_record_result(open_one, item, Outcome.OK, "", actor=officer)
    services.inspection_submit(open_one, actor=officer)
    after = client.get("/safety/inspections/?tab=mine").content.decode()
    assert "1 / 2" in after


@pytest.mark.django_db
@pytest.mark.parametrize("stage", ["planned", "draft", "submitted"])
def test_inspection_detail_queries_do_not_grow(client, make_user, settings, stage):
    settings.DEBUG = False
    counts = []
    for n in (5, 30):
        school = factories.SchoolFactory()
        officer = make_user(SO, school)
        room = factories.RoomFactory(building__school=school)
        factories.RoomFactory(building=room.building)
        template = ChecklistTemplateFactory(school=school)
        for i in range(n):
            ChecklistItemFactory(template=template, area=SafetyArea.FIRE, sort_order=i)
        inspection = InspectionFactory(
            school=school, template=template, inspector=officer, room=room, period_start=today()
        )
        if stage != "planned":
            services.inspection_start(inspection, actor=officer)
            for i, item in enumerate(template.items.all()):
                hazard = i % 3 == 0
                services.inspection_record_result(
                    inspection,
                    item,
                    Outcome.HAZARD if hazard else Outcome.OK,
                    "问题" if hazard else "",
                    actor=officer,
                )
        if stage == "submitted":
            services.inspection_submit(inspection, actor=officer)
        client.force_login(officer)
        counts.append(count_queries(client, f"/safety/inspections/{inspection.pk}/"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts


@pytest.mark.django_db
def test_submitted_items_drawn_once_show_the_same(client, make_user):
    """A submitted inspection's items are kept under the figures stamp: the page drawn
    from the kept markup is the page drawn afresh, and a later write shows at once."""
    school = factories.SchoolFactory()
    officer = make_user(SO, school)
    template = template_with_items(school)
    inspection = InspectionFactory(
        school=school, template=template, inspector=officer, period_start=today()
    )
    services.inspection_start(inspection, actor=officer)
    for item in template.items.all():
        services.inspection_record_result(inspection, item, Outcome.OK, "", actor=officer)
    services.inspection_submit(inspection, actor=officer)
    client.force_login(officer)
    url = f"/safety/inspections/{inspection.pk}/"
    token = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]*')
    first = token.sub("", client.get(url).content.decode())
    second = token.sub("", client.get(url).content.decode())
    assert first == second
    assert 'data-testid="item"' in first
    officer.name = "改名的安全员"
    officer.save()
    school.refresh_from_db()
    school.figures_version += 1
    school.save(update_fields=["figures_version"])
    client.force_login(officer)
    assert "改名的安全员" in client.get(url).content.decode()


def test_item_fragment_ids_are_unique(client, db, school, make_user):
    """Each item's form has its own prefix: no two inputs on the page share an id."""
    inspection = _started(school)
    client.force_login(inspection.inspector)
    body = client.get(f"/safety/inspections/{inspection.pk}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


@pytest.mark.django_db
def test_items_with_forms_drawn_once_show_the_same(client, make_user):
    """An inspection in progress: its items with their forms are kept (with a stand-in
    for the CSRF token): the page drawn from the kept markup is the page drawn afresh,
    with the request's token in every form, and an answer saved shows at once."""
    from django.core.cache import cache

    from safety.views.inspections import CSRF_STAND_IN

    school = factories.SchoolFactory()
    officer = make_user(SO, school)
    room = factories.RoomFactory(building__school=school)
    template = template_with_items(school)
    inspection = InspectionFactory(
        school=school, template=template, inspector=officer, room=room, period_start=today()
    )
    services.inspection_start(inspection, actor=officer)
    items = list(template.items.all())
    services.inspection_record_result(inspection, items[0], Outcome.HAZARD, "问题", actor=officer)
    client.force_login(officer)
    url = f"/safety/inspections/{inspection.pk}/"
    token = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]*')
    cache.clear()
    fresh = client.get(url).content.decode()
    kept = client.get(url).content.decode()
    assert token.sub("", fresh) == token.sub("", kept)
    assert CSRF_STAND_IN not in kept
    assert kept.count("csrfmiddlewaretoken") == fresh.count("csrfmiddlewaretoken") > len(items)
    assert 'data-testid="item-more"' in kept and "school-rooms" in kept
    answered = kept.count('data-testid="item-outcome"')
    services.inspection_record_result(inspection, items[1], Outcome.OK, "", actor=officer)
    after = client.get(url).content.decode()
    assert after.count('data-testid="item-outcome"') == answered + 1
    # A step with the user's input drawn again is never the kept markup.
    response = client.post(
        f"/safety/inspections/{inspection.pk}/items/{items[2].pk}/",
        {f"item-{items[2].pk}-outcome": "nonsense"},
    )
    assert CSRF_STAND_IN not in response.content.decode()


@pytest.mark.django_db
def test_kept_history_and_rooms_follow_writes(client, make_user):
    """An inspection in progress keeps its history panel and the rooms' suggestions under
    the figures stamp: a step taken and a room renamed show at once."""
    from logistics.services.organisation import room_save

    school = factories.SchoolFactory()
    officer = make_user(SO, school)
    ga = make_user(GA, school)
    room = factories.RoomFactory(building__school=school, name="")
    inspection = _started(school)
    url = f"/safety/inspections/{inspection.pk}/"
    client.force_login(inspection.inspector)
    before = client.get(url).content.decode()
    assert f'<option value="{room}">' in before
    assert "7c1e5b" not in before  # the kept markup's marks are all filled in
    room_save(school=school, instance=room, name="总务仓库")
    client.force_login(inspection.inspector)
    after = client.get(url).content.decode()
    assert f'<option value="{room.building.name} {room.number} 总务仓库">' in after
    assert "停电，改日检查" not in after
    client.force_login(ga)
    services.inspection_cancel(inspection, actor=ga, reason="停电，改日检查")
    client.force_login(officer)
    page = client.get(url)
    assert page.status_code == 200
    assert "停电，改日检查" in page.content.decode()


def test_blank_step_forms_drawn_once_are_the_same():
    """A step's form with nothing typed in is drawn once per process and language; one
    with the user's input is drawn each time, with its errors."""
    from django.template.loader import render_to_string

    from safety.forms.inspections import CancelForm, SubmitForm
    from safety.views.inspections import _form_fields

    for form in (SubmitForm(prefix="submit"), CancelForm(prefix="cancel")):
        drawn = render_to_string("includes/form_fields.html", {"form": form})
        assert _form_fields(form) == drawn
        assert _form_fields(type(form)(prefix=form.prefix)) == drawn
    bound = CancelForm({"cancel-reason": ""}, prefix="cancel")
    assert not bound.is_valid()
    assert "invalid-feedback" in _form_fields(bound)
    assert "invalid-feedback" not in _form_fields(CancelForm(prefix="cancel"))
