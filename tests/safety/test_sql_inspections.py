"""The inspection pages' hand-written SQL (``safety.selectors.sql``, "Inspections (pages)")
reads what the ORM reads: each statement against the ORM query it stands for, on the
database in use."""

import datetime

import pytest
from django.utils import timezone

from logistics.choices import Role
from safety import services
from safety.choices import InspectionStatus, Outcome, SafetyArea
from safety.models import Inspection, InspectionResult
from safety.overdue import inspection_overdue
from safety.selectors import (
    inspection_page,
    inspections_done,
    inspections_to_do,
    inspections_upcoming,
    inspector_list,
    sql,
)
from tests import factories
from tests.safety_factories import InspectionFactory, template_with_items

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def inspector_data(school, other_school, make_user):
    """An inspector's open, future, done and cancelled inspections (with and without a
    room, a typed place, an area), another inspector's, and one of another school."""
    officer = make_user(Role.SAFETY_OFFICER, school)
    colleague = make_user(Role.SAFETY_OFFICER, school)
    room = factories.RoomFactory(building__school=school, name="")
    named = factories.RoomFactory(building=room.building, name="化学实验室")
    template = template_with_items(school)
    other_template = template_with_items(school, name="周检查")
    now = timezone.now()
    for n in range(12):
        status = [
            InspectionStatus.PLANNED,
            InspectionStatus.DRAFT,
            InspectionStatus.SUBMITTED,
            InspectionStatus.CANCELLED,
        ][n % 4]
        started = now if status in (InspectionStatus.DRAFT, InspectionStatus.SUBMITTED) else None
        InspectionFactory(
            school=school,
            template=template if n % 2 else other_template,
            inspector=officer,
            room=[None, room, named][n % 3],
            location="东门" if n % 3 == 0 else "",
            area=SafetyArea.FIRE if n % 5 == 0 else "",
            # the same periods twice: ties are ordered by id
            period_start=today() + datetime.timedelta(days=(n % 6) - 3),
            status=status,
            started_at=started,
            submitted_at=now if status == InspectionStatus.SUBMITTED else None,
        )
    InspectionFactory(school=school, template=template, inspector=colleague, period_start=today())
    InspectionFactory(school=other_school, period_start=today())
    return officer


def _cards(inspections):
    return [
        {
            "pk": i.pk,
            "kind": i.kind,
            "area": i.area,
            "status": i.status,
            "room_id": i.room_id,
            "room__number": i.room.number if i.room else None,
            "room__name": i.room.name if i.room else None,
            "room__building__name": i.room.building.name if i.room else None,
            "location": i.location,
            "template__name": i.template.name,
            "period_start": i.period_start,
            "period_end": i.period_end,
            "due_at": i.due_at,
        }
        for i in inspections
    ]


@pytest.mark.parametrize(("limit", "offset"), [(50, 0), (2, 0), (2, 3), (25, 40)])
def test_inspector_cards_read_what_the_selectors_read(inspector_data, limit, offset):
    officer = inspector_data
    now = timezone.now()
    to_do, upcoming, done = sql.inspector_cards(
        officer.pk,
        officer.school_id,
        today(),
        to_do=limit,
        upcoming=limit,
        done=limit,
        offset=offset,
    )
    assert to_do == _cards(inspections_to_do(officer, now)[:limit])
    assert upcoming == _cards(inspections_upcoming(officer, now)[:limit])
    assert done == _cards(inspections_done(officer)[offset : offset + limit])
    assert to_do and upcoming and (done or offset)


def test_inspector_list_labels_and_overdue(inspector_data):
    officer = inspector_data
    now = timezone.now()
    lists = inspector_list(officer, now)
    models = (
        list(inspections_to_do(officer, now)[:50]),
        list(inspections_upcoming(officer, now)[:10]),
        list(inspections_done(officer)[:25]),
    )
    for cards, inspections in zip(lists, models, strict=True):
        assert [c["pk"] for c in cards] == [i.pk for i in inspections]
        for card, inspection in zip(cards, inspections, strict=True):
            assert card["period_label"] == inspection.period_label
            assert card["room_label"] == (str(inspection.room) if inspection.room else "")
            assert card["is_overdue"] == inspection_overdue(
                inspection.status, inspection.due_at, now
            )
    assert any(c["is_overdue"] for c in lists[0])


def test_inspection_answers_read_what_the_orm_reads(school, make_user):
    officer = make_user(Role.SAFETY_OFFICER, school)
    room = factories.RoomFactory(building__school=school)
    template = template_with_items(school)
    inspection = InspectionFactory(
        school=school, template=template, inspector=officer, room=room, period_start=today()
    )
    services.inspection_start(inspection, actor=officer)
    items = list(template.items.all())
    services.inspection_record_result(inspection, items[0], Outcome.HAZARD, "问题", actor=officer)
    services.inspection_record_result(inspection, items[1], Outcome.OK, "", actor=officer)
    InspectionResult.objects.filter(inspection=inspection, item=items[2]).update(sort_order=0)
    expected = list(
        InspectionResult.objects.filter(inspection=inspection)
        .order_by("sort_order", "pk")
        .values(*sql.ANSWER_KEYS)
    )
    assert sql.inspection_answers(inspection.pk) == expected
    assert expected[0]["item_id"] == items[2].pk and expected[1]["outcome"] == Outcome.HAZARD
    assert sql.inspection_answers(0) == []


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("with_room", [True, False])
def test_inspection_with_parts_reads_what_the_orm_reads(school, make_user, with_room):
    officer = make_user(Role.SAFETY_OFFICER, school, name="巡查员")
    room = factories.RoomFactory(building__school=school) if with_room else None
    inspection = InspectionFactory(
        school=school, inspector=officer, room=room, location="东门", period_start=today()
    )
    expected = Inspection.objects.select_related("template", "inspector", "room__building").get(
        pk=inspection.pk
    )
    read = sql.inspection_with_parts(inspection.pk)
    assert _values(read) == _values(expected)
    assert _values(read.template) == _values(expected.template)
    assert _values(read.inspector) == _values(expected.inspector)
    if with_room:
        assert _values(read.room) == _values(expected.room)
        assert _values(read.room.building) == _values(expected.room.building)
        assert str(read.room) == str(expected.room)
    else:
        assert read.room is None
    assert sql.inspection_with_parts(0) is None


def test_inspection_page_is_scoped(school, other_school, make_user):
    officer = make_user(Role.SAFETY_OFFICER, school)
    inspection = InspectionFactory(school=school, inspector=officer, period_start=today())
    assert inspection_page(officer, inspection.pk) == inspection
    assert inspection_page(officer, inspection.pk).school is officer.school
    stranger = make_user(Role.SAFETY_OFFICER, other_school)
    staff = make_user(Role.STAFF, school)
    for user in (stranger, staff):
        with pytest.raises(Inspection.DoesNotExist):
            inspection_page(user, inspection.pk)
