"""The workflow toolkit (``logistics.common.workflow``) and the promise it is for: each
workflow's steps are declared once, the page offers exactly the steps the declaration
allows, and the service refuses exactly the steps it does not (checked again under the
row lock)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.common import workflow
from logistics.common.workflow import (
    Refusal,
    Workflow,
    model_update,
    transition,
    workflow_of,
)
from logistics.models import Campus, StatusChange
from logistics.repairs.choices import DamageCause, TicketStatus
from logistics.repairs.models import Ticket
from logistics.repairs.services import tickets as ticket_services
from logistics.repairs.services.tickets import ticket_steps
from safety import services as safety_services
from safety.choices import HazardStatus, InspectionStatus, Outcome
from safety.models import InspectionSchedule
from safety.services.hazards import hazard_steps
from safety.services.inspections import inspection_steps
from tests import factories
from tests.safety_factories import HazardFactory, InspectionFactory, clean_photo

# The codes a step's declaration refuses with (who may, the status, its guards); the
# services may refuse further for the record's data (a major hazard's plan, unanswered
# items), which the page shows it needs.
DECLARED = {"permission", "status", "taken", "decided", "done", "same_person", "assign"}


class _Undo(Exception):
    pass


def service_verdict(call):
    """The code of the ``Refusal`` the service answered with, or None when it did the
    step (undone again) or refused only the input (field errors)."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return None
    except Refusal as refusal:
        return refusal.code
    except ValidationError:
        return None


def assert_service_agrees(steps, name, obj, actor, call, tally):
    expected = steps.refused(name, obj, actor)
    got = service_verdict(call)
    where = (name, obj.status, actor.username)
    if expected is None:
        assert got not in DECLARED, where
        tally["accepted"] += 1
    else:
        assert got == expected.code, (*where, expected.messages, got)
        tally["refused"] += 1


# --- Refusal ---------------------------------------------------------------------------------


def test_a_refusal_names_its_code():
    with pytest.raises(TypeError):
        Refusal("no reason given", "")
    refusal = Refusal("This is now closed.", "status")
    assert isinstance(refusal, ValidationError) and not isinstance(refusal, PermissionDenied)
    assert (refusal.code, refusal.messages) == ("status", ["This is now closed."])


def test_a_permission_refusal_is_also_a_403():
    refusal = Refusal("You cannot dispatch repair tickets.", "permission")
    assert isinstance(refusal, Refusal)
    assert isinstance(refusal, ValidationError) and isinstance(refusal, PermissionDenied)
    assert refusal.code == "permission"


# --- transition, model_update --------------------------------------------------------------


@pytest.mark.django_db
def test_transition_saves_and_records(school, make_user):
    ticket = factories.TicketFactory(school=school)
    plumber = factories.technician(school)
    change = transition(
        ticket,
        TicketStatus.ASSIGNED,
        actor=plumber,
        note="接单",
        fields={"assignee": plumber, "assigned_at": timezone.now()},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.ASSIGNED, plumber)
    assert (change.from_status, change.to_status, change.actor, change.note) == (
        "submitted",
        "assigned",
        plumber,
        "接单",
    )
    assert change.school_id == school.pk and change.at is not None


@pytest.mark.django_db
def test_transition_refuses_a_move_the_workflow_does_not_know(school):
    ticket = factories.TicketFactory(school=school, status=TicketStatus.CANCELLED)
    with pytest.raises(Refusal) as refused:
        transition(ticket, TicketStatus.DONE, actor=None)
    assert refused.value.code == "status"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
    assert not StatusChange.objects.filter(object_id=ticket.pk).exists()


def test_the_moves_are_those_of_the_steps():
    moves = ticket_steps.moves
    assert moves[TicketStatus.DONE] == {TicketStatus.CLOSED, TicketStatus.ASSIGNED}
    assert moves[TicketStatus.ON_HOLD] >= {TicketStatus.IN_PROGRESS, TicketStatus.ASSIGNED}
    assert TicketStatus.CLOSED not in moves
    assert hazard_steps.moves[HazardStatus.AWAITING_CHECK] == {
        HazardStatus.CLOSED,
        HazardStatus.RECTIFYING,
    }
    assert inspection_steps.moves[InspectionStatus.PLANNED] == {
        InspectionStatus.DRAFT,
        InspectionStatus.CANCELLED,
    }


