"""The repairs' hand-written SQL (``logistics.repairs.selectors.sql``) reads what the ORM
reads: each statement against an ORM query of the same columns, on the database in use
(PostgreSQL and SQLite)."""

import datetime

import pytest

from logistics.choices import Role, Trade
from logistics.repairs.choices import TicketStatus
from logistics.repairs.models import Ticket
from logistics.repairs.selectors import sql
from tests import factories


@pytest.mark.django_db
def test_ticket_rows_are_the_orms_values(school, other_school):
    """Every column of the list's rows, the tickets without a category or an assignee
    too, in the order of the ids asked for; an id of no ticket is left out."""
    category = factories.RepairCategoryFactory(school=school, name="水管漏水")
    fixer = factories.technician(school, Trade.PLUMBING, name="")
    named = factories.user_with_role(Role.TECHNICIAN, school=school, name="王师傅")
    started = datetime.datetime(2026, 9, 2, 8, 30, tzinfo=datetime.UTC)
    tickets = [
        factories.TicketFactory(school=school),
        factories.TicketFactory(
            school=school,
            category=category,
            assignee=fixer,
            status=TicketStatus.IN_PROGRESS,
            started_at=started,
        ),
        factories.TicketFactory(school=school, assignee=named, status=TicketStatus.ASSIGNED),
        factories.TicketFactory(school=other_school),
    ]
    ids = [tickets[2].pk, tickets[0].pk, 999_999, tickets[3].pk, tickets[1].pk]

    rows = sql.ticket_rows(ids)

    by_pk = {
        row["pk"]: row for row in Ticket.objects.filter(pk__in=ids).values(*sql.TICKET_ROW_KEYS)
    }
    assert rows == [by_pk[pk] for pk in ids if pk in by_pk]
    assert [row["pk"] for row in rows] == [tickets[i].pk for i in (2, 0, 3, 1)]
    assert rows[3]["started_at"] == started and rows[3]["category__name"] == "水管漏水"
    assert sql.ticket_rows([]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["-created_at", "room__number", "status", "pk"])
@pytest.mark.parametrize(("start", "stop"), [(0, 3), (2, 5), (10, 20)])
def test_a_page_s_query_gives_the_rows_of_its_ids_in_its_order(school, order, start, stop):
    """A list's page handed over as its ids query (one statement on PostgreSQL): the
    rows of exactly the ids that query gives, in its order, whatever the sort."""
    category = factories.RepairCategoryFactory(school=school, name="门锁")
    fixer = factories.technician(school, Trade.PLUMBING, name="李师傅")
    for i in range(12):
        factories.TicketFactory(
            school=school,
            category=category if i % 2 else None,
            assignee=fixer if i % 3 else None,
            status=TicketStatus.ASSIGNED if i % 3 else TicketStatus.SUBMITTED,
        )
    page = (
        Ticket.objects.filter(school=school)
        .order_by(order, "pk")
        .values_list("pk", flat=True)[start:stop]
    )
    ids = list(page)
    rows = sql.ticket_rows(page)
    by_pk = {
        row["pk"]: row for row in Ticket.objects.filter(pk__in=ids).values(*sql.TICKET_ROW_KEYS)
    }
    assert rows == [by_pk[pk] for pk in ids]


@pytest.mark.django_db
def test_ticket_cards_are_the_orms_values(school):
    """The cards' columns, of a list of ids and of a page's query, in their order."""
    category = factories.RepairCategoryFactory(school=school, name="灯具")
    tickets = [
        factories.TicketFactory(school=school, category=category if i % 2 else None)
        for i in range(5)
    ]
    ids = [tickets[3].pk, 999_999, tickets[0].pk, tickets[4].pk]
    by_pk = {
        row["pk"]: row for row in Ticket.objects.filter(school=school).values(*sql.TICKET_CARD_KEYS)
    }
    assert sql.ticket_cards(ids) == [by_pk[pk] for pk in ids if pk in by_pk]
    page = Ticket.objects.filter(school=school).order_by("-pk").values_list("pk", flat=True)[1:4]
    assert sql.ticket_cards(page) == [by_pk[pk] for pk in list(page)]
    assert sql.ticket_cards([]) == [] and sql.ticket_cards(page.none()) == []


@pytest.mark.django_db
def test_card_lists_are_each_list_s_cards_in_its_order(school):
    """The queue's two lists read together: each list's cards as ``ticket_cards`` reads
    it alone (the ORM's values, in its query's order), an empty list empty."""
    fixer = factories.technician(school, Trade.PLUMBING, name="李师傅")
    for i in range(6):
        factories.TicketFactory(
            school=school,
            assignee=fixer if i % 2 else None,
            status=TicketStatus.ASSIGNED if i % 2 else TicketStatus.SUBMITTED,
            urgency="urgent" if i == 3 else "normal",
        )
    mine = Ticket.objects.filter(assignee=fixer).order_by("-urgency", "created_at")
    others = Ticket.objects.filter(assignee__isnull=True).order_by("-created_at")
    queries = [mine.values_list("pk", flat=True), others.values_list("pk", flat=True)[:2]]

    lists = sql.ticket_card_lists(*queries, Ticket.objects.none().values_list("pk", flat=True))

    assert lists[:2] == [sql.ticket_cards(list(q)) for q in queries]
    assert [[card["pk"] for card in cards] for cards in lists[:2]] == [
        list(mine.values_list("pk", flat=True)),
        list(others.values_list("pk", flat=True)[:2]),
    ]
    assert len(lists[0]) == 3 and len(lists[1]) == 2 and lists[2] == []
    by_pk = {row["pk"]: row for row in Ticket.objects.values(*sql.TICKET_CARD_KEYS)}
    assert lists[0] == [by_pk[card["pk"]] for card in lists[0]]


