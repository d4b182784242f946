"""One double-submit mechanism for every form that creates a record: the one-time key
shown with the form (``submission_key``) and stored with the row. The same form sent
twice makes one record and answers like the first time; another form (a new key) is
another record. (Filing a ticket, reporting a hazard and uploading an import have tests
of their own, in the pages' tests.)"""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.common.submissions import OnceSubmitted, SubmissionKeyField
from logistics.common.views import OnceCreateView, ScopedFormView
from logistics.models import Building, Campus, Department, Room, Semester, User
from logistics.repairs.models import DispatchRule, Material, RepairCategory, TicketMaterial
from logistics.repairs.services import tickets as ticket_services
from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    Drill,
    Inspection,
    InspectionSchedule,
    SafetyAgreement,
)
from tests import factories
from tests.safety_factories import template_with_items

KEY = re.compile(r'name="((?:[\w-]+-)?submission_key)" value="([0-9a-f-]{36})"')


@dataclass
class Creating:
    """A page that creates a record: where its form is shown, where it is sent (None:
    the same address), what it sends, and the records it makes."""

    name: str
    form_url: object  # (context) -> address of the page showing the form
    data: object  # (context) -> the form's data, without its key
    model: type
    post_url: object = None  # (context) -> where the form is sent
    role: str = Role.GENERAL_AFFAIRS


def _today():
    return timezone.localdate().isoformat()


CREATING = [
    Creating(
        "campus",
        lambda c: reverse("campus_create"),
        lambda c: {"name": "东校区", "address": "湖塘镇", "is_active": "on"},
        Campus,
    ),
    Creating(
        "building",
        lambda c: reverse("building_create"),
        lambda c: {"name": "求真楼", "floors_above": 5, "floors_below": 0, "is_active": "on"},
        Building,
    ),
    Creating(
        "room",
        lambda c: reverse("room_create"),
        lambda c: {
            "building": c["building"].pk,
            "floor": 1,
            "number": "108",
            "kind": "classroom",
            "is_active": "on",
        },
        Room,
    ),
    Creating(
        "department",
        lambda c: reverse("department_create"),
        lambda c: {"name": "后勤服务中心", "is_active": "on"},
        Department,
    ),
    Creating(
        "semester",
        lambda c: reverse("semester_create"),
        lambda c: {
            "academic_year": 2031,
            "term": 1,
            "start_date": "2031-09-01",
            "end_date": "2032-01-31",
        },
        Semester,
    ),
    Creating(
        "person",
        lambda c: reverse("person_create"),
        lambda c: {"username": "xinren", "name": "新同事", "roles": [Role.STAFF]},
        User,
    ),
    Creating(
        "repair_category",
        lambda c: reverse("repair_category_create"),
        lambda c: {"trade": Trade.PLUMBING, "name": "水管爆裂", "sort_order": 1},
        RepairCategory,
    ),
    Creating(
        "dispatch_rule",
        lambda c: reverse("dispatch_rule_create"),
        lambda c: {"trade": Trade.PLUMBING, "technician": c["technician"].pk, "is_active": "on"},
        DispatchRule,
    ),
    Creating(
        "material",
        lambda c: reverse("material_create"),
        lambda c: {"name": "PPR水管", "unit": "根", "unit_cost": "12.50", "is_active": "on"},
        Material,
    ),
    Creating(
        "checklist",
        lambda c: reverse("safety_checklist_create"),
        lambda c: {"name": "汛期专项检查", "kind": "daily", "is_active": "on"},
        ChecklistTemplate,
    ),
    Creating(
        "checklist_item",
        lambda c: reverse("safety_checklist_edit", args=[c["template"].pk]),
        lambda c: {"new-text": "排水沟畅通", "new-area": "fire"},
        ChecklistItem,
        post_url=lambda c: reverse("safety_checklist_item_add", args=[c["template"].pk]),
    ),
    Creating(
        "schedule",
        lambda c: reverse("safety_schedule_create"),
        lambda c: {
            "template": c["template"].pk,
            "inspector": c["officer"].pk,
            "frequency": "daily",
            "starts_on": _today(),
            "is_active": "on",
        },
        InspectionSchedule,
    ),
    Creating(
        "inspection",
        lambda c: reverse("safety_inspection_create"),
        lambda c: {
            "template": c["template"].pk,
            "inspector": c["officer"].pk,
            "period_start": _today(),
            "period_end": _today(),
        },
        Inspection,
    ),
    Creating(
        "drill",
        lambda c: reverse("safety_drill_create"),
        lambda c: {"kind": "fire_evacuation", "held_on": _today(), "participants": "800"},
        Drill,
        role=Role.SAFETY_OFFICER,
    ),
    Creating(
        "agreement",
        lambda c: reverse("safety_agreement_create"),
        lambda c: {
            "signer": c["officer"].pk,
            "kind": "staff",
            "year": str(timezone.localdate().year - (timezone.localdate().month < 9)),
            "signed_on": _today(),
        },
        SafetyAgreement,
    ),
    Creating(
        "ticket_material",
        lambda c: reverse("ticket_detail", args=[c["ticket"].pk]),
        lambda c: {
            "material-name": "生料带",
            "material-unit": "卷",
            "material-unit_cost": "1.50",
            "material-quantity": "2",
        },
        TicketMaterial,
        post_url=lambda c: reverse("ticket_action", args=[c["ticket"].pk, "material"]),
        role=Role.TECHNICIAN,
    ),
]