@pytest.mark.django_db
def test_every_model_has_one_workflow(school):
    assert workflow_of(factories.TicketFactory(school=school)) is ticket_steps
    with pytest.raises(ValueError):
        Workflow(Ticket)
    with pytest.raises(LookupError):
        workflow_of(Campus(school=school))


def test_a_step_is_declared_once():
    steps = Workflow(InspectionSchedule)
    try:
        steps.step("pause", refusal="no")(lambda *a, **k: None)
        with pytest.raises(ValueError):
            steps.step("pause", refusal="no")(lambda *a, **k: None)
    finally:
        workflow._WORKFLOWS.pop(InspectionSchedule)


@pytest.mark.django_db
def test_model_update_sets_the_fields_it_may(school):
    campus = model_update(
        Campus(school=school), data={"name": "东校区"}, fields=("name", "address")
    )
    assert Campus.objects.get().name == "东校区"
    with pytest.raises(TypeError):
        model_update(campus, data={"school": factories.SchoolFactory()}, fields=("name",))
    with pytest.raises(ValidationError):
        model_update(campus, data={"name": ""}, fields=("name",))
    campus.refresh_from_db()
    assert (campus.name, campus.school) == ("东校区", school)


@pytest.mark.django_db
def test_model_update_sets_many_to_many_after_the_save(school):
    from tests.safety_factories import ScheduleFactory

    schedule = ScheduleFactory(school=school)
    rooms = [factories.RoomFactory(building__school=school) for _ in range(2)]
    model_update(
        schedule, data={"rooms": rooms, "scope_note": "两间"}, fields=("rooms", "scope_note")
    )
    schedule.refresh_from_db()
    assert set(schedule.rooms.all()) == set(rooms) and schedule.scope_note == "两间"


# --- Who may: the declaration ---------------------------------------------------------------


@pytest.mark.django_db
def test_who_may_cancel_depends_on_who_they_are(school, make_user):
    """General affairs may cancel any open ticket; its requester one not yet started."""
    requester = make_user(Role.STAFF, school)
    office = make_user(Role.GENERAL_AFFAIRS, school)
    started = factories.TicketFactory(
        school=school,
        requester=requester,
        status=TicketStatus.IN_PROGRESS,
        assignee=factories.technician(school),
        started_at=timezone.now(),
    )
    assert ticket_steps.allows("cancel", office, started)
    refused = ticket_steps.refused("cancel", started, requester)
    assert refused.code == "status"
    stranger = make_user(Role.STAFF, school)
    assert ticket_steps.refused("cancel", started, stranger).code == "permission"


@pytest.mark.django_db
def test_the_second_taker_is_told_who_took_it(school):
    ticket = factories.TicketFactory(school=school)
    first = factories.technician(school, name="王师傅")
    second = factories.technician(school)
    ticket_services.ticket_take(ticket, actor=first)
    refused = ticket_steps.refused("take", ticket_steps.lock(ticket), second)
    assert refused.code == "taken" and "王师傅" in refused.messages[0]


@pytest.mark.django_db
def test_offered_is_available_less_what_the_page_keeps_back(school, make_user):
    """The plan of a general hazard is accepted (available) but offered only for a major
    hazard or one that has a plan; a rule that is no step of its own is never offered."""
    office = make_user(Role.GENERAL_AFFAIRS, school)
    hazard = HazardFactory(school=school, status=HazardStatus.RECTIFYING)
    assert "plan" in hazard_steps.available(office, hazard)
    assert "plan" not in hazard_steps.offered(office, hazard)
    assert "photo_rectified" not in hazard_steps.available(office, hazard)
    assert hazard_steps.allows("photo_rectified", office, hazard)
    hazard.level = "major"
    assert "plan" in hazard_steps.offered(office, hazard)


# --- The services refuse exactly what the declaration refuses --------------------------------


@pytest.fixture
def ticket_people(school, make_user):
    return {
        "requester": make_user(Role.STAFF, school),
        "assignee": factories.technician(school, Trade.PLUMBING),
        "technician": factories.technician(school, Trade.PLUMBING),
        "office": make_user(Role.GENERAL_AFFAIRS, school),
        "principal": make_user(Role.PRINCIPAL, school),
    }


def _ticket(school, people, status):
    now = timezone.now()
    return factories.TicketFactory(
        school=school,
        requester=people["requester"],
        status=status,
        assignee=None if status == TicketStatus.SUBMITTED else people["assignee"],
        started_at=now if status not in (TicketStatus.SUBMITTED, TicketStatus.ASSIGNED) else None,
        done_at=now if status in (TicketStatus.DONE, TicketStatus.CLOSED) else None,
    )


