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
from logistics.common.rawsql import convert, converters_for
from logistics.documents.charts import column_chart, line_chart
from logistics.models import Semester, User
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    DrillKind,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    SafetyArea,
)
from safety.models import Drill, Hazard, Inspection, SafetyAgreement

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
# Every figure of the rate is read by ONE statement (``rectification_figures``): the
# period's hazards are read once through the index on ``(school, found_at)``, with a few
# 0/1 flags each (rectified by the end of the period, in its own month, overdue now,
# deferred), counted and summed per status and level (the totals and the per-level rows
# follow from these few groups) and per key of each breakdown — GROUPING SETS in one pass
# on PostgreSQL, a GROUP BY per set over a common table elsewhere — then named by a look-up
# per group. It returns a few dozen rows whatever the number of hazards, is written once
# per shape from the models' own table and column names, and runs on PostgreSQL and SQLite
# alike (no date functions: a month is found by comparing with its first moment, in local
# time, passed as a parameter). No Python loop over hazards.

_FIGURES_SQL: dict[tuple, str] = {}

# The flags of each hazard and the key of their sums; the breakdowns' rows ``with_detail``
# also count the major, open and awaiting ones (what the per-status groups give the
# totals and the levels).
_FLAGS = {"r": "rectified", "rm": "rectified_in_month", "od": "overdue", "df": "deferred"}
_DETAIL_FLAGS = {"mj": "major", "op": "open", "aw": "awaiting_check"}

# The breakdowns' grouping columns in the table of flags (``h``); "level" needs none (it
# is read from the status × level groups).
_GROUP_COLUMNS = {
    "month": "m",
    "category": "cat",
    "department": "dep",
    "building": "room",
    "source": "insp",
}
_TEXT_KEYS = ("category",)


def _month_case(column, count):
    """SQL: the index (0…count-1) of the period's month ``column`` falls in."""
    whens = " ".join(f"WHEN {column} < %(m{i})s THEN {i - 1}" for i in range(1, count))
    return f"CASE {whens} ELSE {count - 1} END" if whens else "0"


def _month_end_case(column, count):
    """SQL: the first moment after the period's month ``column`` falls in (the end of the
    period for its last month)."""
    whens = " ".join(f"WHEN {column} < %(m{i})s THEN %(m{i})s" for i in range(1, count))
    return f"CASE {whens} ELSE %(until)s END" if whens else "%(until)s"


