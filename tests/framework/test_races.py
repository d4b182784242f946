"""Two people acting at once, on PostgreSQL and on the embedded SQLite default alike.

Each test makes the second person really wait for the first (``tests.concurrency.race``):
the loser is refused with a message naming the winner — never a 500 ("database is
locked" on SQLite) and never a stale read ("None 已接此单" on PostgreSQL) — and the data
holds exactly one outcome.
"""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from logistics.choices import Role, Term, Trade
from logistics.common.uploads import image_clean
from logistics.models import Semester, StatusChange
from logistics.repairs.choices import TicketStatus
from logistics.repairs.models import Ticket, TicketPhoto
from logistics.repairs.services import tickets as repairs
from logistics.services.organisation import semester_save
from safety import services as safety
from safety.choices import HazardStatus, SafetyArea
from safety.models import Hazard, HazardPhoto
from tests import factories
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def photo():
    return image_clean(factories.photo_upload())


def media_files(settings):
    from pathlib import Path

    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


@pytest.fixture
def staff(make_user, school):
    return make_user(Role.STAFF, school, name="李老师")


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school)


@pytest.fixture
def ticket(staff, room):
    ticket, _created = repairs.ticket_file(
        requester=staff, room=room, trade=Trade.PLUMBING, description="水龙头漏水", photos=[photo()]
    )
    return ticket


def test_two_technicians_take_one_ticket_the_second_is_told_who(school, ticket):
    wang = factories.technician(school, name="王师傅")
    zhao = factories.technician(school, name="赵师傅")
    first, second = race(
        lambda: repairs.ticket_take(Ticket.objects.get(pk=ticket.pk), actor=wang),
        lambda: repairs.ticket_take(Ticket.objects.get(pk=ticket.pk), actor=zhao),
    )
    first.result()
    with pytest.raises(ValidationError) as refused:
        second.result()
    assert refused.value.code == "taken"
    assert refused.value.messages == ["王师傅 已接此单。"]  # not "None 已接此单。"
    ticket.refresh_from_db()
    assert ticket.assignee == wang and ticket.status == TicketStatus.ASSIGNED
    assert StatusChange.objects.filter(object_id=ticket.pk, to_status="assigned").count() == 1


def test_two_dispatchers_assign_at_once_the_second_reassigns_from_the_first(
    school, ticket, make_user
):
    """The second assignment's record names whom it took the ticket from, as read after
    the first one committed."""
    office = [make_user(Role.GENERAL_AFFAIRS, school) for _ in range(2)]
    wang = factories.technician(school, name="王师傅")
    zhao = factories.technician(school, name="赵师傅")
    first, second = race(
        lambda: repairs.ticket_assign(ticket.pk, actor=office[0], technician=wang),
        lambda: repairs.ticket_assign(ticket.pk, actor=office[1], technician=zhao),
    )
    first.result(), second.result()
    notes = list(
        StatusChange.objects.filter(object_id=ticket.pk, to_status="assigned")
        .order_by("pk")
        .values_list("note", flat=True)
    )
    assert notes == ["派给 王师傅", "由 王师傅 改派给 赵师傅"]


def test_the_same_ticket_form_sent_twice_at_once_files_one(staff, room, settings):
    key = uuid.uuid4()

    def file():
        return repairs.ticket_file(
            requester=staff,
            room=room,
            trade=Trade.PLUMBING,
            description="水龙头漏水",
            photos=[photo()],
            submission_key=key,
        )

    first, second = race(file, file)
    (one, created_one), (two, created_two) = first.result(), second.result()
    assert one == two and [created_one, created_two] == [True, False]
    assert Ticket.objects.count() == 1 and TicketPhoto.objects.count() == 1
    assert len(media_files(settings)) == 1  # the loser's photo is deleted again


def test_the_same_hazard_form_sent_twice_at_once_reports_one(staff, settings):
    key = uuid.uuid4()
    found = timezone.now().replace(second=0, microsecond=0)

    def report():
        return safety.hazard_report(
            actor=staff,
            category=SafetyArea.FIRE,
            description="灭火器压力不足",
            location="实验楼二楼走廊",
            photos=[photo()],
            found_at=found,
            submission_key=key,
        )

    first, second = race(report, report)
    (one, created_one), (two, created_two) = first.result(), second.result()
    assert one == two and [created_one, created_two] == [True, False]
    assert Hazard.objects.count() == 1 and HazardPhoto.objects.count() == 1
    assert len(media_files(settings)) == 1


def test_two_checkers_at_once_the_second_is_told_who_decided(school, staff, make_user):
    office = make_user(Role.GENERAL_AFFAIRS, school, name="甲")
    yi = make_user(Role.GENERAL_AFFAIRS, school, name="乙")
    bing = make_user(Role.GENERAL_AFFAIRS, school, name="丙")
    hazard, _created = safety.hazard_report(
        actor=staff, category=SafetyArea.FIRE, description="灭火器过期", location="一楼"
    )
    safety.hazard_assign(
        hazard,
        actor=office,
        responsible_person=staff,
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    safety.hazard_start_rectifying(hazard, actor=staff)
    safety.hazard_submit_rectification(hazard, actor=staff, note="已更换", photo=photo())
    first, second = race(
        lambda: safety.hazard_verify(hazard.pk, actor=yi, approve=True),
        lambda: safety.hazard_verify(hazard.pk, actor=bing, approve=False, reason="还不行"),
    )
    first.result()
    with pytest.raises(ValidationError) as refused:
        second.result()
    assert refused.value.code == "decided"
    assert "乙" in refused.value.messages[0]
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED and hazard.verified_by == yi


def test_two_overlapping_semesters_saved_at_once_make_one(school):
    D = datetime.date
    first, second = race(
        lambda: semester_save(
            school=school,
            academic_year=2026,
            term=Term.FIRST,
            start_date=D(2026, 9, 1),
            end_date=D(2027, 1, 31),
        ),
        lambda: semester_save(
            school=school,
            academic_year=2026,
            term=Term.SECOND,
            start_date=D(2026, 12, 1),
            end_date=D(2027, 6, 30),
        ),
    )
    first.result()
    with pytest.raises(ValidationError):
        second.result()
    assert Semester.objects.filter(school=school).count() == 1
