"""Repair statistics for a period: what the repair statistics page, the dashboard and the
semester summary show (the repairs section reads ``repair_stats``, nothing else).

The period is of dates in local time (``TIME_ZONE``), both ends included, and counts the
tickets *filed* in it. Cancelled tickets count only as "cancelled". The statistics take
the same six queries whatever the number of tickets: the counts are SQL aggregates, the
medians come from one list of durations.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.choices import Trade
from logistics.common.periods import period_bounds
from logistics.documents.charts import bar_chart, column_chart
from logistics.repairs.choices import OPEN_TICKET_STATUSES, DamageCause, TicketStatus, Urgency
from logistics.repairs.models import Ticket, TicketMaterial

# A room with at least this many tickets in the period has "repeated faults".
REPEATED_FAULTS = 3
REPEATED_ROOMS_SHOWN = 10

ONE_DECIMAL = Decimal("0.1")
CENTS = Decimal("0.01")
LIVE = ~Q(status=TicketStatus.CANCELLED)


def tickets_filed(school, start, end):
    """The school's tickets filed from ``start`` to ``end`` (dates, inclusive)."""
    since, until = period_bounds(start, end)
    return Ticket.objects.filter(
        school=school, created_at__gte=since, created_at__lt=until
    ).order_by()


def _percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _median_hours(durations):
    """The median of timedeltas, in hours with one decimal (None for no data)."""
    micros = sorted(d // datetime.timedelta(microseconds=1) for d in durations if d is not None)
    if not micros:
        return None
    middle = len(micros) // 2
    if len(micros) % 2:
        value = Decimal(micros[middle])
    else:
        value = (Decimal(micros[middle - 1]) + Decimal(micros[middle])) / 2
    return (value / Decimal(3_600_000_000)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def _months(start, end):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _counts(tickets, now):
    """Query 1: every count of the period in one aggregate."""
    open_q = Q(status__in=OPEN_TICKET_STATUSES)
    aggregates = {
        "total": Count("pk", filter=LIVE),
        "cancelled": Count("pk", filter=Q(status=TicketStatus.CANCELLED)),
        "open": Count("pk", filter=open_q),
        "awaiting_confirmation": Count("pk", filter=Q(status=TicketStatus.DONE)),
        "closed": Count("pk", filter=Q(status=TicketStatus.CLOSED)),
        "urgent": Count("pk", filter=LIVE & Q(urgency=Urgency.URGENT)),
        "reopened": Count("pk", filter=LIVE & Q(reopen_count__gt=0)),
        "auto_confirmed": Count("pk", filter=LIVE & Q(auto_confirmed=True)),
        # A target is measured once met, or once missed by a ticket still open.
        "response_measured": Count(
            "pk",
            filter=LIVE
            & (
                Q(started_at__isnull=False)
                | (open_q & Q(started_at__isnull=True, respond_by__lt=now))
            ),
        ),
        "response_on_time": Count("pk", filter=LIVE & Q(started_at__lte=F("respond_by"))),
        "completion_measured": Count(
            "pk",
            filter=LIVE
            & (Q(done_at__isnull=False) | (open_q & Q(done_at__isnull=True, complete_by__lt=now))),
        ),
        "completion_on_time": Count("pk", filter=LIVE & Q(done_at__lte=F("complete_by"))),
    }
    for stars in range(1, 6):
        aggregates[f"rating_{stars}"] = Count("pk", filter=LIVE & Q(rating=stars))
    for cause in DamageCause:
        aggregates[f"cause_{cause.value}"] = Count("pk", filter=LIVE & Q(cause=cause))
    return tickets.aggregate(**aggregates)


def _per_trade(tickets):
    """Query 2: counts per trade (query 3 adds the medians)."""
    return {
        row["trade"]: row
        for row in tickets.filter(LIVE)
        .values("trade")
        .annotate(
            count=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_TICKET_STATUSES)),
            awaiting_confirmation=Count("pk", filter=Q(status=TicketStatus.DONE)),
            closed=Count("pk", filter=Q(status=TicketStatus.CLOSED)),
        )
    }