def _ticket_calls(people):
    s = ticket_services
    return {
        "assign": lambda t, a: s.ticket_assign(t, actor=a, technician=people["technician"]),
        "take": lambda t, a: s.ticket_take(t, actor=a),
        "start": lambda t, a: s.ticket_start(t, actor=a),
        "hold": lambda t, a: s.ticket_hold(t, actor=a, reason="等配件"),
        "resume": lambda t, a: s.ticket_resume(t, actor=a),
        "material": lambda t, a: s.ticket_material_add(
            t, actor=a, quantity=1, name="水管", unit="根", unit_cost="10"
        ),
        "complete": lambda t, a: s.ticket_complete(
            t, actor=a, cause=DamageCause.WEAR, photo=clean_photo()
        ),
        "confirm": lambda t, a: s.ticket_confirm(t, actor=a, rating=5),
        "reopen": lambda t, a: s.ticket_reopen(t, actor=a, reason="还漏"),
        "cancel": lambda t, a: s.ticket_cancel(t, actor=a, reason="重复"),
    }


@pytest.mark.django_db
def test_ticket_services_refuse_exactly_what_the_declaration_refuses(school, ticket_people):
    calls = _ticket_calls(ticket_people)
    assert set(calls) == set(ticket_steps.steps)
    tally = {"accepted": 0, "refused": 0}
    for status in TicketStatus.values:
        ticket = _ticket(school, ticket_people, status)
        for actor in ticket_people.values():
            for name, call in calls.items():
                assert_service_agrees(
                    ticket_steps, name, ticket, actor, lambda c=call: c(ticket, actor), tally
                )
    assert tally["accepted"] >= 20 and tally["refused"] >= 200, tally


@pytest.fixture
def hazard_people(school, make_user):
    return {
        "finder": make_user(Role.STAFF, school),
        "responsible": make_user(Role.STAFF, school),
        "office": make_user(Role.GENERAL_AFFAIRS, school),
        "checker": make_user(Role.GENERAL_AFFAIRS, school),
        "officer": make_user(Role.SAFETY_OFFICER, school),
    }


def _hazard_calls(people, deadline):
    s = safety_services
    return {
        "assign": lambda h, a: s.hazard_assign(
            h, actor=a, responsible_person=people["responsible"], deadline=deadline
        ),
        "plan": lambda h, a: s.hazard_plan_save(
            h,
            actor=a,
            measures="更换",
            funding="100",
            responsible_person=people["responsible"],
            deadline=deadline,
            interim_measures="警示",
        ),
        "defer": lambda h, a: s.hazard_defer(
            h, actor=a, reason="等资金", new_deadline=deadline + datetime.timedelta(days=30)
        ),
        "start": lambda h, a: s.hazard_start_rectifying(h, actor=a),
        "submit": lambda h, a: s.hazard_submit_rectification(
            h, actor=a, note="已整改", photo=clean_photo()
        ),
        "photo": lambda h, a: s.hazard_photo_add(h, actor=a, photos=[clean_photo()]),
        "photo_rectified": lambda h, a: s.hazard_photo_add(
            h, actor=a, photos=[clean_photo()], kind="rectified"
        ),
        "verify": lambda h, a: s.hazard_verify(h, actor=a, approve=True),
        "withdraw": lambda h, a: s.hazard_withdraw(h, actor=a, reason="重复"),
    }


@pytest.mark.django_db
def test_hazard_services_refuse_exactly_what_the_declaration_refuses(school, hazard_people):
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    calls = _hazard_calls(hazard_people, deadline)
    assert set(calls) == set(hazard_steps.steps)
    tally = {"accepted": 0, "refused": 0}
    for status in HazardStatus.values:
        for assigned in (True, False):
            if not assigned and status != HazardStatus.REPORTED:
                continue
            hazard = HazardFactory(
                school=school,
                status=status,
                found_by=hazard_people["finder"],
                responsible_person=hazard_people["responsible"] if assigned else None,
                deadline=deadline if assigned else None,
            )
            for actor in hazard_people.values():
                for name, call in calls.items():
                    assert_service_agrees(
                        hazard_steps, name, hazard, actor, lambda c=call: c(hazard, actor), tally
                    )
    assert tally["accepted"] >= 20 and tally["refused"] >= 150, tally


