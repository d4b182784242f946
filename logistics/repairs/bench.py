"""Repair tickets for the benchmark: 200,000 over four years at ``--scale 1``.

A full school gets ``TICKETS_PER_SCHOOL`` tickets (a small one a tenth), so the default
20 schools, two of them small, hold 200,000. Before them each school gets the default
categories, the demo's materials catalogue and a school-wide dispatch rule per trade.

Almost every ticket older than a few days is closed (or cancelled); the last days' are
in every open status, and a few older ones were forgotten open (overdue). Closed tickets
used about 1.5 catalogue materials each. Tickets and materials go in by COPY; tickets
with explicit ids in filing order (across schools), so materials can name them, then the
id sequence is moved past them.

The accounts the bench signs in as (``logistics.bench.bench_account``) get what their
pages show in daily use: the teacher ``MY_TICKETS`` requests over the four years (a few
of the last week's among them), none filed for them by chance; the technician a queue of
``QUEUE`` open tickets of their trades from the last three weeks (assigned, in progress
with the materials used so far, on hold), and ``TO_TAKE`` new ones of their trades from
the last days that nobody has. These are drawn among the school's tickets, so the totals
stay as they are.

Status history: every open or finished-but-unconfirmed ticket gets its full history (what
the queues and the ticket page read); closed and cancelled ones get none — a million
history rows would only slow the generation, and no measured page lists them.
"""

from bisect import bisect_left
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from logistics.bench import BenchData, BenchPage, bench_account, reversed_url
from logistics.choices import Role, Trade
from logistics.models import StatusChange, TechnicianTrade
from logistics.repairs.choices import DamageCause, TicketStatus, Urgency
from logistics.repairs.demo import (
    COMMENTS,
    FAULTS,
    FREE_MATERIALS,
    HOLD_REASONS,
    MATERIALS,
    RATING_WEIGHTS,
    RATINGS,
    TRADE_WEIGHTS,
)
from logistics.repairs.models import DispatchRule, Material, RepairCategory, Ticket, TicketMaterial
from logistics.repairs.services.tickets import DEFAULT_CATEGORIES, ticket_counts_refresh

# 18 full schools and 2 small ones (a tenth each) make 200,000 at --scale 1.
TICKETS_PER_SCHOOL = 10_989
YEARS = 4
# The measured accounts' tickets in a full school (a small one: a tenth).
MY_TICKETS = 100  # the teacher's, over the four years
MY_RECENT = 3  # of which filed in the last week
QUEUE = 22  # open, assigned to the technician, filed in the last three weeks
TO_TAKE = 8  # submitted in the last three days, of the technician's trades, nobody's

S = TicketStatus
OPEN = (S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD)
# The status mix by age: filed today, in the last four days, earlier.
STATUS_MIX = [
    (1, {S.SUBMITTED: 25, S.ASSIGNED: 30, S.IN_PROGRESS: 25, S.ON_HOLD: 5, S.DONE: 10,
         S.CANCELLED: 2, S.CLOSED: 3}),
    (4, {S.SUBMITTED: 5, S.ASSIGNED: 10, S.IN_PROGRESS: 10, S.ON_HOLD: 8, S.DONE: 30,
         S.CANCELLED: 2, S.CLOSED: 35}),
    (None, {S.CLOSED: 96.25, S.CANCELLED: 3, S.ON_HOLD: 0.35, S.ASSIGNED: 0.25,
            S.IN_PROGRESS: 0.1, S.SUBMITTED: 0.05}),
]  # fmt: skip
# Materials on a closed ticket: 0-4, 1.55 on average.
MATERIAL_COUNTS = ([0, 1, 2, 3, 4], [20, 30, 30, 15, 5])
TICKET_FIELDS = [
    "id",
    "school",
    "requester",
    "contact_phone",
    "room",
    "trade",
    "category",
    "description",
    "urgency",
    "status",
    "assignee",
    "hold_reason",
    "cause",
    "work_notes",
    "rating",
    "rating_comment",
    "auto_confirmed",
    "reopen_count",
    "created_at",
    "respond_by",
    "complete_by",
    "assigned_at",
    "started_at",
    "done_at",
    "closed_at",
]
MATERIAL_FIELDS = [
    "ticket",
    "material",
    "name",
    "spec",
    "quantity",
    "unit",
    "unit_cost",
    "added_by",
    "added_at",
]
CHANGE_FIELDS = [
    "school",
    "content_type",
    "object_id",
    "field",
    "from_status",
    "to_status",
    "actor",
    "at",
    "note",
]