def _worked_ticket(school, category_name="水龙头", **kwargs):
    """A ticket with a category, a technician, photos, materials and a history."""
    from decimal import Decimal

    from logistics.common.workflow import status_record
    from logistics.repairs.models import TicketMaterial, TicketPhoto

    category = factories.RepairCategoryFactory(school=school, name=category_name)
    fixer = factories.technician(school, Trade.PLUMBING, name="", phone="13800000000")
    ticket = factories.TicketFactory(
        school=school,
        category=category,
        assignee=fixer,
        status=TicketStatus.IN_PROGRESS,
        started_at=datetime.datetime(2026, 9, 2, 8, 30, 15, 123456, tzinfo=datetime.UTC),
        **kwargs,
    )
    for i, kind in enumerate(["report", "completion", "report"]):
        TicketPhoto.objects.create(
            ticket=ticket, image=f"repairs/p{ticket.pk}-{i}.jpg", width=640, height=480,
            uploaded_by=fixer, kind=kind,
        )  # fmt: skip
    for name, quantity, cost in [("生料带", "1.50", "0.25"), ("水管", "2", "12.00")]:
        TicketMaterial.objects.create(
            ticket=ticket, name=name, spec="DN20", quantity=Decimal(quantity), unit="米",
            unit_cost=Decimal(cost), added_by=fixer,
        )  # fmt: skip
    status_record(ticket, from_status="", to_status=TicketStatus.SUBMITTED, actor=None)
    status_record(
        ticket, from_status=TicketStatus.SUBMITTED, to_status=TicketStatus.ASSIGNED,
        actor=fixer, note="派单",
    )  # fmt: skip
    return ticket


@pytest.mark.django_db
def test_ticket_page_is_the_orms_values(school):
    """A ticket's page: its columns and its relations' (a missing category and
    technician too), its photos, materials and history in the page's order, each as the
    ORM's ``values()`` of the same columns (times and decimals exactly)."""
    from django.contrib.contenttypes.models import ContentType

    from logistics.models import StatusChange
    from logistics.repairs.models import TicketMaterial, TicketPhoto

    worked = _worked_ticket(school)
    plain = factories.TicketFactory(school=school)
    other = _worked_ticket(school, "马桶")  # its parts are not the first one's
    for ticket in (worked, plain, other):
        row, parts = sql.ticket_page(ticket.pk)
        assert row == Ticket.objects.values(*sql.page_keys("ticket")).get(pk=ticket.pk)
        expected = {
            "photos": TicketPhoto.objects.filter(ticket=ticket).order_by("created_at", "pk"),
            "materials": TicketMaterial.objects.filter(ticket=ticket).order_by("added_at", "pk"),
            "history": StatusChange.objects.filter(
                content_type=ContentType.objects.get_for_model(Ticket), object_id=ticket.pk
            ).order_by("at", "pk"),
        }
        for part, found in expected.items():
            assert parts[part] == list(found.values(*sql.page_keys(part))), part
        assert [str(m["unit_cost"]) for m in parts["materials"]] == [
            str(m.unit_cost) for m in expected["materials"]
        ]
    row, parts = sql.ticket_page(worked.pk)
    assert row["category__name"] == "水龙头" and row["assignee__phone"] == "13800000000"
    assert [len(parts[p]) for p in sql.PAGE_PARTS] == [3, 2, 2]
    assert parts["history"][0]["actor__username"] is None
    assert sql.ticket_page(plain.pk)[0]["assignee__name"] is None
    assert sql.ticket_page(999_999) is None


@pytest.mark.django_db
def test_queue_card_lists_are_the_orms_lists(school, other_school):
    """A technician's queue read by the statement written once (PostgreSQL) is the queue
    the ORM's ids queries give: their open tickets urgent first then the oldest, and the
    tickets of their trades nobody has, of their school only."""
    from logistics.repairs.selectors import tickets as selectors

    plumber = factories.technician(school, Trade.PLUMBING, Trade.ELECTRICAL)
    other = factories.technician(school, Trade.PLUMBING)
    start = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
    statuses = [TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.CLOSED]
    trades = [Trade.PLUMBING, Trade.ELECTRICAL, Trade.CARPENTRY, Trade.PLUMBING]
    for i in range(14):
        assignee = [plumber, None, other][i % 3]
        status = statuses[(i // 3) % 3] if assignee == plumber else TicketStatus.ASSIGNED
        at = start + datetime.timedelta(hours=i)
        factories.TicketFactory(
            school=other_school if i == 13 else school,
            trade=trades[i % 4],
            assignee=assignee,
            status=status if assignee else TicketStatus.SUBMITTED,
            done_at=at if status == TicketStatus.CLOSED else None,
            urgency="urgent" if i % 4 == 0 else "normal",
            created_at=at,
        )
    found = selectors.queue_card_lists(plumber)
    expected = selectors.ticket_card_lists(
        selectors.technician_queue(plumber),
        selectors.tickets_to_take(plumber).values_list("pk", flat=True)[:50],
    )
    assert found == expected
    assert [len(cards) for cards in found] == [4, 3]
    lonely = factories.technician(school, Trade.AIR_CONDITIONING)
    assert selectors.queue_card_lists(lonely) == [[], []]