@pytest.fixture
def inspection_people(school, make_user):
    return {
        "inspector": make_user(Role.SAFETY_OFFICER, school),
        "colleague": make_user(Role.SAFETY_OFFICER, school),
        "office": make_user(Role.GENERAL_AFFAIRS, school),
        "principal": make_user(Role.PRINCIPAL, school),
        "staff": make_user(Role.STAFF, school),
    }


def _inspection(school, people, status):
    inspection = InspectionFactory(school=school, inspector=people["inspector"])
    inspector = people["inspector"]
    if status == InspectionStatus.CANCELLED:
        safety_services.inspection_cancel(inspection, actor=people["office"], reason="放假")
    elif status != InspectionStatus.PLANNED:
        safety_services.inspection_start(inspection, actor=inspector)
        for item in inspection.template.items.all():
            safety_services.inspection_record_result(inspection, item, Outcome.OK, actor=inspector)
        if status == InspectionStatus.SUBMITTED:
            safety_services.inspection_submit(inspection, actor=inspector)
    inspection.refresh_from_db()
    return inspection


@pytest.mark.django_db
def test_inspection_services_refuse_exactly_what_the_declaration_refuses(school, inspection_people):
    s = safety_services
    calls = {
        "start": lambda i, a: s.inspection_start(i, actor=a),
        "record": lambda i, a: s.inspection_record_result(
            i, i.template.items.first(), Outcome.NOT_APPLICABLE, actor=a
        ),
        "submit": lambda i, a: s.inspection_submit(i, actor=a, summary="良好"),
        "cancel": lambda i, a: s.inspection_cancel(i, actor=a, reason="放假"),
    }
    assert set(calls) == set(inspection_steps.steps)
    tally = {"accepted": 0, "refused": 0}
    for status in InspectionStatus.values:
        inspection = _inspection(school, inspection_people, status)
        for actor in inspection_people.values():
            for name, call in calls.items():
                assert_service_agrees(
                    inspection_steps,
                    name,
                    inspection,
                    actor,
                    lambda c=call: c(inspection, actor),
                    tally,
                )
    assert tally["accepted"] >= 10 and tally["refused"] >= 50, tally


# --- The pages offer exactly the steps the declaration allows --------------------------------


@pytest.mark.django_db
def test_a_tickets_page_offers_its_declared_steps(client, school, ticket_people):
    for status in TicketStatus.values:
        ticket = _ticket(school, ticket_people, status)
        for actor in ticket_people.values():
            client.force_login(actor)
            response = client.get(f"/repairs/{ticket.pk}/")
            assert response.status_code in (200, 404)
            if response.status_code == 200:
                offered = ticket_steps.offered(actor, ticket)
                assert list(response.context["forms"]) == offered, (status, actor)


@pytest.mark.django_db
def test_a_hazards_page_offers_its_declared_steps(client, school, hazard_people):
    from safety.views.hazards import HazardPage

    deadline = timezone.localdate() + datetime.timedelta(days=7)
    for status in HazardStatus.values:
        hazard = HazardFactory(
            school=school,
            status=status,
            found_by=hazard_people["finder"],
            responsible_person=hazard_people["responsible"],
            deadline=deadline,
        )
        for actor in hazard_people.values():
            client.force_login(actor)
            response = client.get(f"/safety/hazards/{hazard.pk}/")
            if response.status_code == 200:
                offered = sorted(
                    hazard_steps.offered(actor, hazard), key=HazardPage.step_order.index
                )
                assert list(response.context["steps"]) == offered, (status, actor)


@pytest.mark.django_db
def test_an_inspections_page_offers_its_declared_steps(client, school, inspection_people):
    for status in InspectionStatus.values:
        inspection = _inspection(school, inspection_people, status)
        for actor in inspection_people.values():
            client.force_login(actor)
            response = client.get(f"/safety/inspections/{inspection.pk}/")
            if response.status_code == 200:
                offered = inspection_steps.offered(actor, inspection)
                assert response.context["actions"] == offered, (status, actor)


@pytest.mark.django_db
def test_a_step_the_page_did_not_offer_is_refused_with_a_message(client, school, ticket_people):
    """Posted anyway (an old page, a crafted request): the service refuses it under the
    lock, the page says why, nothing changes."""
    ticket = _ticket(school, ticket_people, TicketStatus.DONE)
    client.force_login(ticket_people["technician"])
    response = client.post(
        f"/repairs/{ticket.pk}/cancel/", {"cancel-reason": "不修了"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [str(ticket_steps.steps["cancel"].refusal)]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
