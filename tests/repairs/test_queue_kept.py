"""The technician's queue keeps its cards under the school's figures stamp: the kept
lists are the lists read afresh, each write shows at once, a card turns late when its
target passes."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.choices import Role, Trade
from logistics.models import TechnicianTrade
from logistics.repairs.choices import TicketStatus
from logistics.repairs.selectors.tickets import queue_card_lists_kept
from logistics.repairs.services import tickets as services
from tests import factories


@pytest.fixture
def technician(school):
    user = factories.user_with_role(Role.TECHNICIAN, school=school, name="维修工老王")
    TechnicianTrade.objects.create(user=user, trade=Trade.PLUMBING)
    return user


def _queue(client):
    response = client.get("/repairs/queue/")
    assert response.status_code == 200
    return [c["pk"] for c in response.context["mine"]], [
        c["pk"] for c in response.context["to_take"]
    ]


@pytest.mark.django_db
class TestKeptQueue:
    def test_kept_is_read_afresh_and_costs_no_ticket_query(self, client, school, technician):
        mine = factories.TicketFactory(
            school=school, assignee=technician, status=TicketStatus.ASSIGNED
        )
        free = factories.TicketFactory(school=school)
        client.force_login(technician)
        first = _queue(client)
        with CaptureQueriesContext(connection) as ctx:
            kept = _queue(client)
        assert not [
            q
            for q in ctx.captured_queries
            if "repairs_ticket" in q["sql"] or "logistics_ticket" in q["sql"]
        ]
        cache.clear()
        assert first == kept == _queue(client) == ([mine.pk], [free.pk])

    def test_a_write_shows_at_once(self, client, school, technician):
        free = factories.TicketFactory(school=school)
        client.force_login(technician)
        assert _queue(client) == ([], [free.pk])
        services.ticket_take(free, actor=technician)
        assert _queue(client) == ([free.pk], [])
        other = factories.TicketFactory(school=school, trade=Trade.ELECTRICAL)
        assert _queue(client) == ([free.pk], [])
        TechnicianTrade.objects.create(user=technician, trade=Trade.ELECTRICAL)
        technician.refresh_from_db()
        from logistics.services.organisation import figures_changed

        figures_changed(school)  # (a trade given through the people service raises it)
        assert _queue(client) == ([free.pk], [other.pk])

    def test_a_card_turns_late_when_its_target_passes(self, school, technician):
        ticket = factories.TicketFactory(
            school=school, assignee=technician, status=TicketStatus.ASSIGNED
        )
        before = ticket.respond_by - datetime.timedelta(minutes=5)
        ((card,), _) = queue_card_lists_kept(technician, before)
        assert not card["is_overdue"]
        ((card,), _) = queue_card_lists_kept(technician, before + datetime.timedelta(minutes=1))
        assert not card["is_overdue"]
        ((card,), _) = queue_card_lists_kept(
            technician, ticket.respond_by + datetime.timedelta(seconds=1)
        )
        assert card["is_overdue"]