def _figures_sql(connection, months_count, dims, detail):
    """The statement of ``rectification_figures`` for a period of ``months_count`` months,
    the breakdowns ``dims`` (with or without their rows' ``detail``), written once per
    shape. Only quoted names of our models and constants are put into it; every value is
    a parameter. Its rows: ``(dim, ki, kt, lv, n, <flags>)`` — ``dim`` "total" per status
    ``kt`` and level ``lv``, else per key ``ki`` (ids, month index) or ``kt`` (category).
    """
    shape = (connection.vendor, months_count, dims, detail)
    if shape in _FIGURES_SQL:
        return _FIGURES_SQL[shape]
    from logistics.models import Building, Department, Room

    q = connection.ops.quote_name

    def col(model, name, alias="t"):
        return f"{alias}.{q(model._meta.get_field(name).column)}"

    def c(name):
        return col(Hazard, name)

    def lookup(model, name, pk):
        """One value of the row ``pk`` of ``model`` (an index read)."""
        table = q(model._meta.db_table)
        return f"(SELECT {col(model, name, 'x')} FROM {table} x WHERE x.{q('id')} = {pk})"  # noqa: S608

    rectified = f"{c('status')} = %(closed)s AND {c('closed_at')} < %(until)s"
    is_open = f"{c('status')} IN (%(reported)s, %(rectifying)s)"
    conditions = {
        "r": rectified,
        # … and before the end of the month it was found in (it was closed after found)
        "rm": f"{rectified} AND {c('closed_at')} < {_month_end_case(c('found_at'), months_count)}",
        "od": f"{is_open} AND {c('deadline')} < %(today)s",
        "df": f"{c('deferral_count')} > 0",
    }
    if "month" not in dims:
        del conditions["rm"]
    if detail:
        conditions.update(
            mj=f"{c('level')} = %(major)s",
            op=is_open,
            aw=f"{c('status')} = %(awaiting_check)s",
        )
    flags = list(conditions)
    flag_columns = ", ".join(f"CAST(({v}) AS INTEGER) AS {f}" for f, v in conditions.items())
    sums = ", ".join(f"SUM({f}) AS {f}" for f in flags)
    listed = ", ".join(flags)
    keyed = [d for d in dims if d in _GROUP_COLUMNS]
    columns = [_GROUP_COLUMNS[d] for d in keyed]
    h = (
        f"SELECT {c('status')} AS st, {c('level')} AS lvl, "  # noqa: S608
        + "".join(
            f"{expr} AS {name}, "
            for name, expr in (
                ("m", _month_case(c("found_at"), months_count)),
                ("cat", c("category")),
                ("dep", c("department")),
                ("room", c("room")),
                ("insp", c("inspection")),
            )
            if name in columns
        )
        + f"{flag_columns} FROM {q(Hazard._meta.db_table)} t "
        f"WHERE {c('school')} = %(school)s AND {c('found_at')} >= %(since)s "
        f"AND {c('found_at')} < %(until)s AND {c('status')} <> %(withdrawn)s"
    )

    def key(dim, text):
        column = _GROUP_COLUMNS[dim]
        return column if (dim in _TEXT_KEYS) == text else "NULL"

    ctes = []  # (SQLite reads the period's hazards once into ``h``)
    if connection.vendor == "postgresql" and keyed:
        # One pass. GROUPING(...) has a bit per column, set when a row is not by it.
        grouped = ["st", "lvl", *columns]
        everything = (1 << len(grouped)) - 1
        names = [f"WHEN {everything ^ (0b11 << len(columns))} THEN 'total'"] + [
            f"WHEN {everything ^ (1 << (len(columns) - 1 - i))} THEN '{dim}'"
            for i, dim in enumerate(keyed)
        ]
        ints = [_GROUP_COLUMNS[d] for d in keyed if d not in _TEXT_KEYS]
        texts = ["st", *(_GROUP_COLUMNS[d] for d in keyed if d in _TEXT_KEYS)]
        g = (
            f"SELECT CASE GROUPING({', '.join(grouped)}) {' '.join(names)} END AS dim, "  # noqa: S608
            f"{f'COALESCE({chr(44).join(ints)})' if ints else 'CAST(NULL AS BIGINT)'} AS ki, "
            f"COALESCE({', '.join(texts)}) AS kt, lvl AS lv, COUNT(*) AS n, {sums} "
            f"FROM ({h}) h GROUP BY GROUPING SETS ((st, lvl), "
            f"{', '.join(f'({column})' for column in columns)})"
        )
    else:
        source = "h"
        if keyed:
            ctes.append(f"h AS ({h})")
        else:
            source = f"({h}) h"
        g = " UNION ALL ".join(
            [
                "SELECT 'total' AS dim, CAST(NULL AS BIGINT) AS ki, st AS kt, lvl AS lv, "  # noqa: S608
                f"COUNT(*) AS n, {sums} FROM {source} GROUP BY st, lvl"
            ]
            + [
                f"SELECT '{dim}', {key(dim, False)}, {key(dim, True)}, NULL, COUNT(*), {sums} "  # noqa: S608
                f"FROM h GROUP BY {_GROUP_COLUMNS[dim]}"
                for dim in keyed
            ]
        )
    # The department's name is looked up on its rows only; rooms and inspections are
    # regrouped (by building, by kind) in a second, small step over ``g``.
    kt = "kt"
    if "department" in dims:
        kt = f"CASE WHEN dim = 'department' THEN {lookup(Department, 'name', 'g.ki')} ELSE kt END"
    regrouped = [d for d in ("building", "source") if d in dims]
    if not regrouped:
        body = f"SELECT dim, ki, {kt} AS kt, lv, n, {listed} FROM ({g}) g"  # noqa: S608
        sql = _FIGURES_SQL[shape] = f"WITH {', '.join(ctes)} {body}" if ctes else body
        return sql
    resums = ", ".join(f"SUM({f})" for f in flags)
    parts = [
        f"SELECT dim, ki, {kt} AS kt, lv, n, {listed} FROM g "  # noqa: S608
        f"WHERE dim NOT IN ({', '.join(f"'{d}'" for d in regrouped)})"
    ]
    if "building" in dims:
        parts.append(
            f"SELECT 'building', b.k, {lookup(Building, 'name', 'b.k')}, NULL, SUM(n), {resums} "  # noqa: S608
            f"FROM (SELECT {lookup(Room, 'building', 'g.ki')} AS k, n, {listed} "
            "FROM g WHERE dim = 'building') b GROUP BY b.k"
        )
    if "source" in dims:
        parts.append(
            f"SELECT 'source', NULL, s.k, NULL, SUM(n), {resums} "  # noqa: S608
            f"FROM (SELECT {lookup(Inspection, 'kind', 'g.ki')} AS k, n, {listed} "
            "FROM g WHERE dim = 'source') s GROUP BY s.k"
        )
    ctes.append(f"g AS ({g})")
    sql = _FIGURES_SQL[shape] = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts)
    return sql


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
    from django.db import connection

    dims = tuple(dict.fromkeys(dims))
    unknown = [d for d in dims if d not in RATE_DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}")
    now = now or timezone.now()
    since, until = period_bounds(start, end)
    month_starts = list(months(start, end))
    ops = connection.ops
    params = {
        "school": school.pk,
        "since": ops.adapt_datetimefield_value(since),
        "until": ops.adapt_datetimefield_value(until),
        "today": ops.adapt_datefield_value(timezone.localdate(now)),
        "withdrawn": HazardStatus.WITHDRAWN.value,
        "closed": HazardStatus.CLOSED.value,
        "reported": HazardStatus.REPORTED.value,
        "rectifying": HazardStatus.RECTIFYING.value,
        "awaiting_check": HazardStatus.AWAITING_CHECK.value,
        "major": HazardLevel.MAJOR.value,
    }
    for i, month in enumerate(month_starts[1:], start=1):
        params[f"m{i}"] = ops.adapt_datetimefield_value(period_bounds(month, month)[0])
    sql = _figures_sql(connection, len(month_starts), dims, detail)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    flags = {**_FLAGS, **(_DETAIL_FLAGS if detail else {})}
    if "month" not in dims:
        flags.pop("rm")
    names = list(flags.values())
    groups = {dim: [] for dim in ("total", *dims)}
    for dim, ki, kt, lv, n, *sums in fetched:
        values = dict(zip(names, (int(v or 0) for v in sums), strict=True))
        values["found"] = int(n or 0)
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
OVERDUE_FIELDS = (
    "pk",
    "category",
    "level",
    "status",
    "description",
    "found_at",
    "deadline",
    "location",
    "room__number",
    "room__building__name",
    "department__name",
    "responsible_person__name",
    "responsible_person__username",
)


