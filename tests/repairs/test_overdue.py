"""One overdue rule for repair tickets (``logistics.repairs.overdue``): its SQL form and
its Python form agree on a spread of tickets, at the edges of the targets included, and
every reader uses it (the lists' annotation, the rows of general affairs' list, a
ticket's page, the home counts)."""

import datetime
import itertools

import pytest
from django.utils import timezone

from logistics.repairs.choices import TicketStatus
from logistics.repairs.models import Ticket
from logistics.repairs.overdue import missed_target, overdue_q
from logistics.repairs.selectors.tickets import school_counts, ticket_rows, with_overdue
from tests import factories

HOUR = datetime.timedelta(hours=1)


def spread(school, now):
    """A ticket of every status × started or not × each target passed, met to the
    second, or still ahead."""
    offsets = (-HOUR, datetime.timedelta(0), HOUR)
    tickets = []
    for status, started, respond, complete in itertools.product(
        TicketStatus.values, (False, True), offsets, offsets
    ):
        tickets.append(
            factories.TicketFactory.build(
                school=school,
                requester=factories.UserFactory(school=school),
                room=factories.RoomFactory(building__school=school),
                status=status,
                assignee=None,
                created_at=now - 10 * HOUR,
                started_at=now - 2 * HOUR if started else None,
                respond_by=now + respond,
                complete_by=now + complete,
                done_at=now if status in (TicketStatus.DONE, TicketStatus.CLOSED) else None,
            )
        )
    # Written as they are: the workflow's constraints are not what is tested here.
    for ticket in tickets:
        if ticket.status not in (TicketStatus.SUBMITTED, TicketStatus.CANCELLED):
            ticket.assignee = ticket.requester
    return Ticket.objects.bulk_create(tickets)


@pytest.mark.django_db
def test_the_sql_and_the_python_rule_agree(school):
    now = timezone.now().replace(microsecond=0)
    tickets = spread(school, now)
    in_sql = set(Ticket.objects.filter(overdue_q(now)).values_list("pk", flat=True))
    in_python = {
        t.pk
        for t in tickets
        if missed_target(t.status, t.started_at, t.respond_by, t.complete_by, now)
    }
    assert in_sql == in_python
    assert 0 < len(in_sql) < len(tickets)
    # Every reader of a ticket says the same.
    annotated = dict(with_overdue(Ticket.objects.all(), now).values_list("pk", "is_overdue"))
    rows = {row["pk"]: row["is_overdue"] for row in ticket_rows([t.pk for t in tickets], now)}
    for ticket in Ticket.objects.all():
        expected = ticket.pk in in_sql
        assert annotated[ticket.pk] is expected
        assert rows[ticket.pk] is expected
        assert bool(ticket.overdue_at(now)) is expected
    assert school_counts(school, now)["overdue"] == len(in_sql)


def test_which_target_was_missed():
    now = timezone.now()
    late, early = now - HOUR, now + HOUR
    assert missed_target(TicketStatus.SUBMITTED, None, late, early, now) == "response"
    assert missed_target(TicketStatus.IN_PROGRESS, late, late, late, now) == "completion"
    assert missed_target(TicketStatus.ASSIGNED, None, late, late, now) == "response"
    assert missed_target(TicketStatus.DONE, None, late, late, now) == ""
    assert missed_target(TicketStatus.ASSIGNED, None, now, now, now) == ""  # met to the second