def _durations(tickets):
    """Query 3: (trade, response, completion) of every started or finished ticket."""
    return list(
        tickets.filter(LIVE)
        .filter(Q(started_at__isnull=False) | Q(done_at__isnull=False))
        .annotate(
            response=ExpressionWrapper(F("started_at") - F("created_at"), DurationField()),
            completion=ExpressionWrapper(F("done_at") - F("created_at"), DurationField()),
        )
        .values_list("trade", "response", "completion")
    )


def _materials(school, start, end):
    """Query 4: materials used on the period's tickets, by (name, spec, unit), costliest
    first. The cost of a group is its exact sum, rounded once to fen."""
    since, until = period_bounds(start, end)
    rows = (
        TicketMaterial.objects.filter(
            ticket__school=school, ticket__created_at__gte=since, ticket__created_at__lt=until
        )
        .exclude(ticket__status=TicketStatus.CANCELLED)
        .values("name", "spec", "unit")
        .annotate(
            total_quantity=Sum("quantity"),
            total_cost=Sum(
                F("quantity") * F("unit_cost"),
                output_field=DecimalField(max_digits=24, decimal_places=4),
            ),
            ticket_count=Count("ticket", distinct=True),
        )
        .order_by("-total_cost", "name", "spec", "unit")
    )
    materials = [
        {
            "name": row["name"],
            "spec": row["spec"],
            "unit": row["unit"],
            "quantity": Decimal(row["total_quantity"]).quantize(CENTS, ROUND_HALF_UP),
            "cost": Decimal(row["total_cost"]).quantize(CENTS, ROUND_HALF_UP),
            "tickets": row["ticket_count"],
        }
        for row in rows
    ]
    # Sorted again after rounding, so equal costs keep a stable order on every database.
    materials.sort(key=lambda m: (-m["cost"], m["name"], m["spec"], m["unit"]))
    return materials


def _repeated_rooms(tickets):
    """Query 5: rooms with REPEATED_FAULTS tickets or more, with their trades."""
    repeated = (
        tickets.filter(LIVE)
        .values("room")
        .annotate(n=Count("pk"))
        .filter(n__gte=REPEATED_FAULTS)
        .values("room")
    )
    rows = (
        tickets.filter(LIVE, room__in=repeated)
        .values("room", "room__number", "room__name", "room__building__name", "trade")
        .annotate(n=Count("pk"))
    )
    rooms, labels = {}, dict(Trade.choices)
    for row in rows:
        room = rooms.setdefault(
            row["room"],
            {
                "room_id": row["room"],
                "room": row["room__number"],
                "room_name": row["room__name"],
                "building": row["room__building__name"],
                "count": 0,
                "trades": [],
            },
        )
        room["count"] += row["n"]
        room["trades"].append(
            {
                "trade": row["trade"],
                "label": labels.get(row["trade"], row["trade"]),
                "count": row["n"],
            }
        )
    order = {trade: i for i, trade in enumerate(Trade.values)}
    for room in rooms.values():
        room["trades"].sort(key=lambda t: (-t["count"], order.get(t["trade"], len(order))))
    return sorted(rooms.values(), key=lambda r: (-r["count"], r["building"], r["room"]))


def _per_month(tickets, start, end):
    """Query 6: tickets filed per calendar month (local time), every month of the period."""
    tz = timezone.get_default_timezone()
    found = {}
    for row in (
        tickets.filter(LIVE)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(count=Count("pk"))
    ):
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month, tz) if timezone.is_aware(month) else month
            month = month.date()
        found[(month.year, month.month)] = row["count"]
    return [
        {"month": month, "count": found.get((month.year, month.month), 0)}
        for month in _months(start, end)
    ]


