"""The tickets' cards drawn from plain values (``{% ticket_cards %}``) are the markup of
``repairs/ticket_card.html`` drawn from the tickets; my requests' tabs and count follow
every change at once."""

import datetime

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.repairs.choices import TicketStatus, Urgency
from logistics.repairs.models import Ticket
from logistics.repairs.selectors import tickets as selectors
from logistics.repairs.templatetags import ticket_cards, tickets_to_take
from tests import factories


def _tickets(school):
    now = timezone.now()
    category = factories.RepairCategoryFactory(school=school, name="门锁 & <窗>")
    fixer = factories.technician(school, Trade.PLUMBING)
    late = now - datetime.timedelta(days=5)
    return [
        factories.TicketFactory(school=school),
        factories.TicketFactory(
            school=school, category=category, urgency=Urgency.URGENT, description='"漏水" <b>'
        ),
        factories.TicketFactory(
            school=school,
            trade=Trade.ELECTRICAL,
            created_at=late,
            respond_by=late + datetime.timedelta(hours=1),
            complete_by=late + datetime.timedelta(hours=2),
            urgency=Urgency.URGENT,
        ),
        factories.TicketFactory(
            school=school,
            status=TicketStatus.IN_PROGRESS,
            assignee=fixer,
            started_at=now,
            created_at=late,
            respond_by=late + datetime.timedelta(hours=1),
            complete_by=now + datetime.timedelta(hours=2),
        ),
        factories.TicketFactory(school=school, status=TicketStatus.CANCELLED, category=category),
    ]


@pytest.mark.django_db
def test_cards_are_the_card_template_s_markup(school):
    tickets = _tickets(school)
    ids = [t.pk for t in reversed(tickets)]
    now = timezone.now()
    by_pk = {
        t.pk: t
        for t in selectors.with_overdue(
            Ticket.objects.filter(pk__in=ids).select_related("room__building", "category"), now
        )
    }
    expected = "".join(render_to_string("repairs/ticket_card.html", {"t": by_pk[pk]}) for pk in ids)

    cards = selectors.ticket_cards(ids, now)

    assert [card["is_overdue"] for card in cards] == [by_pk[pk].is_overdue for pk in ids]
    assert any(card["is_overdue"] for card in cards)
    assert ticket_cards(cards) == expected
    assert ticket_cards([]) == ""


@pytest.mark.django_db
def test_my_requests_tabs_and_count_follow_each_change(client, make_user, school):
    staff = make_user(Role.STAFF, school)
    tech = factories.technician(school)
    for _ in range(21):
        factories.TicketFactory(school=school, requester=staff)
    client.force_login(staff)

    page = client.get("/repairs/mine/").content.decode()
    assert page.count('data-testid="ticket-card"') == 20 and "1 / 2" in page
    assert client.get("/repairs/mine/?tab=done").content.decode().count("ticket-card") == 0

    ticket = Ticket.objects.filter(requester=staff).order_by("created_at", "pk").first()
    ticket.status, ticket.assignee = TicketStatus.DONE, tech
    ticket.started_at = ticket.done_at = timezone.now()
    ticket.save()
    factories.TicketFactory(school=school, requester=staff)

    done = client.get("/repairs/mine/?tab=done").content.decode()
    assert done.count('data-testid="ticket-card"') == 1 and f"#{ticket.pk} " in done
    assert "2 / 2" in client.get("/repairs/mine/?page=2").content.decode()
    opened = client.get("/repairs/mine/?tab=open&page=2").content.decode()
    assert opened.count('data-testid="ticket-card"') == 1


# The loop the queue's tickets to take were drawn with before ``{% tickets_to_take %}``.
TO_TAKE_LOOP = """{% load i18n %}    {% for t in to_take %}
    <div class="list-group-item d-flex gap-2 align-items-center">
      <div class="flex-grow-1 min-w-0">
        <a class="fw-semibold text-decoration-none" href="{% url 'ticket_detail' t.pk %}">#{{ t.pk }} {{ t.room.building.name }} {{ t.room.number }}</a>
        <div class="small">{{ t.get_trade_display }}{% if t.category %} · {{ t.category.name }}{% endif %}{% if t.is_urgent %} · <span class="text-{{ t.urgency_color }}">{{ t.get_urgency_display }}</span>{% endif %}</div>
        <div class="small text-muted text-truncate">{{ t.description }}</div>
      </div>
      <form method="post" action="{% url 'ticket_action' t.pk 'take' %}" data-once>{% csrf_token %}<input type="hidden" name="next" value="queue">
        <button class="btn btn-sm btn-primary" type="submit">{% translate "Take" %}</button></form>
    </div>
    {% endfor %}"""  # noqa: E501


@pytest.mark.django_db
def test_tickets_to_take_are_the_loop_s_markup(school):
    tickets = _tickets(school)
    ids = [t.pk for t in tickets]
    by_pk = Ticket.objects.select_related("room__building", "category").in_bulk(ids)
    expected = Template(TO_TAKE_LOOP).render(
        Context({"to_take": [by_pk[pk] for pk in ids], "csrf_token": "tok<en"})
    )

    drawn = tickets_to_take(Context({"csrf_token": "tok<en"}), selectors.ticket_cards(ids))

    assert "    " + drawn == expected
    assert 'value="tok&lt;en"' in drawn and f'action="/repairs/{ids[1]}/take/"' in drawn
