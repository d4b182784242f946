"""A hazard found again in an inspection: merged into the open hazard only when it is the
same one (same checklist item AND the same room, or, without a room, the same typed
place), said so to the inspector, and recorded in the hazard's history with its note,
inspection and (a more severe) level."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from logistics.choices import Role
from logistics.models import Notification
from logistics.selectors import status_history
from safety import services
from safety.choices import HazardLevel, HazardStatus, Outcome
from safety.models import Hazard
from safety.selectors.stats import rectification_rate
from tests import factories
from tests.safety_factories import InspectionFactory, template_with_items

D = datetime.date


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.SAFETY_OFFICER, school, name="安全员老张")


@pytest.fixture
def template(school):
    return template_with_items(school)


def patrol(school, template, officer, day, *, location="", room=None, answers=None):
    """A patrol of ``template`` on ``day`` at a typed place or a room: ``answers`` maps
    an item's index to (note, level, typed place) for a hazard; the rest are OK."""
    inspection = InspectionFactory(
        school=school,
        template=template,
        inspector=officer,
        location=location,
        room=room,
        period_start=day,
    )
    services.inspection_start(inspection, actor=officer)
    items = list(template.items.order_by("sort_order", "pk"))
    for index, item in enumerate(items):
        if answers and index in answers:
            note, level, place = answers[index]
            services.inspection_record_result(
                inspection,
                item,
                Outcome.HAZARD,
                note,
                actor=officer,
                hazard_level=level,
                location=place,
                now=at(day),
            )
        else:
            services.inspection_record_result(inspection, item, Outcome.OK, actor=officer)
    inspection, hazards = services.inspection_submit(inspection, actor=officer)
    return inspection, hazards


@pytest.mark.django_db
def test_the_same_item_at_another_typed_place_is_a_hazard_of_its_own(school, template, officer):
    _first, [east] = patrol(
        school, template, officer, D(2026, 9, 1),
        answers={0: ("灭火器过期", HazardLevel.GENERAL, "东门岗亭")},
    )  # fmt: skip
    _second, [west] = patrol(
        school, template, officer, D(2026, 9, 2),
        answers={0: ("灭火器缺失", HazardLevel.MAJOR, "西门岗亭")},
    )  # fmt: skip
    assert west != east and Hazard.objects.count() == 2
    assert (west.location, west.level) == ("西门岗亭", HazardLevel.MAJOR)
    assert "灭火器缺失" in west.description
    # Both are counted by the rectification rate.
    figures = rectification_rate(school, D(2026, 9, 1), D(2026, 9, 30))
    assert figures["found"] == 2


@pytest.mark.django_db
def test_the_same_typed_place_whatever_its_spacing_and_case_is_the_same_hazard(
    school, template, officer
):
    _first, [hazard] = patrol(
        school, template, officer, D(2026, 9, 1),
        answers={0: ("Exit sign dark", HazardLevel.GENERAL, "East  Gate")},
    )  # fmt: skip
    second, [again] = patrol(
        school, template, officer, D(2026, 9, 2),
        answers={0: ("still dark", HazardLevel.GENERAL, " east gate ")},
    )  # fmt: skip
    assert again == hazard and Hazard.objects.count() == 1
    # The re-finding is in the hazard's history, with the inspection and the new note.
    [record] = status_history(hazard).filter(field="found_again")
    assert record.to_status == str(second.pk)
    assert "still dark" in record.note and template.name in record.note
    assert record.actor == officer


