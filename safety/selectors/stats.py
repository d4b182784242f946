"""Campus safety statistics for a period: the rectification rate (整改率) and its
breakdowns, inspections done, drills month by month, agreement coverage, and the figures
of the "Campus safety" section of the dashboard and the semester summary.

A period is of local dates (``TIME_ZONE``), both ends included (as the repair
statistics). Everything is aggregated in SQL: each function takes a fixed number of
queries whatever the number of hazards or inspections, on the indexes
``(school, found_at)``, ``(school, status, deadline)``, ``(school, period_end)`` and
``(school, held_on)``.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.periods import period_bounds
from logistics.documents.charts import column_chart, line_chart
from logistics.models import Semester, User
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    DrillKind,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    SafetyArea,
)
from safety.models import Drill, Hazard, SafetyAgreement
from safety.selectors import sql
from safety.selectors.sql import INSPECTION_KEYS

RECTIFICATION_RATE_DEFINITION = _(
    "Rectification rate = hazards found in the period that were closed (checked and signed "
    "off) by the end of the period ÷ hazards found in the period. Withdrawn reports are not "
    "counted. Month by month, each month is its own period."
)

# The drill requirement: at least this many drills in every month the school is in term
# (a month that overlaps one of its semesters; every month if it has none set up).
DRILLS_PER_MONTH = 1
DRILL_REQUIREMENT = _(
    "At least one emergency drill every month of the school term (months that overlap a semester)."
)

AGREEMENT_COVERAGE_DEFINITION = _(
    "Coverage = active people of the school with at least one valid responsibility "
    "agreement for the academic year ÷ active people of the school."
)

RATE_DIMENSIONS = ("month", "category", "level", "department", "building", "source")

ONE_DECIMAL = Decimal("0.1")
COUNTED = ~Q(status=HazardStatus.WITHDRAWN)


def percent(part, whole):
    """``part`` ÷ ``whole`` in percent, one decimal (None when ``whole`` is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def months(start, end):
    """The first day of every month from ``start``'s to ``end``'s."""
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _month_key(value):
    """A TruncMonth result (aware datetime, naive datetime or date) → (year, month)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, timezone.get_default_timezone())
        value = value.date()
    return value.year, value.month


def academic_year_of(day):
    """The academic year a date falls in (2026 = 2026~2027): from August on, the year's."""
    return day.year if day.month >= 8 else day.year - 1


def hazards_found(school, start, end):
    """The school's hazards found from ``start`` to ``end`` (local dates, inclusive), the
    withdrawn reports left out."""
    since, until = period_bounds(start, end)
    return Hazard.objects.filter(
        COUNTED, school=school, found_at__gte=since, found_at__lt=until
    ).order_by()


def half_months(start, end):
    """The half-month reporting periods (1st–15th, 16th–end of month) that overlap
    ``start``..``end``, as ``(first, last)`` dates: hazards are reported to the district
    twice a month (每月两次上报安全隐患排查表)."""
    periods = []
    for month in months(start, end):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        for first, last in (
            (month, month.replace(day=15)),
            (month.replace(day=16), following - datetime.timedelta(days=1)),
        ):
            if last >= start and first <= end:
                periods.append((first, last))
    return periods


# The columns of the hazard ledger (隐患台账) and of the half-monthly report, as plain values.
LEDGER_FIELDS = (
    "pk",
    "found_at",
    "category",
    "level",
    "status",
    "description",
    "room__building__name",
    "room__number",
    "location",
    "found_by__name",
    "found_by__username",
    "department__name",
    "responsible_person__name",
    "responsible_person__username",
    "deadline",
    "deferral_count",
    "rectification_note",
    "rectified_at",
    "closed_at",
)


def hazard_ledger(school, start, end):
    """The hazards found in the period (withdrawn ones left out) as dicts of
    ``LEDGER_FIELDS``, oldest first: the rows of the ledger export and of the
    half-monthly report to the district (one query)."""
    return hazards_found(school, start, end).order_by("found_at", "pk").values(*LEDGER_FIELDS)


# --- The rectification rate ----------------------------------------------------------------
#
# Every figure of the rate comes from ONE statement, ``safety.selectors.sql``'s
# ``rectification_groups``: a few dozen groups whatever the number of hazards, made into
# the totals and the breakdowns' rows here. No Python loop over hazards.


def _row(key, label, found, rectified, **more):
    return {
        "key": key,
        "label": label,
        "found": found,
        "rectified": rectified,
        "rate": percent(rectified, found),
        "unrectified": found - rectified,
        **more,
    }


# What a breakdown's row tells besides found / rectified (but for the months): with its
# detail, also how many are major, open and awaiting the check now.
_ROW_MORE = ("overdue",)
_ROW_DETAIL = ("major", "open", "awaiting_check", "overdue")


def _more_row(key, label, values, more):
    return _row(key, label, values["found"], values["rectified"], **{k: values[k] for k in more})


_EMPTY_LABELS = {
    "department": pgettext_lazy("hazard", "Not assigned"),
    "building": _("No room given"),
    "source": _("Reported outside inspections"),
}


def rectification_figures(
    school, start, end, *, dims=RATE_DIMENSIONS, now=None, detail=True
) -> dict:
    """The rectification figures of the hazards found in the period and its breakdowns
    ``dims`` (any of ``RATE_DIMENSIONS``), in ONE query whatever the data::

        {"totals": the dict of ``rectification_rate``,
         "<dim>": the rows of ``rectification_by(…, dim)`` for each of ``dims``}

    Without ``detail`` the rows of the category, department, building and source
    breakdowns leave out "major", "open" and "awaiting_check" (a lighter statement for
    the rate page, which does not show them).
    """
    dims = tuple(dict.fromkeys(dims))
    unknown = [d for d in dims if d not in RATE_DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}")
    now = now or timezone.now()
    month_starts = list(months(start, end))
    groups = {dim: [] for dim in ("total", *dims)}
    for dim, ki, kt, lv, values in sql.rectification_groups(
        school,
        start,
        end,
        months=month_starts,
        dims=dims,
        detail=detail,
        today=timezone.localdate(now),
    ):
        groups[dim].append((ki, kt, lv, values))

    # The totals and the levels, from the groups per status and level.
    open_statuses = {str(s) for s in OPEN_HAZARD_STATUSES}
    levels = {
        level.value: dict.fromkeys((*_ROW_DETAIL, "found", "rectified"), 0) for level in HazardLevel
    }
    closed = deferred = 0
    for _ki, status, level, v in groups["total"]:
        row = levels.setdefault(level, dict.fromkeys((*_ROW_DETAIL, "found", "rectified"), 0))
        row["found"] += v["found"]
        row["rectified"] += v["rectified"]
        row["overdue"] += v["overdue"]
        row["open"] += v["found"] if status in open_statuses else 0
        row["awaiting_check"] += v["found"] if status == HazardStatus.AWAITING_CHECK else 0
        closed += v["found"] if status == HazardStatus.CLOSED else 0
        deferred += v["deferred"]
    for level, row in levels.items():
        row["major"] = row["found"] if level == HazardLevel.MAJOR else 0
    major = levels[HazardLevel.MAJOR.value]
    found = sum(row["found"] for row in levels.values())
    rectified = sum(row["rectified"] for row in levels.values())
    totals = {
        "start": start,
        "end": end,
        "found": found,
        "rectified": rectified,
        "open": sum(row["open"] for row in levels.values()),
        "awaiting_check": sum(row["awaiting_check"] for row in levels.values()),
        "closed": closed,
        "overdue": sum(row["overdue"] for row in levels.values()),
        "major": major["found"],
        "major_rectified": major["rectified"],
        "deferred": deferred,
        "rate": percent(rectified, found),
        "unrectified": found - rectified,
        "major_rate": percent(major["rectified"], major["found"]),
        "definition": RECTIFICATION_RATE_DEFINITION,
    }
    result = {"totals": totals}
    more = _ROW_DETAIL if detail else _ROW_MORE
    for dim in dims:
        rows = groups[dim]
        if dim == "month":
            by_month = {ki: (v["found"], v["rectified_in_month"]) for ki, _kt, _lv, v in rows}
            result[dim] = [
                _row(month, month.strftime("%Y-%m"), *by_month.get(i, (0, 0)))
                for i, month in enumerate(month_starts)
            ]
        elif dim == "level":
            result[dim] = [
                _more_row(level.value, level.label, levels[level.value], _ROW_DETAIL)
                for level in HazardLevel
            ]
        elif dim == "category":
            counts = {kt: v for _ki, kt, _lv, v in rows}
            result[dim] = [
                _more_row(area.value, area.label, counts[area.value], more)
                for area in SafetyArea
                if area.value in counts
            ]
        else:
            labels = dict(InspectionKind.choices)
            out = []
            for ki, kt, _lv, v in rows:
                key = (kt if dim == "source" else ki) or ""
                if not key:
                    label = _EMPTY_LABELS[dim]
                elif dim == "source":
                    label = labels.get(key, key)
                else:
                    label = kt
                out.append(_more_row(key, label, v, more))
            result[dim] = sorted(out, key=lambda r: (-r["found"], r["key"] == "", str(r["label"])))
    return result


def rectification_rate(school, start, end, *, now=None) -> dict:
    """The rectification figures of the hazards found in the period (one query)::

        {"start", "end", "found", "rectified", "rate" (Decimal % or None), "unrectified",
         "open" (reported or rectifying now), "awaiting_check", "closed" (by now),
         "overdue" (open past the deadline now), "major", "major_rectified",
         "major_rate", "deferred" (with an arrangement), "definition"}

    See ``RECTIFICATION_RATE_DEFINITION``.
    """
    return rectification_figures(school, start, end, dims=(), now=now)["totals"]


def rectification_by(school, start, end, by) -> list[dict]:
    """The rate of the period broken down ``by`` one of ``RATE_DIMENSIONS`` (one query);
    rows ``{"key", "label", "found", "rectified", "rate", "unrectified"}``, and but for the
    months also ``"major"``, ``"open"``, ``"awaiting_check"`` and ``"overdue"`` (now):

    - ``month``: every month of the period, in order (zeros included); each month is its
      own period: hazards found in it, closed by its end (and by the period's end);
    - ``category``: per safety area (消防, 用电 …), in the choices' order, those with hazards;
    - ``level``: general and major, both always;
    - ``department``: per responsible department, the largest first ("" = not assigned);
    - ``building``: per building of the hazard's room, the largest first ("" = no room);
    - ``source``: per kind of inspection that found it ("" = reported outside inspections).
    """
    if by not in RATE_DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    return rectification_figures(school, start, end, dims=(by,))[by]


def trend_chart(month_rows):
    """Hazards found and rectified per month (rows of ``rectification_by(…, "month")``),
    as columns side by side."""
    return column_chart(
        [r["label"] for r in month_rows],
        [
            (_("Found"), [r["found"] for r in month_rows]),
            (_("Rectified"), [r["rectified"] for r in month_rows]),
        ],
        title=_("Hazards found and rectified per month"),
    )


def rectification_trend(school, start, end) -> dict:
    """The monthly series for a trend chart: ``{"months": rows of rectification_by(…,
    "month"), "chart": found vs rectified columns, "rate_chart": the rate as a line}``."""
    rows = rectification_by(school, start, end, "month")
    return {
        "months": rows,
        "chart": trend_chart(rows),
        "rate_chart": line_chart(
            [r["label"] for r in rows],
            [(_("Rectification rate (%)"), [r["rate"] or 0 for r in rows])],
            title=_("Rectification rate per month"),
        ),
    }


# The columns of the overdue list, as plain values.

RATE_PAGE_CACHE_SECONDS = 600


def rate_page_key(school, start, end, *, dims, overdue_limit, today):
    """What the rate page's figures depend on: the school's ``figures_version`` (raised
    by every write to a hazard, room, building or department), the period, the day and
    the language; the page keeps its figures, and its figures' markup, under it."""
    from django.utils.translation import get_language

    return (
        f"safety:rate:{school.pk}:{school.figures_version}:{start}:{end}:{today}:"
        f"{','.join(dims)}:{overdue_limit}:{get_language()}"
    )


def rate_page_figures(school, start, end, *, dims, overdue_limit, now=None):
    """What the rate page shows: ``(rectification_figures(…, detail=False), the first
    overdue hazards, how many are overdue)``, kept in the cache under the school's
    ``figures_version`` (raised by every write to a hazard, room, building or
    department), the day and the language, for at most ``RATE_PAGE_CACHE_SECONDS``
    (a stale label or day ends then). A miss reads the two statements."""
    from django.core.cache import cache

    now = now or timezone.now()
    today = timezone.localdate(now)
    key = rate_page_key(school, start, end, dims=dims, overdue_limit=overdue_limit, today=today)
    found = cache.get(key)
    if found is None:
        figures = rectification_figures(school, start, end, dims=dims, now=now, detail=False)
        # Kept as plain text in this language: a lazy label is rebuilt class and all
        # each time it is read back from the cache.
        figures["totals"]["definition"] = str(figures["totals"]["definition"])
        for dim in dims:
            for row in figures[dim]:
                row["label"] = str(row["label"])
        found = (figures, *hazards_overdue_top(school, limit=overdue_limit, today=today))
        cache.set(key, found, RATE_PAGE_CACHE_SECONDS)
    return found


def hazards_overdue_top(school, *, limit=10, today=None):
    """The school's hazards still to be rectified after their deadline, the longest
    overdue first: ``(the first `limit` as dicts of OVERDUE_FIELDS, how many in all)``
    (one statement: ``safety.selectors.sql.overdue_hazards``)."""
    return sql.overdue_hazards(school, limit=limit, today=today or timezone.localdate())


# --- Inspections -------------------------------------------------------------------------


def inspection_figures(school, start, end, *, now=None) -> dict:
    """Inspections due in the period (their period ends in it), per kind (one query)::

        {"total", "submitted", "on_time", "missed" (not done and past due at ``now``),
         "open" (still to do, not yet due), "cancelled", "percent_done",
         "per_kind": [{"kind", "label", "total", "submitted", "on_time", "missed", ...}]}

    Cancelled inspections count only as cancelled.
    """
    rows = sql.inspection_counts(school, start, end, now=now or timezone.now())
    keys = INSPECTION_KEYS
    per_kind = []
    for kind in InspectionKind:
        row = rows.get(kind.value, {})
        entry = {"kind": kind.value, "label": kind.label, **{k: row.get(k, 0) for k in keys}}
        entry["percent_done"] = percent(entry["submitted"], entry["total"])
        per_kind.append(entry)
    totals = {k: sum(e[k] for e in per_kind) for k in keys}
    return {
        **totals,
        "percent_done": percent(totals["submitted"], totals["total"]),
        "per_kind": per_kind,
    }


# --- Drills ------------------------------------------------------------------------------


def _term_months(school, start, end):
    """The months of the period that overlap a semester of the school (one query); None
    when the school has no semester at all (then every month counts)."""
    semesters = list(Semester.objects.filter(school=school).values_list("start_date", "end_date"))
    if not semesters:
        return None
    found = set()
    for month in months(start, end):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        if any(s <= following - datetime.timedelta(days=1) and e >= month for s, e in semesters):
            found.add(month)
    return found


def drill_months(school, start, end, *, per_month=DRILLS_PER_MONTH) -> dict:
    """Drills month by month and whether each month met the requirement (two queries)::

        {"months": [{"month" (date, the 1st), "label", "drills", "participants",
                     "kinds": [labels], "required" (bool), "met" (bool or None when not
                     required)}],
         "required", "met", "missed" (months), "drills", "participants",
         "fastest_evacuation_seconds", "per_kind": [{"kind", "label", "drills"}],
         "requirement"}

    See ``DRILL_REQUIREMENT``: ``per_month`` drills in every month in term.
    """
    drill_rows = (
        Drill.objects.filter(school=school, held_on__gte=start, held_on__lte=end)
        .order_by()
        .annotate(month=TruncMonth("held_on"))
        .values("month", "kind")
        .annotate(
            n=Count("pk"),
            people=Sum("participants"),
            fastest=Min("evacuation_seconds"),
        )
    )
    labels = dict(DrillKind.choices)
    by_month, per_kind, fastest = {}, {}, None
    for r in drill_rows:
        key = _month_key(r["month"])
        entry = by_month.setdefault(key, {"drills": 0, "participants": 0, "kinds": []})
        entry["drills"] += r["n"]
        entry["participants"] += r["people"] or 0
        entry["kinds"].append(labels.get(r["kind"], r["kind"]))
        per_kind[r["kind"]] = per_kind.get(r["kind"], 0) + r["n"]
        if r["fastest"] is not None and (fastest is None or r["fastest"] < fastest):
            fastest = r["fastest"]
    term = _term_months(school, start, end)
    rows = []
    for month in months(start, end):
        entry = by_month.get(
            (month.year, month.month), {"drills": 0, "participants": 0, "kinds": []}
        )
        required = term is None or month in term
        rows.append(
            {
                "month": month,
                "label": month.strftime("%Y-%m"),
                "drills": entry["drills"],
                "participants": entry["participants"],
                "kinds": sorted(set(map(str, entry["kinds"]))),
                "required": required,
                "met": entry["drills"] >= per_month if required else None,
            }
        )
    required = [r for r in rows if r["required"]]
    return {
        "months": rows,
        "required": len(required),
        "met": sum(1 for r in required if r["met"]),
        "missed": [r["month"] for r in required if not r["met"]],
        "drills": sum(r["drills"] for r in rows),
        "participants": sum(r["participants"] for r in rows),
        "fastest_evacuation_seconds": fastest,
        "per_kind": [
            {"kind": kind.value, "label": kind.label, "drills": per_kind[kind.value]}
            for kind in DrillKind
            if kind.value in per_kind
        ],
        "requirement": DRILL_REQUIREMENT,
    }


# --- Responsibility agreements ---------------------------------------------------------


def _signed(year):
    return SafetyAgreement.objects.filter(signer=OuterRef("pk"), year=year, is_active=True)


def agreement_coverage(school, year=None, *, today=None) -> dict:
    """How many of the school's active people have a valid agreement for ``year`` (the
    academic year, 2026 = 2026~2027; by default the one ``today`` falls in). One query::

        {"year", "staff", "covered", "uncovered", "rate" (Decimal % or None), "definition"}
    """
    if year is None:
        year = academic_year_of(today or timezone.localdate())
    counts = User.objects.filter(school=school, is_active=True).aggregate(
        staff=Count("pk"),
        covered=Count("pk", filter=Exists(_signed(year))),
    )
    return {
        "year": year,
        "year_label": f"{year}~{year + 1}",
        "staff": counts["staff"],
        "covered": counts["covered"],
        "uncovered": counts["staff"] - counts["covered"],
        "rate": percent(counts["covered"], counts["staff"]),
        "definition": AGREEMENT_COVERAGE_DEFINITION,
    }


def agreements_missing(school, year):
    """The school's active people without a valid agreement for ``year`` (to chase)."""
    return (
        User.objects.filter(school=school, is_active=True)
        .exclude(Exists(_signed(year)))
        .select_related("department")
        .order_by("department__name", "name", "username")
    )


# --- The section ---------------------------------------------------------------------------


def safety_stats(school, start, end, *, now=None) -> dict:
    """The "Campus safety" figures of the dashboard and the semester summary for the
    period (local dates, inclusive). Five queries whatever the data::

        {"start", "end",
         "hazards": rectification_rate(...),
         "per_category": rectification_by(..., "category"),
         "per_level": rectification_by(..., "level"),
         "per_month": rectification_by(..., "month"),
         "inspections": inspection_figures(...),
         "drills": drill_months(...),
         "agreements": agreement_coverage(school, academic year of ``start``),
         "charts": {"trend": found vs rectified per month}}
    """
    now = now or timezone.now()
    figures = rectification_figures(
        school, start, end, dims=("category", "level", "month"), now=now
    )
    per_month = figures["month"]
    return {
        "start": start,
        "end": end,
        "hazards": figures["totals"],
        "per_category": figures["category"],
        "per_level": figures["level"],
        "per_month": per_month,
        "inspections": inspection_figures(school, start, end, now=now),
        "drills": drill_months(school, start, end),
        "agreements": agreement_coverage(school, academic_year_of(start)),
        "charts": {"trend": trend_chart(per_month)},
    }


def safety_stats_changes_at(school, start, end, *, now):
    """When the figures of ``safety_stats`` next change with time alone, within the day
    (the overdue hazards are counted by date): the first time an inspection of the
    period still to do falls due after ``now`` (it turns from "open" to "missed"), or
    None. One query."""
    from safety.choices import OPEN_INSPECTION_STATUSES
    from safety.models import Inspection

    return Inspection.objects.filter(
        school=school,
        period_end__gte=start,
        period_end__lte=end,
        status__in=OPEN_INSPECTION_STATUSES,
        due_at__gt=now,
    ).aggregate(first=Min("due_at"))["first"]
