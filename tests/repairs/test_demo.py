"""The demo's semester of repair tickets (``seed_demo``) and the bench's ticket generator."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from logistics.bench import BenchData
from logistics.bench.generate import generate
from logistics.choices import Role, Trade
from logistics.common.registry import registry
from logistics.models import School, StatusChange, TechnicianTrade, User
from logistics.repairs.bench import TICKETS_PER_SCHOOL, generate_tickets
from logistics.repairs.choices import OPEN_TICKET_STATUSES, TicketStatus, Urgency
from logistics.repairs.demo import first_day
from logistics.repairs.models import DispatchRule, Material, RepairCategory, Ticket, TicketMaterial
from logistics.repairs.selectors.tickets import overdue_q
from tests import factories


def last_status():
    """The ``to_status`` of each ticket's latest recorded change (one subquery)."""
    changes = StatusChange.objects.filter(
        content_type__app_label="logistics",
        content_type__model="ticket",
        object_id=OuterRef("pk"),
    ).order_by("-at", "-pk")
    return Subquery(changes.values("to_status")[:1])


def first_change_at():
    changes = StatusChange.objects.filter(
        content_type__app_label="logistics",
        content_type__model="ticket",
        object_id=OuterRef("pk"),
    ).order_by("at", "pk")
    return Subquery(changes.values("at")[:1])


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return School.objects.get(code="wjsy")


def test_each_school_counts_its_demo_tickets(demo):
    for school in School.objects.all():
        assert school.ticket_count == Ticket.objects.filter(school=school).count()


def test_the_demo_school_has_hundreds_of_tickets_of_every_status_and_trade(demo):
    tickets = Ticket.objects.filter(school=demo)
    total = tickets.count()
    assert 400 <= total <= 600
    statuses = Counter(tickets.values_list("status", flat=True))
    assert set(statuses) == set(TicketStatus.values)
    assert statuses[TicketStatus.CLOSED] > 0.75 * total
    assert 3 <= statuses[TicketStatus.CANCELLED] <= 0.05 * total
    assert sum(statuses[s] for s in OPEN_TICKET_STATUSES) >= 15
    trades = Counter(tickets.values_list("trade", flat=True))
    assert set(trades) == set(Trade.values)
    assert trades.most_common(2)[0][0] in (Trade.PLUMBING, Trade.ELECTRICAL)
    assert 0.08 * total <= tickets.filter(urgency=Urgency.URGENT).count() <= 0.25 * total
    # From the start of the semester up to now, in the school's own rooms, by its staff.
    now = timezone.now()
    start = first_day(demo)
    assert not tickets.filter(created_at__gt=now).exists()
    assert not tickets.filter(created_at__date__lt=start - timedelta(days=1)).exists()
    assert not tickets.exclude(room__building__school=demo).exists()
    assert not tickets.exclude(requester__school=demo).exists()
    assert not tickets.exclude(category__trade=F("trade")).exists()
    # Some rooms break again and again.
    repeated = tickets.values("room").annotate(n=Count("pk")).filter(n__gte=3)
    assert repeated.count() >= 5
    # Some open ones are overdue.
    assert tickets.filter(overdue_q(now)).count() >= 3