def _setup(ctx):
    """Categories, catalogue and dispatch rules per school; returns the lookups."""
    categories, catalogue, rules = [], [], []
    for s in ctx.schools:
        for trade, names in DEFAULT_CATEGORIES.items():
            categories += [
                RepairCategory(school=s.school, trade=trade, name=name, sort_order=order)
                for order, name in enumerate(names)
            ]
        catalogue += [
            Material(school=s.school, trade=trade, name=name, spec=spec, unit=unit, unit_cost=cost)
            for trade, name, spec, unit, cost in MATERIALS
        ]
    ctx.bulk_create(RepairCategory, categories)
    ctx.bulk_create(Material, catalogue, batch_size=5000)
    category_of = {(c.school_id, c.trade, c.name): c.pk for c in categories}
    items = {}
    for m in catalogue:
        items.setdefault((m.school_id, m.trade), []).append(
            (m.pk, m.name, m.spec, m.unit, Decimal(m.unit_cost))
        )

    technicians = [pk for s in ctx.schools for pk in ctx.people(s, Role.TECHNICIAN)]
    trades_of = {}
    for user_id, trade in TechnicianTrade.objects.filter(user_id__in=technicians).values_list(
        "user_id", "trade"
    ):
        trades_of.setdefault(user_id, set()).add(trade)
    by_trade = {}
    for s in ctx.schools:
        own = ctx.people(s, Role.TECHNICIAN)
        for trade in Trade.values:
            able = [pk for pk in own if trade in trades_of.get(pk, ())]
            by_trade[(s.school.pk, trade)] = able or own
            if able:
                rules.append(DispatchRule(school=s.school, trade=trade, technician_id=able[0]))
    ctx.bulk_create(DispatchRule, rules)
    return category_of, items, by_trade, len(categories), len(catalogue), len(rules)


def _filing_times(ctx, count):
    """``count`` filing moments over the last four years, sorted: term days and office
    hours most, holidays and weekends few."""
    rng = ctx.rng
    tz = timezone.get_default_timezone()
    today = ctx.today
    days = [today - timedelta(days=d) for d in range(YEARS * 365, -1, -1)]
    month = {1: 0.8, 2: 0.5, 7: 0.4, 8: 0.5}
    weekday = {5: 0.35, 6: 0.25}
    cumulative, total = [], 0.0
    for day in days:
        total += month.get(day.month, 1.0) * weekday.get(day.weekday(), 1.0)
        cumulative.append(total)
    midnight = [datetime.combine(day, time(0), tzinfo=tz) for day in days]
    picked = rng.choices(range(len(days)), cum_weights=cumulative, k=count)
    latest = ctx.now - timedelta(minutes=5)
    times = []
    for i in picked:
        roll = rng.random()
        hours = (
            7.5 + 4.3 * rng.random()
            if roll < 0.55
            else 13.3 + 4 * rng.random()
            if roll < 0.9
            else 17.5 + 4 * rng.random()
        )
        at = midnight[i] + timedelta(seconds=int(hours * 3600))
        if at > latest:
            at = latest - timedelta(seconds=rng.randrange(6 * 3600))
        times.append(at)
    times.sort()
    return times


_MIX = [(limit, list(mix), list(accumulate(mix.values()))) for limit, mix in STATUS_MIX]