_OVERDUE_SQL: dict[tuple, str] = {}


def _overdue_sql(connection, limit):
    key = (connection.vendor, limit)
    if key in _OVERDUE_SQL:
        return _OVERDUE_SQL[key]
    from logistics.models import Building, Department, Room

    q = connection.ops.quote_name

    def col(model, name, alias):
        return f"{alias}.{q(model._meta.get_field(name).column)}"

    hazards = q(Hazard._meta.db_table)
    pk, deadline = q("id"), q("deadline")

    def where(alias, status):
        return (
            f"{col(Hazard, 'school', alias)} = %(school)s AND {col(Hazard, 'status', alias)} "
            f"{status} AND {col(Hazard, 'deadline', alias)} < %(today)s"
        )

    # The first ``limit`` of each open status in deadline order, read in that order from
    # the index (school, status, deadline) whatever the plan of a query over both.
    statuses = [f"%(open{i})s" for i in range(len(OPEN_HAZARD_STATUSES))]
    firsts = " UNION ALL ".join(
        f"SELECT * FROM (SELECT o.{pk}, o.{deadline} FROM {hazards} o "  # noqa: S608
        f"WHERE {where('o', f'= {status}')} "
        f"ORDER BY o.{deadline}, o.{pk} LIMIT {int(limit)}) s{i}"
        for i, status in enumerate(statuses)
    )
    columns = {
        "pk": col(Hazard, "id", "t"),
        "category": col(Hazard, "category", "t"),
        "level": col(Hazard, "level", "t"),
        "status": col(Hazard, "status", "t"),
        "description": col(Hazard, "description", "t"),
        "found_at": col(Hazard, "found_at", "t"),
        "deadline": col(Hazard, "deadline", "t"),
        "location": col(Hazard, "location", "t"),
        "room__number": col(Room, "number", "r"),
        "room__building__name": col(Building, "name", "b"),
        "department__name": col(Department, "name", "d"),
        "responsible_person__name": col(User, "name", "u"),
        "responsible_person__username": col(User, "username", "u"),
    }
    sql = _OVERDUE_SQL[key] = (
        f"SELECT {', '.join(columns[key] for key in OVERDUE_FIELDS)}, "  # noqa: S608
        f"(SELECT COUNT(*) FROM {hazards} c "
        f"WHERE {where('c', f'IN ({", ".join(statuses)})')}) AS total "
        f"FROM (SELECT * FROM ({firsts}) u ORDER BY {deadline}, {pk} LIMIT {int(limit)}) k "
        f"JOIN {hazards} t ON t.{pk} = k.{pk} "
        f"LEFT JOIN {q(Room._meta.db_table)} r ON r.{pk} = {col(Hazard, 'room', 't')} "
        f"LEFT JOIN {q(Building._meta.db_table)} b ON b.{pk} = {col(Room, 'building', 'r')} "
        f"LEFT JOIN {q(Department._meta.db_table)} d ON d.{pk} = {col(Hazard, 'department', 't')} "
        f"LEFT JOIN {q(User._meta.db_table)} u "
        f"ON u.{pk} = {col(Hazard, 'responsible_person', 't')} "
        f"ORDER BY t.{deadline}, t.{pk} LIMIT {int(limit)}"
    )
    return sql


