"""Reads of ``logistics.repairs.selectors.tickets`` that the pages show as they are."""

import pytest
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.repairs.choices import TicketStatus
from logistics.repairs.selectors import tickets as selectors
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
