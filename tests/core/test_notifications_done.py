"""A notification that asks for an action stops asking once the action is done — by
anyone, by whatever path (the services mark it read, not the views)."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.common.reminders import reminders_run
from logistics.common.uploads import image_clean
from logistics.models import Notification, Reminder
from logistics.repairs.choices import DamageCause
from logistics.repairs.services import tickets as repair_services
from logistics.services import organisation
from logistics.services.notifications import notifications_done, notify
from safety import services as safety
from safety.choices import HazardLevel, Outcome, SafetyArea
from safety.reminders import HazardOverdueRule, InspectionAssignedRule, InspectionOverdueRule
from tests import factories
from tests.safety_factories import InspectionFactory

pytestmark = pytest.mark.django_db


def photo():
    return image_clean(factories.photo_upload())


def unread(user, prefix):
    return Notification.objects.filter(
        recipient=user, key__startswith=prefix, read_at__isnull=True
    ).count()


def asked(user, prefix):
    return Notification.objects.filter(recipient=user, key__startswith=prefix).count()


@pytest.fixture
def staff(make_user, school):
    return make_user(Role.STAFF, school, name="王老师")


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school)


@pytest.fixture
def plumber(school):
    return factories.technician(school, Trade.PLUMBING, name="王师傅")


@pytest.fixture
def plumber2(school):
    return factories.technician(school, Trade.PLUMBING, name="李师傅")


def file(staff, room):
    ticket, _created = repair_services.ticket_file(
        requester=staff,
        room=room,
        trade=Trade.PLUMBING,
        description="水龙头漏水",
        photos=[photo()],
    )
    return ticket


def done(ticket, plumber):
    repair_services.ticket_take(ticket, actor=plumber)
    repair_services.ticket_start(ticket, actor=plumber)
    repair_services.ticket_complete(ticket, actor=plumber, cause=DamageCause.WEAR, photo=photo())
    ticket.refresh_from_db()
    return ticket


# --- The helper -----------------------------------------------------------------------------


def test_a_prefix_reads_only_its_own_object(school, staff):
    for key in ("ticket:1:done:5", "ticket:12:done:6", "reminder:x:1", "reminder:x:12"):
        notify(recipients=[staff], key=key, title=key, school=school)
    notifications_done(school=school, keys=["reminder:x:1"], prefixes=["ticket:1:"])
    left = set(Notification.objects.filter(read_at__isnull=True).values_list("key", flat=True))
    assert left == {"ticket:12:done:6", "reminder:x:12"}


def test_another_schools_notifications_are_left_alone(school, other_school, make_user):
    here, there = make_user(Role.STAFF, school), make_user(Role.STAFF, other_school)
    notify(recipients=[here], key="ticket:1:done:1", title="t", school=school)
    notify(recipients=[there], key="ticket:1:done:1", title="t", school=other_school)
    notifications_done(school=school, prefixes=["ticket:1:"])
    assert unread(here, "ticket:") == 0 and unread(there, "ticket:") == 1


# --- Repairs --------------------------------------------------------------------------------


def test_confirm_and_rate_stops_asking_once_confirmed_from_my_repairs(client, staff, room, plumber):
    ticket = done(file(staff, room), plumber)
    prefix = f"ticket:{ticket.pk}:done:"
    assert unread(staff, prefix) == 1
    client.force_login(staff)
    response = client.post(
        reverse("ticket_action", args=[ticket.pk, "confirm"]),
        {"confirm-rating": 5, "confirm-comment": "很快"},
    )
    assert response.status_code == 302
    assert asked(staff, prefix) == 1 and unread(staff, prefix) == 0


def test_reopening_or_the_automatic_confirmation_also_answers_it(staff, room, plumber, school):
    first = done(file(staff, room), plumber)
    repair_services.ticket_reopen(first, actor=staff, reason="还在漏")
    assert unread(staff, f"ticket:{first.pk}:done:") == 0
    assert unread(plumber, f"ticket:{first.pk}:assigned:") == 1  # asked again
    second = done(file(staff, room), plumber)
    later = second.done_at + timedelta(days=school.repair_auto_confirm_days, minutes=1)
    assert repair_services.tickets_auto_confirm(later) == 1
    assert unread(staff, f"ticket:{second.pk}:done:") == 0


def test_needs_a_technician_stops_asking_once_dispatched_or_taken(
    staff, room, plumber, general_affairs, make_user, school
):
    other_office = make_user(Role.GENERAL_AFFAIRS, school)
    by_hand = file(staff, room)
    taken = file(staff, room)
    for ticket in (by_hand, taken):
        for person in (general_affairs, other_office):
            assert unread(person, f"ticket:{ticket.pk}:dispatch") == 1
    repair_services.ticket_assign(by_hand, actor=general_affairs, technician=plumber)
    repair_services.ticket_take(taken, actor=plumber)
    for ticket in (by_hand, taken):
        for person in (general_affairs, other_office):  # whoever of the office was asked
            assert unread(person, f"ticket:{ticket.pk}:dispatch") == 0


def test_assigned_to_you_stops_asking_once_started_or_given_to_another(
    staff, room, plumber, plumber2, general_affairs
):
    ticket = file(staff, room)
    repair_services.ticket_assign(ticket, actor=general_affairs, technician=plumber)
    assert unread(plumber, f"ticket:{ticket.pk}:assigned:") == 1
    repair_services.ticket_assign(ticket, actor=general_affairs, technician=plumber2)
    assert unread(plumber, f"ticket:{ticket.pk}:assigned:") == 0
    assert unread(plumber2, f"ticket:{ticket.pk}:assigned:") == 1
    repair_services.ticket_start(ticket, actor=plumber2)
    assert unread(plumber2, f"ticket:{ticket.pk}:assigned:") == 0


def test_overdue_reminders_stop_asking_once_started_and_finished(
    staff, room, plumber, general_affairs
):
    ticket = file(staff, room)
    repair_services.ticket_take(ticket, actor=plumber)
    reminders_run(ticket.respond_by + timedelta(minutes=5))
    response = f"reminder:ticket_overdue:{ticket.pk}:response:"
    assert unread(plumber, response) == 1
    repair_services.ticket_start(ticket, actor=plumber)
    assert unread(plumber, response) == 0
    reminders_run(ticket.complete_by + timedelta(minutes=5))
    completion = f"reminder:ticket_overdue:{ticket.pk}:completion:"
    assert unread(plumber, completion) == 1
    repair_services.ticket_complete(ticket, actor=plumber, cause=DamageCause.WEAR, photo=photo())
    assert unread(plumber, completion) == 0


def test_a_cancelled_ticket_asks_nothing_more(staff, room, general_affairs):
    ticket = file(staff, room)
    reminders_run(ticket.respond_by + timedelta(minutes=5))
    assert unread(general_affairs, f"ticket:{ticket.pk}:") == 1
    assert unread(general_affairs, f"reminder:ticket_overdue:{ticket.pk}:") == 1
    repair_services.ticket_cancel(ticket, actor=staff, reason="重复报修")
    assert unread(general_affairs, f"ticket:{ticket.pk}:") == 0
    assert unread(general_affairs, f"reminder:ticket_overdue:{ticket.pk}:") == 0


# --- Hazards --------------------------------------------------------------------------------


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.SAFETY_OFFICER, school, name="安全员")


@pytest.fixture
def checker(make_user, school):
    return make_user(Role.GENERAL_AFFAIRS, school, name="王主任")


def report(officer, room):
    hazard, _created = safety.hazard_report(
        actor=officer,
        category=SafetyArea.FIRE,
        description="灭火器过期",
        room=room,
        level=HazardLevel.GENERAL,
    )
    return hazard


def assign(hazard, office, person, days=7):
    return safety.hazard_assign(
        hazard,
        actor=office,
        responsible_person=person,
        deadline=timezone.localdate() + timedelta(days=days),
    )


def test_a_reported_hazard_stops_asking_once_assigned_or_withdrawn(
    officer, room, general_affairs, checker, staff
):
    assigned, withdrawn = report(officer, room), report(officer, room)
    for hazard in (assigned, withdrawn):
        for person in (general_affairs, checker):
            assert unread(person, f"safety:hazard:{hazard.pk}:reported") == 1
    assign(assigned, general_affairs, staff)
    safety.hazard_withdraw(withdrawn, actor=general_affairs, reason="重复上报")
    for hazard in (assigned, withdrawn):
        for person in (general_affairs, checker):
            assert unread(person, f"safety:hazard:{hazard.pk}:reported") == 0


def test_to_rectify_stops_asking_once_submitted_and_check_once_checked(
    officer, room, general_affairs, checker, staff
):
    hazard = report(officer, room)
    assign(hazard, general_affairs, staff)
    to_rectify = f"safety:hazard:{hazard.pk}:assigned:"
    assert unread(staff, to_rectify) == 1
    safety.hazard_start_rectifying(hazard, actor=staff)
    assert unread(staff, to_rectify) == 1  # started, not done
    safety.hazard_submit_rectification(hazard, actor=staff, note="已更换", photo=photo())
    assert unread(staff, to_rectify) == 0
    check = f"safety:hazard:{hazard.pk}:check:"
    assert unread(general_affairs, check) == 1 and unread(checker, check) == 1
    # Sent back: the check is answered; "not accepted" asks the rectifier until resubmitted.
    safety.hazard_verify(hazard, actor=checker, approve=False, reason="标签未贴")
    assert unread(general_affairs, check) == 0 and unread(checker, check) == 0
    rejected = f"safety:hazard:{hazard.pk}:rejected:"
    assert unread(staff, rejected) == 1
    safety.hazard_submit_rectification(hazard, actor=staff, note="已贴标签", photo=photo())
    assert unread(staff, rejected) == 0
    assert unread(checker, check) == 1
    safety.hazard_verify(hazard, actor=checker, approve=True)
    assert unread(general_affairs, check) == 0 and unread(checker, check) == 0


def test_overdue_and_deferred_hazards_stop_asking(officer, room, general_affairs, staff):
    hazard = assign(report(officer, room), general_affairs, staff, days=1)
    later = timezone.now() + timedelta(days=3)
    reminders_run(later)
    overdue = f"reminder:{HazardOverdueRule.name}:{hazard.pk}:"
    assert unread(staff, overdue) == 1
    # A deferral gives a new deadline: the old one's reminder is moot.
    safety.hazard_defer(
        hazard,
        actor=general_affairs,
        reason="需采购",
        new_deadline=timezone.localdate() + timedelta(days=10),
    )
    assert unread(staff, overdue) == 0
    deferred = f"safety:hazard:{hazard.pk}:deferred:"
    assert unread(staff, deferred) == 1
    # Overdue again after the new deadline, then rectified: nothing asks any more.
    reminders_run(timezone.now() + timedelta(days=12))
    assert unread(staff, overdue) == 1
    safety.hazard_start_rectifying(hazard, actor=staff)
    safety.hazard_submit_rectification(hazard, actor=staff, note="已更换", photo=photo())
    assert unread(staff, overdue) == 0 and unread(staff, deferred) == 0


# --- Inspections ----------------------------------------------------------------------------


def test_inspection_reminders_stop_asking_once_submitted_or_cancelled(
    school, officer, general_affairs
):
    today = timezone.localdate()
    submitted = InspectionFactory(
        school=school,
        inspector=officer,
        location="全校",
        period_start=today - timedelta(1),
        period_end=today,
    )
    cancelled = InspectionFactory(
        school=school, inspector=officer, location="全校", period_start=today
    )
    reminders_run(timezone.now())
    to_do = f"reminder:{InspectionAssignedRule.name}:"
    assert unread(officer, to_do) == 2
    reminders_run(timezone.now() + timedelta(days=1, hours=1))  # both now overdue
    overdue = f"reminder:{InspectionOverdueRule.name}:"
    assert unread(officer, overdue) == 2
    safety.inspection_start(submitted, actor=officer)
    for item in submitted.template.items.all():
        safety.inspection_record_result(submitted, item, Outcome.OK, actor=officer)
    safety.inspection_submit(submitted, actor=officer)
    assert unread(officer, f"{to_do}{submitted.pk}") == 0
    assert unread(officer, f"{overdue}{submitted.pk}") == 0
    assert unread(officer, f"{to_do}{cancelled.pk}") == 1
    safety.inspection_cancel(cancelled, actor=general_affairs, reason="放假")
    assert unread(officer, to_do) == 0 and unread(officer, overdue) == 0


# --- Semesters ------------------------------------------------------------------------------


def test_semester_reminders_stop_asking_once_the_semester_is_set_up(school, general_affairs):
    today = timezone.localdate()
    ending = factories.SemesterFactory(
        school=school,
        start_date=today - timedelta(days=150),
        end_date=today + timedelta(days=3),
        is_current=True,
    )
    reminders_run(timezone.now())
    prefix = "reminder:semester_ending:"
    assert unread(general_affairs, prefix) == 1
    organisation.semester_save(
        school=school,
        actor=general_affairs,
        academic_year=ending.academic_year + 1,
        term=ending.term,
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=180),
    )
    assert unread(general_affairs, prefix) == 0


def test_no_current_semester_stops_asking_once_one_covers_today(school, general_affairs):
    today = timezone.localdate()
    semester = factories.SemesterFactory(
        school=school,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=100),
        is_current=False,
    )
    reminders_run(timezone.now())
    prefix = "reminder:no_current_semester:"
    assert unread(general_affairs, prefix) == 1
    assert Reminder.objects.filter(rule="no_current_semester").exists()
    organisation.semester_make_current(semester=semester, actor=general_affairs)
    assert unread(general_affairs, prefix) == 0