@pytest.fixture
def context(school, make_user):
    officer = make_user(Role.SAFETY_OFFICER, school)
    technician = factories.technician(school, Trade.PLUMBING)
    ticket = factories.TicketFactory(school=school, trade=Trade.PLUMBING)
    ticket_services.ticket_take(ticket, actor=technician)
    ticket_services.ticket_start(ticket, actor=technician)
    return {
        "building": factories.BuildingFactory(school=school, floors_above=3),
        "technician": technician,
        "officer": officer,
        "template": template_with_items(school),
        "ticket": ticket,
    }


def _client_of(client, school, make_user, context, case):
    if case.role == Role.TECHNICIAN:
        user = context["technician"]
    elif case.role == Role.SAFETY_OFFICER:
        user = context["officer"]
    else:
        user = make_user(case.role, school)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CREATING, ids=[c.name for c in CREATING])
def test_the_same_form_sent_twice_makes_one_record(client, school, make_user, context, case):
    client = _client_of(client, school, make_user, context, case)
    page = client.get(case.form_url(context))
    assert page.status_code == 200
    [(field, key)] = KEY.findall(page.content.decode())
    url = (case.post_url or case.form_url)(context)
    before = case.model.objects.count()
    data = {**case.data(context), field: key}
    first = client.post(url, data)
    assert first.status_code == 302, first.context and first.context.get("form").errors
    made = case.model.objects.exclude(submission_key=None).get(submission_key=key)
    second = client.post(url, data)
    assert second.status_code == 302 and second.url == first.url
    assert case.model.objects.count() == before + 1
    assert case.model.objects.get(submission_key=key) == made
    # The page shown again carries a new key: the next form is another record.
    again = client.get(case.form_url(context))
    assert key not in again.content.decode()


@pytest.mark.django_db
def test_two_forms_are_two_records(ga_client, school):
    for name in ("东校区", "西校区"):
        ga_client.post(
            reverse("campus_create"),
            {"name": name, "is_active": "on", "submission_key": uuid.uuid4()},
        )
    assert Campus.objects.filter(school=school).count() == 2


@pytest.mark.django_db
def test_editing_carries_no_key(ga_client, school):
    campus = factories.CampusFactory(school=school)
    page = ga_client.get(reverse("campus_edit", args=[campus.pk])).content.decode()
    assert "submission_key" not in page


@pytest.mark.django_db
def test_a_person_made_twice_hands_the_password_over_once(ga_client, school):
    """The account's temporary password waits in the session for the person's page: the
    second, identical request must not replace it."""
    key = str(uuid.uuid4())
    data = {"username": "xinren", "name": "新同事", "roles": [Role.STAFF], "submission_key": key}
    first = ga_client.post(reverse("person_create"), data)
    ga_client.post(reverse("person_create"), data)
    page = ga_client.get(first.url)
    assert page.context["temporary_password"]


def _views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern.url_patterns)
        else:
            yield pattern.name, getattr(pattern.callback, "view_class", None)


def test_every_generic_creating_form_keeps_its_key():
    """A set-up page that creates records (``ScopedFormView``) is of a model that stores
    the form's key; a page of its own (``OnceCreateView``) has the key in its form."""
    checked = 0
    for name, view in _views(get_resolver().url_patterns):
        if view is not None and issubclass(view, ScopedFormView):
            assert issubclass(view.model, OnceSubmitted), name
            checked += 1
        if view is not None and issubclass(view, OnceCreateView):
            assert isinstance(view.form_class.base_fields["submission_key"], SubmissionKeyField)
            checked += 1
    assert checked >= 12


def test_the_key_field():
    field = SubmissionKeyField()
    assert field.clean("") and field.clean("") != field.clean("")  # none sent: a new one
    key = uuid.uuid4()
    assert field.clean(str(key)) == key
    assert callable(field.initial) and field.initial() != field.initial()