def test_each_ticket_carries_its_history_and_consistent_steps(demo):
    tickets = Ticket.objects.filter(school=demo)
    annotated = tickets.annotate(last=last_status(), first_at=first_change_at())
    assert not annotated.exclude(last=F("status")).exists()
    assert not annotated.exclude(first_at=F("created_at")).exists()
    changes = StatusChange.objects.filter(content_type__model="ticket", object_id__in=tickets)
    assert changes.count() >= 4 * tickets.count()
    assert not changes.exclude(school=demo).exists()
    assert not changes.filter(at__gt=timezone.now()).exists()
    assert changes.filter(to_status=TicketStatus.ASSIGNED, from_status=TicketStatus.DONE).exists()
    # The step times are those of the history.
    for ticket in tickets.filter(status=TicketStatus.CLOSED, reopen_count=1)[:5]:
        history = list(
            StatusChange.objects.filter(content_type__model="ticket", object_id=ticket.pk)
        )
        assert history[-1].at == ticket.closed_at
        assert [c.at for c in history if c.to_status == TicketStatus.DONE][-1] == ticket.done_at
        started = [c.at for c in history if c.to_status == TicketStatus.IN_PROGRESS]
        assert started[0] == ticket.started_at
        assert [c.from_status for c in history[1:]] == [c.to_status for c in history[:-1]]

    finished = [TicketStatus.DONE, TicketStatus.CLOSED]
    assert not tickets.filter(status__in=finished, done_at=None).exists()
    assert not tickets.exclude(status__in=finished).exclude(done_at=None).exists()
    assert not tickets.filter(status__in=finished, cause="").exists()
    # Ratings only on closed tickets; every confirmed one rated, the automatic ones not.
    closed = tickets.filter(status=TicketStatus.CLOSED)
    assert not tickets.exclude(status=TicketStatus.CLOSED).exclude(rating=None).exists()
    assert not closed.filter(auto_confirmed=False, rating=None).exists()
    assert not closed.filter(auto_confirmed=True).exclude(rating=None).exists()
    ratings = Counter(closed.exclude(rating=None).values_list("rating", flat=True))
    assert ratings[5] + ratings[4] > 0.8 * sum(ratings.values())
    assert ratings[1] + ratings[2] >= 1
    assert closed.filter(auto_confirmed=True).count() >= 20
    assert not tickets.filter(status=TicketStatus.ON_HOLD, hold_reason="").exists()
    assert not tickets.exclude(status=TicketStatus.ON_HOLD).exclude(hold_reason="").exists()
    # Every ticket past dispatch has a technician of its trade.
    dispatched = tickets.exclude(status__in=[TicketStatus.SUBMITTED, TicketStatus.CANCELLED])
    assert not dispatched.filter(assignee=None).exists()
    for trade, assignee in dispatched.values_list("trade", "assignee").distinct():
        assert TechnicianTrade.objects.filter(user_id=assignee, trade=trade).exists()


def test_materials_are_used_on_most_finished_tickets(demo):
    finished = Ticket.objects.filter(
        school=demo, status__in=[TicketStatus.DONE, TicketStatus.CLOSED]
    )
    with_materials = finished.filter(materials__isnull=False).distinct().count()
    assert with_materials > 0.6 * finished.count()
    used = TicketMaterial.objects.filter(ticket__school=demo)
    assert used.filter(material=None).exists()  # some entered freely
    assert not used.exclude(material=None).exclude(material__school=demo).exists()
    assert not used.filter(added_at__lt=F("ticket__started_at")).exists()
    assert not used.exclude(added_by=F("ticket__assignee")).exists()
    catalogue = Material.objects.filter(school=demo)
    for trade in Trade.values:
        assert catalogue.filter(trade=trade).count() >= 10
    assert catalogue.filter(name="台盆水管", spec="40cm", unit="根").exists()
    assert RepairCategory.objects.filter(school=demo).count() >= 30


def test_every_trade_has_technicians_and_rules(demo):
    technicians = User.objects.filter(school=demo, groups__name=Role.TECHNICIAN)
    for trade in Trade.values:
        assert 1 <= technicians.filter(trades__trade=trade).count() <= 2, trade
    rules = DispatchRule.objects.filter(school=demo)
    assert rules.filter(building=None).count() >= 3
    assert rules.exclude(building=None).count() >= 3