def _status(rng, age_days):
    for limit, statuses, cumulative in _MIX:
        if limit is None or age_days < limit:
            return rng.choices(statuses, cum_weights=cumulative)[0]
    raise AssertionError


# The queue's statuses, oldest first (a small school's two: in progress, assigned).
QUEUE_STATUSES = (S.IN_PROGRESS, S.ASSIGNED, S.ON_HOLD, S.IN_PROGRESS, S.ASSIGNED)


def _measured(ctx, s, times):
    """What the measured accounts of school ``s`` get among its tickets (filed at
    ``times``, sorted): the teacher, the requests filed for them (positions), and
    ``{position: (trade, status, technician)}`` of the technician's queue and of the
    tickets of their trades waiting to be taken (no technician)."""
    rng = ctx.rng
    count = len(times)
    since = [bisect_left(times, ctx.now - timedelta(days=days)) for days in (7, 21, 3)]
    week, weeks, days = (range(i, count) for i in since)
    teacher = bench_account(s.school, Role.STAFF)
    mine = set()
    if teacher is not None:
        mine.update(rng.sample(week, min(len(week), ctx.size(s, MY_RECENT))))
        rest = [k for k in range(count) if k not in mine]
        mine.update(rng.sample(rest, min(len(rest), ctx.size(s, MY_TICKETS) - len(mine))))
    forced = {}
    technician = bench_account(s.school, Role.TECHNICIAN)
    trades = []
    if technician is not None:
        trades = sorted(technician.trades.values_list("trade", flat=True))
    if trades:
        queue = sorted(rng.sample(weeks, min(len(weeks), ctx.size(s, QUEUE))))
        for n, k in enumerate(queue):
            status = QUEUE_STATUSES[n % len(QUEUE_STATUSES)]
            forced[k] = (trades[n % len(trades)], status, technician.pk)
        waiting = [k for k in days if k not in forced]
        taken = sorted(rng.sample(waiting, min(len(waiting), ctx.size(s, TO_TAKE))))
        for n, k in enumerate(taken):
            forced[k] = (trades[n % len(trades)], S.SUBMITTED, None)
    return (teacher.pk if teacher is not None else None), mine, forced


