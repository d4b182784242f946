"""Reads of ``logistics.repairs.selectors.tickets`` that the pages show as they are."""

import pytest
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.repairs.choices import TicketStatus
from logistics.repairs.selectors import tickets as selectors
from logistics.selectors import status_history
from tests import factories


@pytest.mark.django_db
def test_technicians_open_load_counts_their_open_tickets_only(school, other_school):
    """Each technician of the school once, with the tickets assigned to them that are
    still open (closed and cancelled ones, and another's, are not their load)."""
    busy = factories.technician(school, Trade.PLUMBING, Trade.ELECTRICAL, name="王师傅")
    idle = factories.technician(school, Trade.PLUMBING, name="李师傅")
    factories.technician(other_school, Trade.PLUMBING, name="外校")
    factories.user_with_role(Role.STAFF, school=school, name="老师")
    now = timezone.now()
    for status in (
        TicketStatus.ASSIGNED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.ON_HOLD,
        TicketStatus.CLOSED,
        TicketStatus.CANCELLED,
    ):
        factories.TicketFactory(school=school, assignee=busy, status=status, done_at=now)
    factories.TicketFactory(school=school, assignee=idle, status=TicketStatus.DONE, done_at=now)

    load = {u.pk: u.open_tickets for u in selectors.technicians(school)}
    plumbers = [u.pk for u in selectors.technicians(school, Trade.PLUMBING)]

    assert load == {busy.pk: 3, idle.pk: 0}
    assert sorted(plumbers) == sorted([busy.pk, idle.pk])


@pytest.mark.django_db
def test_ticket_page_reads_what_ticket_detail_reads(school, other_school, make_user):
    """The ticket of its page (one statement) is the ticket ``ticket_detail`` reads: for
    whom it is found (``ticket_visible``'s rule, decided from the ticket when it can be,
    else asked), its fields, what the page shows of its relations, its photos, materials
    and history."""
    from logistics.common.workflow import status_record
    from logistics.models import District
    from logistics.repairs.models import Ticket, TicketMaterial

    plumber = factories.technician(school, Trade.PLUMBING, name="王师傅", phone="139")
    requester = make_user(Role.STAFF, school, name="李老师")
    ticket = factories.TicketFactory(
        school=school,
        requester=requester,
        assignee=plumber,
        status=TicketStatus.IN_PROGRESS,
        category=factories.RepairCategoryFactory(school=school, name="漏水"),
    )
    TicketMaterial.objects.create(
        ticket=ticket, name="水管", quantity=2, unit="米", unit_cost="3.50", added_by=plumber
    )
    status_record(ticket, from_status=TicketStatus.ASSIGNED, to_status=ticket.status, actor=plumber)
    waiting = factories.TicketFactory(school=school, requester=requester)
    once = factories.technician(school, Trade.ELECTRICAL)
    status_record(waiting, from_status="", to_status=TicketStatus.SUBMITTED, actor=once)
    district_viewer = make_user(Role.DISTRICT_VIEWER, None)
    district_viewer.district = District.objects.get(pk=school.district_id)
    people = [
        requester,
        plumber,
        factories.technician(school, Trade.PLUMBING),  # of the trade
        once,  # worked on one of them
        factories.technician(school, Trade.ELECTRICAL),
        make_user(Role.GENERAL_AFFAIRS, school),
        make_user(Role.PRINCIPAL, school),
        make_user(Role.STAFF, school),
        make_user(Role.GENERAL_AFFAIRS, other_school),
        district_viewer,
    ]
    for person in people:
        for pk in (ticket.pk, waiting.pk, 999_999):
            try:
                expected = selectors.ticket_detail(person, pk)
            except Ticket.DoesNotExist:
                with pytest.raises(Ticket.DoesNotExist):
                    selectors.ticket_page(person, pk)
                continue
            found = selectors.ticket_page(person, pk)
            for field in Ticket._meta.concrete_fields:
                assert getattr(found, field.attname) == getattr(expected, field.attname)
            assert found.room.number == expected.room.number
            assert found.room.building.name == expected.room.building.name
            assert getattr(found.category, "name", None) == getattr(expected.category, "name", None)
            assert found.requester.display_name == expected.requester.display_name
            for who in ("assignee",):
                mine, theirs = getattr(found, who), getattr(expected, who)
                assert (mine and (mine.display_name, mine.phone)) == (
                    theirs and (theirs.display_name, theirs.phone)
                )
            assert [(m.pk, m.total) for m in found.page_materials] == [
                (m.pk, m.total) for m in expected.materials.all()
            ]
            assert list(found.page_photos) == list(expected.photos.all())
            assert [
                (c.pk, c.from_label, c.to_label, c.actor and c.actor.display_name)
                for c in found.page_history
            ] == [
                (c.pk, c.from_label, c.to_label, c.actor and c.actor.display_name)
                for c in status_history(expected)
            ]
    seen = {
        person.username
        for person in people
        if selectors.ticket_visible(person).filter(pk=ticket.pk).exists()
    }
    assert {requester.username, plumber.username} < seen and len(seen) < len(people)