def repair_stats(school, start, end, *, now=None) -> dict:
    """The repair figures of ``school`` for tickets filed from ``start`` to ``end`` (local
    dates, inclusive). Six queries whatever the data; see the module doc for the rules."""
    now = now or timezone.now()
    tickets = tickets_filed(school, start, end)
    counts = _counts(tickets, now)
    per_trade_counts = _per_trade(tickets)
    durations = _durations(tickets)

    response_by_trade, completion_by_trade = defaultdict(list), defaultdict(list)
    for trade, response, completion in durations:
        response_by_trade[trade].append(response)
        completion_by_trade[trade].append(completion)
    per_trade = []
    for trade in Trade:
        row = per_trade_counts.get(trade.value, {})
        per_trade.append(
            {
                "trade": trade.value,
                "label": trade.label,
                "count": row.get("count", 0),
                "open": row.get("open", 0),
                "awaiting_confirmation": row.get("awaiting_confirmation", 0),
                "closed": row.get("closed", 0),
                "median_response_hours": _median_hours(response_by_trade[trade.value]),
                "median_completion_hours": _median_hours(completion_by_trade[trade.value]),
            }
        )

    distribution = [{"stars": stars, "count": counts[f"rating_{stars}"]} for stars in range(1, 6)]
    rated = sum(d["count"] for d in distribution)
    for d in distribution:
        d["percent"] = _percent(d["count"], rated)
    satisfied = counts["rating_4"] + counts["rating_5"]
    average = (
        (Decimal(sum(d["stars"] * d["count"] for d in distribution)) / rated).quantize(
            CENTS, ROUND_HALF_UP
        )
        if rated
        else None
    )

    materials = _materials(school, start, end)
    repeated = _repeated_rooms(tickets)
    per_month = _per_month(tickets, start, end)

    return {
        "start": start,
        "end": end,
        "total": counts["total"],
        "cancelled": counts["cancelled"],
        "status": {
            "open": counts["open"],
            "awaiting_confirmation": counts["awaiting_confirmation"],
            "closed": counts["closed"],
            "cancelled": counts["cancelled"],
        },
        "urgent": counts["urgent"],
        "reopened": counts["reopened"],
        "median_response_hours": _median_hours(r for _t, r, _c in durations),
        "median_completion_hours": _median_hours(c for _t, _r, c in durations),
        "per_trade": per_trade,
        "satisfaction": {
            "rated": rated,
            "average": average,
            "satisfied": satisfied,
            "satisfied_percent": _percent(satisfied, rated),
            "distribution": distribution,
            "auto_confirmed": counts["auto_confirmed"],
        },
        "on_time": {
            "response": {
                "on_time": counts["response_on_time"],
                "measured": counts["response_measured"],
                "percent": _percent(counts["response_on_time"], counts["response_measured"]),
            },
            "completion": {
                "on_time": counts["completion_on_time"],
                "measured": counts["completion_measured"],
                "percent": _percent(counts["completion_on_time"], counts["completion_measured"]),
            },
        },
        "causes": [
            {"cause": cause.value, "label": cause.label, "count": counts[f"cause_{cause.value}"]}
            for cause in DamageCause
        ],
        "materials": materials,
        "materials_cost": sum((m["cost"] for m in materials), Decimal("0.00")),
        "repeated_rooms": repeated[:REPEATED_ROOMS_SHOWN],
        "repeated_rooms_count": len(repeated),
        "per_month": per_month,
        # What to draw (rendered when a template prints them).
        "charts": {
            "per_trade": bar_chart(
                [t["label"] for t in per_trade],
                [t["count"] for t in per_trade],
                title=_("Tickets per trade"),
            ),
            "per_month": column_chart(
                [m["month"].strftime("%Y-%m") for m in per_month],
                [(_("Tickets"), [m["count"] for m in per_month])],
                title=_("Tickets per month"),
            ),
            "ratings": bar_chart(
                [f"{d['stars']} ★" for d in reversed(distribution)],
                [d["count"] for d in reversed(distribution)],
                title=_("Ratings"),
            ),
        },
    }


def repair_stats_changes_at(school, start, end, *, now):
    """When the figures of ``repair_stats`` next change with time alone: the first start
    or finish target still ahead at ``now`` among the period's open tickets not yet
    started (finished). Until then only a write changes them (the on-time figures count
    a target once missed); None when no such target is ahead. One query."""
    from django.db.models import Min

    from logistics.common.figures import earliest

    open_q = Q(status__in=OPEN_TICKET_STATUSES)
    found = tickets_filed(school, start, end).aggregate(
        respond_by=Min(
            "respond_by", filter=open_q & Q(started_at__isnull=True, respond_by__gte=now)
        ),
        complete_by=Min(
            "complete_by", filter=open_q & Q(done_at__isnull=True, complete_by__gte=now)
        ),
    )
    return earliest(found["respond_by"], found["complete_by"])