@pytest.mark.django_db
def test_the_same_room_is_the_same_hazard(school, template, officer):
    room = factories.RoomFactory(building__school=school)
    _first, [hazard] = patrol(
        school, template, officer, D(2026, 9, 1), room=room,
        answers={1: ("插座松动", HazardLevel.GENERAL, "")},
    )  # fmt: skip
    _second, [again] = patrol(
        school, template, officer, D(2026, 9, 2), room=room,
        answers={1: ("插座冒火花", HazardLevel.GENERAL, "讲台旁")},
    )  # fmt: skip
    assert again == hazard
    [record] = status_history(hazard).filter(field="found_again")
    assert "插座冒火花" in record.note and "讲台旁" in record.note
    # Another room: its own hazard.
    other = factories.RoomFactory(building__school=school)
    _third, [elsewhere] = patrol(
        school, template, officer, D(2026, 9, 3), room=other,
        answers={1: ("插座松动", HazardLevel.GENERAL, "")},
    )  # fmt: skip
    assert elsewhere != hazard and elsewhere.room == other


@pytest.mark.django_db
def test_found_again_more_severe_raises_the_level_and_says_so(
    school, template, officer, general_affairs
):
    _first, [hazard] = patrol(
        school, template, officer, D(2026, 9, 1), location="操场",
        answers={2: ("围墙裂缝", HazardLevel.GENERAL, "")},
    )  # fmt: skip
    _second, [again] = patrol(
        school, template, officer, D(2026, 9, 2), location="操场",
        answers={2: ("裂缝扩大，有倒塌危险", HazardLevel.MAJOR, "")},
    )  # fmt: skip
    hazard.refresh_from_db()
    assert again == hazard and hazard.level == HazardLevel.MAJOR
    [change] = status_history(hazard).filter(field="level")
    assert (change.from_status, change.to_status) == ("general", "major")
    assert Notification.objects.filter(
        recipient=general_affairs, key__startswith=f"safety:hazard:{hazard.pk}:major:"
    ).exists()
    # A less severe finding later lowers nothing.
    patrol(
        school, template, officer, D(2026, 9, 3), location="操场",
        answers={2: ("已设警示带", HazardLevel.GENERAL, "")},
    )  # fmt: skip
    hazard.refresh_from_db()
    assert hazard.level == HazardLevel.MAJOR
    assert status_history(hazard).filter(field="found_again").count() == 2


@pytest.mark.django_db
def test_the_inspector_is_told_on_the_inspection_page(client, school, template, officer):
    _first, [hazard] = patrol(
        school, template, officer, D(2026, 9, 1), location="食堂",
        answers={0: ("灭火器过期", HazardLevel.GENERAL, "")},
    )  # fmt: skip
    second = InspectionFactory(
        school=school, template=template, inspector=officer, location="食堂",
        period_start=D(2026, 9, 2),
    )  # fmt: skip
    services.inspection_start(second, actor=officer)
    for index, item in enumerate(template.items.order_by("sort_order", "pk")):
        outcome = Outcome.HAZARD if index == 0 else Outcome.OK
        services.inspection_record_result(
            second, item, outcome, "仍未更换", actor=officer, now=at(D(2026, 9, 2))
        )
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("safety_inspection_action", args=[second.pk, "submit"]),
        {"submit-summary": ""},
        follow=True,
    )
    page = response.content.decode()
    told = f"Recorded as the same hazard as #{hazard.pk}, already open since 2026-09-01."
    assert told in page  # the message after submitting, and the page's hazard list
    assert page.count(told) >= 3  # message, result list and the item
    # The hazard's page shows the re-finding in its history.
    page = client.get(reverse("safety_hazard_detail", args=[hazard.pk])).content.decode()
    assert "Found again" in page and "仍未更换" in page


@pytest.mark.django_db
def test_a_hazard_no_longer_open_found_again_is_a_new_one(school, template, officer):
    _first, [hazard] = patrol(
        school, template, officer, D(2026, 9, 1),
        answers={0: ("灭火器过期", HazardLevel.GENERAL, "东门")},
    )  # fmt: skip
    Hazard.objects.filter(pk=hazard.pk).update(status=HazardStatus.WITHDRAWN)
    _second, [new] = patrol(
        school, template, officer, D(2026, 9, 2),
        answers={0: ("灭火器又过期", HazardLevel.GENERAL, "东门")},
    )  # fmt: skip
    assert new != hazard