def generate_tickets(ctx):
    rng = ctx.rng
    now = ctx.now
    category_of, items, by_trade, n_categories, n_catalogue, n_rules = _setup(ctx)
    ticket_type = ContentType.objects.get_for_model(Ticket).pk
    trades, trade_weights = zip(*TRADE_WEIGHTS.items(), strict=True)
    faults = {t: (list(FAULTS[t]), [f.weight for f in FAULTS[t]]) for t in trades}

    # Ids in filing order across the schools, as a real database would have them.
    schools = [(s, _filing_times(ctx, ctx.size(s, TICKETS_PER_SCHOOL))) for s in ctx.schools]
    order = sorted(
        (at, i, k) for i, (_s, times) in enumerate(schools) for k, at in enumerate(times)
    )
    first = (Ticket.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    ids = [[0] * len(times) for _s, times in schools]
    for rank, (_at, i, k) in enumerate(order):
        ids[i][k] = first + rank
    del order

    used, history = [], []
    # Read before the COPY starts: no query may run on the connection while it is open.
    measured = {s.school.pk: _measured(ctx, s, times) for s, times in schools}

    def rows():
        for (s, times), school_ids in zip(schools, ids, strict=True):
            school = s.school
            rooms = ctx.get(s, "rooms")
            people = ctx.people(s)
            hours = {
                Urgency.URGENT: (
                    timedelta(hours=school.repair_response_hours_urgent),
                    timedelta(hours=school.repair_complete_hours_urgent),
                ),
                Urgency.NORMAL: (
                    timedelta(hours=school.repair_response_hours_normal),
                    timedelta(hours=school.repair_complete_hours_normal),
                ),
            }
            auto_after = timedelta(days=school.repair_auto_confirm_days)
            teacher, mine, forced = measured[school.pk]
            others = [pk for pk in people if pk != teacher] or people
            first_at_work = True  # the first ticket the technician is working on
            open_ids = []
            for k, (pk, created) in enumerate(zip(school_ids, times, strict=True)):
                force = forced.get(k)
                trade = force[0] if force else rng.choices(trades, trade_weights)[0]
                fault = rng.choices(*faults[trade])[0]
                text = rng.choice(fault.descriptions)
                text = text if isinstance(text, str) else text[0]
                urgency = Urgency.URGENT if rng.random() < 0.15 else Urgency.NORMAL
                urgent = urgency == Urgency.URGENT
                respond, complete = hours[urgency]
                requester = teacher if k in mine else rng.choice(others)
                if force:
                    status = force[1]
                else:
                    status = _status(rng, (now - created).total_seconds() / 86400)

                # The steps, drawn whole, then squeezed before now if they run past it.
                assigned = created if rng.random() < 0.6 else created + _h(rng, 0.2, 5)
                started = assigned + (
                    _h(rng, 0.2, 1.5) if urgent else timedelta(hours=rng.expovariate(1 / 6))
                )
                held = rng.random() < 0.07 or status == S.ON_HOLD
                done = started + _h(rng, 0.3, 3) + (_h(rng, 12, 144) if held else timedelta())
                auto = rng.random() < 0.2
                closed = done + (
                    auto_after + _h(rng, 0, 1)
                    if auto
                    else min(timedelta(hours=rng.expovariate(1 / 10)), auto_after - _h(rng, 1, 2))
                )
                last = {
                    S.SUBMITTED: created,
                    S.ASSIGNED: assigned,
                    S.IN_PROGRESS: started,
                    S.ON_HOLD: started + _h(rng, 0.2, 1),
                    S.DONE: done,
                    S.CLOSED: closed,
                    S.CANCELLED: assigned + _h(rng, 0.2, 3),
                }[status]
                if last > now:
                    f = (now - created) * 0.95 / (last - created)
                    assigned, started, done, closed = (
                        created + (t - created) * f for t in (assigned, started, done, closed)
                    )
                    last = created + (last - created) * f
                if status == S.DONE and done < now - auto_after:
                    status, auto, closed = S.CLOSED, True, done + auto_after

                dispatched = status not in (S.SUBMITTED, S.CANCELLED) or (
                    status == S.CANCELLED and rng.random() < 0.5
                )
                began = status in (S.IN_PROGRESS, S.ON_HOLD, S.DONE, S.CLOSED)
                finished = status in (S.DONE, S.CLOSED)
                if force:
                    assignee = force[2]
                else:
                    assignee = rng.choice(by_trade[(school.pk, trade)]) if dispatched else None
                cause = notes = ""
                if finished:
                    roll = rng.random()
                    cause = (
                        DamageCause.WEAR
                        if roll < 0.85
                        else DamageCause.DAMAGE
                        if roll < 0.98
                        else DamageCause.DISASTER
                    )
                    notes = rng.choice(fault.notes)
                rating, comment = None, ""
                is_closed = status == S.CLOSED
                if is_closed and not auto:
                    rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
                    if rng.random() < 0.25:
                        comment = rng.choice(COMMENTS[rating])
                hold_reason = rng.choice(HOLD_REASONS) if status == S.ON_HOLD else ""
                yield (
                    pk,
                    school.pk,
                    requester,
                    "",
                    rng.choice(rooms),
                    trade,
                    category_of.get((school.pk, trade, fault.category)),
                    text,
                    urgency,
                    status,
                    assignee,
                    hold_reason,
                    cause,
                    notes,
                    rating,
                    comment,
                    is_closed and auto,
                    1 if is_closed and rng.random() < 0.03 else 0,
                    created,
                    created + respond,
                    created + complete,
                    assigned if dispatched else None,
                    started if began else None,
                    done if finished else None,
                    closed if is_closed else None,
                )

                at_work = bool(force) and status == S.IN_PROGRESS
                if finished or at_work:
                    options = items.get((school.pk, trade), [])
                    count = rng.choices(*MATERIAL_COUNTS)[0]
                    if at_work:  # what was used so far (the first one: two)
                        count = 2 if first_at_work else rng.randint(0, 2)
                        first_at_work = False
                    until = done if finished else now
                    for _n in range(min(count, len(options))):
                        item_id, name, spec, unit, cost = rng.choice(options)
                        if rng.random() < 0.08:
                            item_id = None
                            name, spec, unit, cost = rng.choice(FREE_MATERIALS[trade])
                        added = started + (until - started) * rng.uniform(0.3, 0.95)
                        used.append(
                            (
                                pk,
                                item_id,
                                name,
                                spec,
                                rng.randint(1, 4),
                                unit,
                                cost,
                                assignee,
                                added,
                            )
                        )
                if status in OPEN or status == S.DONE:
                    open_ids.append(pk)
                    steps = [(created, "", S.SUBMITTED, requester, "")]
                    if dispatched:
                        steps.append((assigned, S.SUBMITTED, S.ASSIGNED, None, ""))
                    if began:
                        steps.append((started, S.ASSIGNED, S.IN_PROGRESS, assignee, ""))
                    if status == S.ON_HOLD:
                        steps.append((last, S.IN_PROGRESS, S.ON_HOLD, assignee, hold_reason))
                    if status == S.DONE:
                        steps.append((done, S.IN_PROGRESS, S.DONE, assignee, notes))
                    history.extend(
                        (school.pk, ticket_type, pk, "status", a, b, actor, at, note)
                        for at, a, b, actor, note in steps
                    )
            ctx.put(s, "tickets", school_ids)
            ctx.put(s, "tickets:open", open_ids)

    tickets = ctx.copy(Ticket, TICKET_FIELDS, rows())
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
            cursor.execute(sql)
    ticket_counts_refresh()
    materials = ctx.copy(TicketMaterial, MATERIAL_FIELDS, used)
    changes = ctx.copy(StatusChange, CHANGE_FIELDS, history)
    return {
        "repair categories": n_categories,
        "materials catalogue": n_catalogue,
        "dispatch rules": n_rules,
        "tickets": tickets,
        "ticket materials": materials,
        "ticket status changes": changes,
    }


def _h(rng, low, high):
    return timedelta(hours=rng.uniform(low, high))


def ticket_page(site):
    """A ticket the measured technician is working on (its history, the materials used so
    far), else the school's latest open one."""
    tickets = Ticket.objects.filter(school=site.school)
    ticket = (
        tickets.filter(assignee=site.user, status=S.IN_PROGRESS)
        .annotate(materials_used=Count("materials"))
        .order_by("-materials_used", "created_at", "pk")
        .first()
    ) or tickets.filter(status__in=OPEN).order_by("-created_at", "-pk").first()
    return reverse("ticket_detail", args=[ticket.pk])


bench_data = [BenchData("tickets", generate_tickets, order=200)]
# Issue target: general affairs' ticket list >= 0.6 x the bare 50-row page; its query count
# must not depend on the rows a page (20 or 100). Every page a person opens in daily work:
# 0.6 as well (a teacher files and follows requests, a technician works the queue).
bench_pages = [
    BenchPage("ticket_list", "/repairs/", target=0.6, order=50),
    BenchPage("ticket_list_100", "/repairs/?per_page=100", target=None, order=51),
    BenchPage("ticket_create", reversed_url("ticket_create"), 0.6, role=Role.STAFF, order=52),
    BenchPage("ticket_mine", reversed_url("ticket_mine"), 0.6, role=Role.STAFF, order=53),
    BenchPage("ticket_queue", reversed_url("ticket_queue"), 0.6, role=Role.TECHNICIAN, order=54),
    BenchPage("ticket_detail", ticket_page, target=0.6, role=Role.TECHNICIAN, order=55),
]