_OVERDUE_CONVERTERS: dict[str, tuple] = {}


def _overdue_converters(connection):
    """The model fields of the overdue list's columns and the ORM's converters of each."""
    if connection.vendor not in _OVERDUE_CONVERTERS:
        from logistics.models import Building, Department, Room

        fields = [
            Hazard._meta.get_field("id"),
            *(Hazard._meta.get_field(n) for n in OVERDUE_FIELDS[1:8]),
            Room._meta.get_field("number"),
            Building._meta.get_field("name"),
            Department._meta.get_field("name"),
            User._meta.get_field("name"),
            User._meta.get_field("username"),
        ]
        _OVERDUE_CONVERTERS[connection.vendor] = (fields, converters_for(connection, fields))
    return _OVERDUE_CONVERTERS[connection.vendor]


RATE_PAGE_CACHE_SECONDS = 600


def rate_page_figures(school, start, end, *, dims, overdue_limit, now=None):
    """What the rate page shows: ``(rectification_figures(…, detail=False), the first
    overdue hazards, how many are overdue)``, kept in the cache under the school's
    ``figures_version`` (raised by every write to a hazard, room, building or
    department), the day and the language, for at most ``RATE_PAGE_CACHE_SECONDS``
    (a stale label or day ends then). A miss reads the two statements."""
    from django.core.cache import cache
    from django.utils.translation import get_language

    now = now or timezone.now()
    today = timezone.localdate(now)
    key = (
        f"safety:rate:{school.pk}:{school.figures_version}:{start}:{end}:{today}:"
        f"{','.join(dims)}:{overdue_limit}:{get_language()}"
    )
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
    overdue first: ``(the first `limit` as dicts of OVERDUE_FIELDS, how many in all)``.

    One statement, read from the index ``(school, status, deadline)`` in deadline order
    (the first ``limit`` of each open status, then the people and places of those few);
    the total is a count on the same index."""
    from django.db import connection

    today = today or timezone.localdate()
    ops = connection.ops
    params = {"school": school.pk, "today": ops.adapt_datefield_value(today)}
    params.update((f"open{i}", str(status)) for i, status in enumerate(OPEN_HAZARD_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(_overdue_sql(connection, limit), params)
        fetched = cursor.fetchall()
    fields, converters = _overdue_converters(connection)
    rows = [
        dict(zip(OVERDUE_FIELDS, convert(values[:-1], fields, converters, connection), strict=True))
        for values in fetched
    ]
    return rows, (int(fetched[0][-1]) if fetched else 0)


# --- Inspections -------------------------------------------------------------------------


_INSPECTION_SQL: dict[str, str] = {}
_INSPECTION_KEYS = ("total", "submitted", "on_time", "missed", "open", "cancelled")


def _inspection_sql(connection):
    """Inspections per kind and what became of them: one GROUP BY on the index
    ``(school, period_end)``, written once (the ORM took longer to build it than the
    database to run it)."""
    if connection.vendor in _INSPECTION_SQL:
        return _INSPECTION_SQL[connection.vendor]
    q = connection.ops.quote_name

    def c(name):
        return q(Inspection._meta.get_field(name).column)

    status, due = c("status"), c("due_at")
    to_do = f"{status} IN (%(planned)s, %(draft)s)"
    counts = {
        "total": f"{status} <> %(cancelled)s",
        "submitted": f"{status} = %(submitted)s",
        "on_time": f"{status} = %(submitted)s AND {c('submitted_at')} <= {due}",
        "missed": f"{to_do} AND {due} <= %(now)s",
        "open": f"{to_do} AND {due} > %(now)s",
        "cancelled": f"{status} = %(cancelled)s",
    }
    sums = ", ".join(f"SUM(CASE WHEN {counts[k]} THEN 1 ELSE 0 END)" for k in _INSPECTION_KEYS)
    sql = _INSPECTION_SQL[connection.vendor] = (
        f"SELECT {c('kind')}, {sums} FROM {q(Inspection._meta.db_table)} "  # noqa: S608
        f"WHERE {c('school')} = %(school)s AND {c('period_end')} >= %(start)s "
        f"AND {c('period_end')} <= %(end)s GROUP BY {c('kind')}"
    )
    return sql


def inspection_figures(school, start, end, *, now=None) -> dict:
    """Inspections due in the period (their period ends in it), per kind (one query)::

        {"total", "submitted", "on_time", "missed" (not done and past due at ``now``),
         "open" (still to do, not yet due), "cancelled", "percent_done",
         "per_kind": [{"kind", "label", "total", "submitted", "on_time", "missed", ...}]}

    Cancelled inspections count only as cancelled.
    """
    from django.db import connection

    now = now or timezone.now()
    ops = connection.ops
    params = {
        "school": school.pk,
        "start": ops.adapt_datefield_value(start),
        "end": ops.adapt_datefield_value(end),
        "now": ops.adapt_datetimefield_value(now),
        **{status.value: status.value for status in InspectionStatus},
    }
    with connection.cursor() as cursor:
        cursor.execute(_inspection_sql(connection), params)
        rows = {
            kind: dict(zip(_INSPECTION_KEYS, (int(v or 0) for v in values), strict=True))
            for kind, *values in cursor.fetchall()
        }
    keys = _INSPECTION_KEYS
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
