"""The monthly hazard check report (隐患排查表) for the district: its figures, read here
once so the page's PDF and a scheduled report can never disagree.

A month is of local dates, first to last day. "At the end of the month" is judged from
the records: rectified means closed by then (the rectification rate's rule); a hazard
was overdue then if its deadline had passed and no rectification had been handed in by
then.
"""

import datetime

from django.db.models import Case, Count, F, Q, When
from django.utils import timezone

from logistics.common.periods import period_bounds
from safety.choices import UNRESOLVED_HAZARD_STATUSES, HazardStatus
from safety.models import Drill, Hazard
from safety.selectors.stats import (
    drill_months,
    inspection_figures,
    rectification_figures,
)

# Columns of the list of hazards not rectified at the end of the month.
UNRECTIFIED_FIELDS = (
    "pk",
    "found_at",
    "category",
    "level",
    "status",
    "description",
    "location",
    "room__number",
    "room__building__name",
    "department__name",
    "responsible_person__name",
    "responsible_person__username",
    "deadline",
    "rectified_at",
    "closed_at",
)
DRILL_FIELDS = ("pk", "held_on", "kind", "title", "location", "participants", "evacuation_seconds")


def month_bounds(month):
    """The first and last day of the month ``month`` (any date in it) falls in."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


# The report lists this many of the hazards not rectified at the end of the month (the
# overdue ones first); it counts them all. The ledger has the full list.
UNRECTIFIED_SHOWN = 15


def unrectified_at_month_end(school, month, *, limit=UNRECTIFIED_SHOWN) -> dict:
    """The school's hazards found by the end of ``month`` and not closed by then (withdrawn
    reports left out). Two queries::

        {"total", "overdue" (their deadline had passed and no rectification was handed
         in by the end of the month),
         "rows": the first ``limit`` by deadline, the overdue ones first (so the longest
                 overdue first); those without a deadline last, the oldest first: dicts of
                 ``UNRECTIFIED_FIELDS`` plus ``overdue`` and ``closed_since`` (closed after
                 the month)}
    """
    _first, last = month_bounds(month)
    _since, until = period_bounds(last, last)
    overdue = Q(deadline__lte=last) & (Q(rectified_at__isnull=True) | Q(rectified_at__gte=until))
    hazards = Hazard.objects.filter(school=school, found_at__lt=until).filter(
        Q(status__in=UNRESOLVED_HAZARD_STATUSES)
        | Q(status=HazardStatus.CLOSED, closed_at__gte=until)
    )
    counts = hazards.aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue))
    rows = list(
        hazards.annotate(overdue=Case(When(overdue, then=True), default=False))
        .order_by("-overdue", F("deadline").asc(nulls_last=True), "found_at", "pk")
        .values(*UNRECTIFIED_FIELDS, "overdue")[:limit]
    )
    for row in rows:
        row["closed_since"] = row["closed_at"] is not None
    return {**counts, "rows": rows}


def monthly_report(school, month, *, now=None) -> dict:
    """Everything the monthly hazard check report shows for ``month`` (any date in it)::

        {"school", "month" (the 1st), "start", "end", "generated_at",
         "hazards": the month's rectification figures (``rectification_rate``'s dict),
         "per_category": rows of ``rectification_by(…, "category")`` (with "major"),
         "per_level": rows of ``rectification_by(…, "level")``,
         "unrectified": the first of the hazards not rectified at the end of the month
                        (found in it or before; see ``unrectified_at_month_end``),
         "unrectified_total": how many there were, "overdue": how many were overdue,
         "inspections": ``inspection_figures`` of the month (per_kind: kinds with any),
         "drills": the drills held, oldest first (dicts of ``DRILL_FIELDS``),
         "drill_month": the month's row of ``drill_months`` (required, met)}

    Seven queries.
    """
    now = now or timezone.now()
    start, end = month_bounds(month)
    figures = rectification_figures(school, start, end, dims=("category", "level"), now=now)
    unrectified = unrectified_at_month_end(school, start)
    inspections = inspection_figures(school, start, end, now=now)
    inspections["per_kind"] = [k for k in inspections["per_kind"] if k["total"] or k["cancelled"]]
    drills = list(
        Drill.objects.filter(school=school, held_on__gte=start, held_on__lte=end)
        .order_by("held_on", "pk")
        .values(*DRILL_FIELDS)
    )
    [drill_month] = drill_months(school, start, end)["months"]
    return {
        "school": school,
        "month": start,
        "start": start,
        "end": end,
        "generated_at": now,
        "hazards": figures["totals"],
        "per_category": figures["category"],
        "per_level": figures["level"],
        "unrectified": unrectified["rows"],
        "unrectified_total": unrectified["total"],
        "overdue": unrectified["overdue"],
        "inspections": inspections,
        "drills": drills,
        "drill_month": drill_month,
    }