def test_weixiu_has_a_current_queue_and_jiaoshi_tickets_in_every_state(demo):
    weixiu = User.objects.get(username="weixiu")
    assert weixiu.has_role(Role.TECHNICIAN)
    assert set(weixiu.trades.values_list("trade", flat=True)) == {
        Trade.PLUMBING,
        Trade.ELECTRICAL,
    }
    tickets = Ticket.objects.filter(school=demo)
    assert tickets.filter(assignee=weixiu).count() > 0.2 * tickets.count()
    recent = tickets.filter(assignee=weixiu, created_at__gte=timezone.now() - timedelta(days=7))
    assert recent.filter(status=TicketStatus.ASSIGNED).count() >= 3
    assert recent.filter(status=TicketStatus.IN_PROGRESS).count() >= 2
    assert tickets.filter(assignee=weixiu, status=TicketStatus.ON_HOLD).count() >= 1

    jiaoshi = User.objects.get(username="jiaoshi")
    hers = tickets.filter(requester=jiaoshi)
    assert 8 <= hers.count() <= 12
    statuses = set(hers.values_list("status", flat=True))
    assert {TicketStatus.DONE, TicketStatus.SUBMITTED, TicketStatus.CLOSED} <= statuses
    assert len(statuses) >= 5
    done = hers.get(status=TicketStatus.DONE)
    days = demo.repair_auto_confirm_days
    assert done.done_at > timezone.now() - timedelta(days=days)  # not yet confirmed by the tick


def test_the_neighbour_school_has_fewer_tickets(demo):
    neighbour = School.objects.get(code="htsx")
    tickets = Ticket.objects.filter(school=neighbour)
    assert 30 <= tickets.count() < Ticket.objects.filter(school=demo).count() / 4
    assert not tickets.exclude(room__building__school=neighbour).exists()
    assert not tickets.exclude(assignee=None).exclude(assignee__school=neighbour).exists()


def test_a_second_seed_adds_nothing(demo):
    models = [Ticket, StatusChange, TicketMaterial, Material, DispatchRule, RepairCategory, User]
    before = [m.objects.count() for m in models]
    call_command("seed_demo", stdout=StringIO())
    assert [m.objects.count() for m in models] == before


# --- The bench generator ----------------------------------------------------------------


@pytest.fixture
def bench(db):
    added = "tickets" not in registry.bench_data
    if added:
        registry.register_bench_data(BenchData("tickets", generate_tickets, order=200))
    try:
        counts, _seconds = generate(schools=3, districts=2, scale=0.1, small=1, log=lambda _: None)
    finally:
        if added:
            del registry.bench_data["tickets"]
    return counts


@pytest.mark.postgres
def test_bench_tickets_per_school_with_a_realistic_mix(bench):
    schools = list(School.objects.order_by("code"))
    full, small = round(TICKETS_PER_SCHOOL * 0.1), round(TICKETS_PER_SCHOOL * 0.01)
    assert [Ticket.objects.filter(school=s).count() for s in schools] == [full, full, small]
    assert bench["tickets"] == 2 * full + small
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses[TicketStatus.CLOSED] > 0.9 * bench["tickets"]
    assert sum(statuses[s] for s in OPEN_TICKET_STATUSES) > 0
    finished = statuses[TicketStatus.CLOSED] + statuses[TicketStatus.DONE]
    assert 1.3 * finished < TicketMaterial.objects.count() < 1.8 * finished
    now = timezone.now()
    assert Ticket.objects.filter(created_at__lt=now - timedelta(days=3 * 365)).exists()
    assert not Ticket.objects.filter(created_at__gt=now).exists()
    for school in schools:
        tickets = Ticket.objects.filter(school=school)
        assert not tickets.exclude(room__building__school=school).exists()
        assert not tickets.exclude(requester__school=school).exists()
        assert not tickets.exclude(assignee=None).exclude(assignee__school=school).exists()
        assert not tickets.exclude(category=None).exclude(category__school=school).exists()
        assert not TicketMaterial.objects.filter(ticket__school=school).exclude(
            Q(material=None) | Q(material__school=school)
        )
    # The open tickets have their history; the ids continue after the copied ones.
    open_ = Ticket.objects.filter(status__in=OPEN_TICKET_STATUSES).annotate(last=last_status())
    assert not open_.exclude(last=F("status")).exists()
    school = schools[0]
    latest = Ticket.objects.order_by("-pk").first()
    made = factories.TicketFactory(
        school=school,
        requester=User.objects.filter(school=school).first(),
        room=school.buildings.first().rooms.first(),
    )
    assert made.pk > latest.pk
