"""Hand-written SQL of campus safety's pages: the rectification rate's figures, the
overdue list and the inspections done.

Why not the ORM here: the rate page is read by the office all the time and measured
against a bare one-query page. Its figures are a few grouped sums over the period's
hazards (GROUPING SETS on PostgreSQL), the overdue list reads the first few hazards of
each open status from the index ``(school, status, deadline)``, and the inspections are
one GROUP BY; the ORM either cannot say these (grouping sets, a union of limited reads)
or took longer to build and compile them than the database to run them. Each statement
is written once per shape from the models' own table and column names (quoted), takes
only parameters, and hands its values through the converters the ORM applies
(``logistics.common.rawsql``). ``tests/safety/test_sql.py`` checks each against an ORM
query written for the purpose, on PostgreSQL and SQLite.

What the figures mean, and their rows, is ``safety.selectors.stats``'s business.
"""

from logistics.common.periods import period_bounds
from logistics.common.rawsql import convert, converters_for
from logistics.models import User
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    HazardLevel,
    HazardStatus,
    InspectionStatus,
)
from safety.models import Hazard, Inspection

# --- The rectification rate ----------------------------------------------------------------
#
# Every figure of the rate is read by ONE statement (``rectification_groups``): the
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


def rectification_groups(school, start, end, *, months, dims, detail, today):
    """The groups of the hazards found from ``start`` to ``end`` (local dates, inclusive;
    withdrawn reports left out) that ``safety.selectors.stats.rectification_figures``
    makes its figures of, in ONE statement: a list of ``(dim, ki, kt, lv, values)``.

    ``dim`` is "total" for a group per status ``kt`` and level ``lv``, else one of
    ``dims`` (see ``safety.selectors.stats.RATE_DIMENSIONS``; "level" has no groups of
    its own) for a group per key: ``ki`` the month's index in the period, the department
    (with its name in ``kt``), the building (its name in ``kt``); ``kt`` the category or
    the kind of inspection (None: none). ``values``: ``found`` (how many), and how many
    of them are ``rectified`` (closed by the end of the period), ``overdue`` (open past
    the deadline on ``today``), ``deferred`` (with an arrangement), with "month" in
    ``dims`` ``rectified_in_month`` (closed by the end of their month), with ``detail``
    also ``major``, ``open`` and ``awaiting_check``. ``months``: the first day of each
    month of the period (``safety.selectors.stats.months``).
    """
    from django.db import connection

    since, until = period_bounds(start, end)
    ops = connection.ops
    params = {
        "school": school.pk,
        "since": ops.adapt_datetimefield_value(since),
        "until": ops.adapt_datetimefield_value(until),
        "today": ops.adapt_datefield_value(today),
        "withdrawn": HazardStatus.WITHDRAWN.value,
        "closed": HazardStatus.CLOSED.value,
        "reported": HazardStatus.REPORTED.value,
        "rectifying": HazardStatus.RECTIFYING.value,
        "awaiting_check": HazardStatus.AWAITING_CHECK.value,
        "major": HazardLevel.MAJOR.value,
    }
    for i, month in enumerate(months[1:], start=1):
        params[f"m{i}"] = ops.adapt_datetimefield_value(period_bounds(month, month)[0])
    sql = _figures_sql(connection, len(months), dims, detail)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    flags = {**_FLAGS, **(_DETAIL_FLAGS if detail else {})}
    if "month" not in dims:
        flags.pop("rm")
    names = list(flags.values())
    groups = []
    for dim, ki, kt, lv, n, *sums in fetched:
        values = dict(zip(names, (int(v or 0) for v in sums), strict=True))
        values["found"] = int(n or 0)
        groups.append((dim, ki, kt, lv, values))
    return groups


# --- The overdue list ------------------------------------------------------------------------

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


def overdue_hazards(school, *, limit, today):
    """The school's hazards still to be rectified (reported or rectifying) after their
    deadline (before ``today``), the longest overdue first: ``(the first `limit` as dicts
    of OVERDUE_FIELDS, how many in all)``.

    One statement, read from the index ``(school, status, deadline)`` in deadline order
    (the first ``limit`` of each open status, then the people and places of those few);
    the total is a count on the same index."""
    from django.db import connection

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
INSPECTION_KEYS = ("total", "submitted", "on_time", "missed", "open", "cancelled")


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
    sums = ", ".join(f"SUM(CASE WHEN {counts[k]} THEN 1 ELSE 0 END)" for k in INSPECTION_KEYS)
    sql = _INSPECTION_SQL[connection.vendor] = (
        f"SELECT {c('kind')}, {sums} FROM {q(Inspection._meta.db_table)} "  # noqa: S608
        f"WHERE {c('school')} = %(school)s AND {c('period_end')} >= %(start)s "
        f"AND {c('period_end')} <= %(end)s GROUP BY {c('kind')}"
    )
    return sql


def inspection_counts(school, start, end, *, now) -> dict:
    """The school's inspections due in the period (their period ends from ``start`` to
    ``end``, inclusive) per kind, in one statement: ``{kind: {"total" (not cancelled),
    "submitted", "on_time" (submitted by the time due), "missed" (to do, due by ``now``),
    "open" (to do, due after ``now``), "cancelled"}}``, the kinds with none left out."""
    from django.db import connection

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
        return {
            kind: dict(zip(INSPECTION_KEYS, (int(v or 0) for v in values), strict=True))
            for kind, *values in cursor.fetchall()
        }


# --- The ledger's rows ----------------------------------------------------------------------
#
# The ledger's page reads its rows as ``ticket_rows`` reads the repairs list's
# (``logistics.repairs.selectors.sql``): the page's hazard ids (filtered and sorted by the
# ORM) and those hazards with their room, building, responsible person and department as
# plain values, by one statement written once from the models' own names. On PostgreSQL
# the page's ids query runs inside that statement (``unnest … WITH ORDINALITY`` keeps its
# order): one round trip; elsewhere the ids are read first.

# (table alias, model field, key in the row: the ORM's ``values()`` name of the column)
_LEDGER_COLUMNS = (
    ("h", "id", "pk"),
    ("h", "found_at", "found_at"),
    ("h", "room_id", "room_id"),
    ("r", "number", "room__number"),
    ("r", "name", "room__name"),
    ("b", "name", "room__building__name"),
    ("h", "location", "location"),
    ("h", "description", "description"),
    ("h", "category", "category"),
    ("h", "level", "level"),
    ("h", "status", "status"),
    ("h", "responsible_person_id", "responsible_person_id"),
    ("p", "name", "responsible_person__name"),
    ("p", "first_name", "responsible_person__first_name"),
    ("p", "last_name", "responsible_person__last_name"),
    ("p", "username", "responsible_person__username"),
    ("d", "name", "department__name"),
    ("h", "deadline", "deadline"),
    ("h", "deferral_count", "deferral_count"),
)
LEDGER_ROW_KEYS = tuple(key for _alias, _column, key in _LEDGER_COLUMNS)
_LEDGER_SQL: dict[tuple[str, str], str] = {}


def _ledger_fields():
    from logistics.models import Building, Department, Room

    models = {"h": Hazard, "r": Room, "b": Building, "p": User, "d": Department}
    return [models[alias]._meta.get_field(column) for alias, column, _key in _LEDGER_COLUMNS]


def _ledger_sql(connection, source):
    """The statement for the hazards of ``source``: ``"ids"`` (ids as parameters,
    ``{placeholders}`` left to fill) or ``"page"`` (PostgreSQL: the page's own ids query
    inside, ``{ids}``, in its order)."""
    key = (connection.vendor, source)
    sql = _LEDGER_SQL.get(key)
    if sql is None:
        from logistics.models import Building, Department, Room

        q = connection.ops.quote_name
        fields = _ledger_fields()
        columns = ", ".join(
            f"{alias}.{q(field.column)}"
            for (alias, _column, _key), field in zip(_LEDGER_COLUMNS, fields, strict=True)
        )
        hazard = Hazard._meta
        joins = (
            f"LEFT JOIN {q(Room._meta.db_table)} r "
            f"ON r.{q('id')} = h.{q(hazard.get_field('room').column)} "
            f"LEFT JOIN {q(Building._meta.db_table)} b "
            f"ON b.{q('id')} = r.{q(Room._meta.get_field('building').column)} "
            f"LEFT JOIN {q(User._meta.db_table)} p "
            f"ON p.{q('id')} = h.{q(hazard.get_field('responsible_person').column)} "
            f"LEFT JOIN {q(Department._meta.db_table)} d "
            f"ON d.{q('id')} = h.{q(hazard.get_field('department').column)} "
        )
        if source == "page":
            sql = (
                f"SELECT {columns} FROM unnest(ARRAY({{ids}})) WITH ORDINALITY AS o(id, n) "  # noqa: S608
                f"JOIN {q(hazard.db_table)} h ON h.{q('id')} = o.id {joins}"
                "ORDER BY o.n"
            )
        else:
            sql = (
                f"SELECT {columns} FROM {q(hazard.db_table)} h {joins}"  # noqa: S608
                f"WHERE h.{q('id')} IN ({{placeholders}})"
            )
        _LEDGER_SQL[key] = sql
    return sql


def ledger_rows(ids):
    """The hazards ``ids`` as dicts of ``LEDGER_ROW_KEYS``, in the order of ``ids`` (ids
    of no hazard left out): one statement, plain values, whatever the number of rows.

    ``ids``: a list, or a query of hazard ids (the ledger's page: ``values_list("pk")``
    sliced), which runs inside the same statement on PostgreSQL."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connection, connections
    from django.db.models import QuerySet

    if isinstance(ids, QuerySet) and connections[ids.db].vendor == "postgresql":
        connection = connections[ids.db]
        try:
            inner, params = ids.query.get_compiler(using=ids.db).as_sql()
        except EmptyResultSet:  # a query that can match nothing (``none()``)
            return []
        statement = _ledger_sql(connection, "page").replace("{ids}", inner)
        ids = None
    else:
        ids = list(ids)
        if not ids:
            return []
        params = ids
        statement = _ledger_sql(connection, "ids").replace(
            "{placeholders}", ", ".join(["%s"] * len(ids))
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        fetched = cursor.fetchall()
    fields = _ledger_fields()
    converters = converters_for(connection, fields)
    rows = [
        dict(zip(LEDGER_ROW_KEYS, convert(values, fields, converters, connection), strict=True))
        for values in fetched
    ]
    if ids is None:
        return rows
    by_id = {row["pk"]: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


# Inspections (pages)
#
# The inspector's list and an inspection in progress read their rows as the ledger reads
# its own: plain values by one statement written once from the models' own names, taking
# only parameters (building the ORM's queries, their joins and model instances of their
# rows took several times longer than the database to run them).
#
# The inspector's list has three parts (to do, coming up, done recently): each part's ids
# are chosen, ordered, numbered and limited in a subquery of its own, the three joined by
# ``UNION ALL``, and their cards read with their checklist, room and building by ONE
# statement, on PostgreSQL and SQLite alike (``ROW_NUMBER()`` keeps each part's order).

# (table alias, model field, key in the row: the ORM's ``values()`` name of the column)
_CARD_COLUMNS = (
    ("i", "id", "pk"),
    ("i", "kind", "kind"),
    ("i", "area", "area"),
    ("i", "status", "status"),
    ("i", "room_id", "room_id"),
    ("r", "number", "room__number"),
    ("r", "name", "room__name"),
    ("b", "name", "room__building__name"),
    ("i", "location", "location"),
    ("t", "name", "template__name"),
    ("i", "period_start", "period_start"),
    ("i", "period_end", "period_end"),
    ("i", "due_at", "due_at"),
)
INSPECTION_CARD_KEYS = tuple(key for _alias, _column, key in _CARD_COLUMNS)
_CARD_SQL: dict[tuple[str, bool], str] = {}


def _card_fields():
    from logistics.models import Building, Room
    from safety.models import ChecklistTemplate

    models = {"i": Inspection, "r": Room, "b": Building, "t": ChecklistTemplate}
    return [models[alias]._meta.get_field(column) for alias, column, _key in _CARD_COLUMNS]


def _inspector_cards_sql(connection, in_school):
    """The statement of ``inspector_cards`` (with the done ones' school or without),
    written once. Its rows: the part (0 to do, 1 coming up, 2 done), the position in it,
    then the card's columns."""
    key = (connection.vendor, in_school)
    sql = _CARD_SQL.get(key)
    if sql is not None:
        return sql
    from logistics.models import Building, Room
    from safety.models import ChecklistTemplate

    q = connection.ops.quote_name
    table = q(Inspection._meta.db_table)

    def c(name):
        return q(Inspection._meta.get_field(name).column)

    columns = ", ".join(
        f"{alias}.{q(field.column)}"
        for (alias, _column, _key), field in zip(_CARD_COLUMNS, _card_fields(), strict=True)
    )
    open_ = f"{c('status')} IN (%(planned)s, %(draft)s)"
    mine = f"{c('inspector')} = %(inspector)s"

    def part(number, where, order, limit):
        return (
            f"SELECT * FROM (SELECT {number} AS part, "  # noqa: S608
            f"ROW_NUMBER() OVER (ORDER BY {order}) AS n, {q('id')} AS id FROM {table} "
            f"WHERE {where} ORDER BY {order} {limit}) p{number}"
        )

    done_where = f"{mine} AND NOT ({open_})"
    if in_school:
        done_where = f"{c('school')} = %(school)s AND {done_where}"
    parts = " UNION ALL ".join(
        [
            part(
                0,
                f"{mine} AND {open_} AND {c('period_start')} <= %(today)s",
                f"{c('due_at')}, {q('id')}",
                "LIMIT %(to_do)s",
            ),
            part(
                1,
                f"{mine} AND {open_} AND {c('period_start')} > %(today)s",
                f"{c('period_start')}, {q('id')}",
                "LIMIT %(upcoming)s",
            ),
            part(
                2,
                done_where,
                f"{c('period_end')} DESC, {q('id')} DESC",
                "LIMIT %(done)s OFFSET %(offset)s",
            ),
        ]
    )
    inspection = Inspection._meta
    sql = _CARD_SQL[key] = (
        f"SELECT o.part, o.n, {columns} FROM ({parts}) o "  # noqa: S608
        f"JOIN {table} i ON i.{q('id')} = o.id "
        f"JOIN {q(ChecklistTemplate._meta.db_table)} t "
        f"ON t.{q('id')} = i.{q(inspection.get_field('template').column)} "
        f"LEFT JOIN {q(Room._meta.db_table)} r "
        f"ON r.{q('id')} = i.{q(inspection.get_field('room').column)} "
        f"LEFT JOIN {q(Building._meta.db_table)} b "
        f"ON b.{q('id')} = r.{q(Room._meta.get_field('building').column)} "
        "ORDER BY o.part, o.n"
    )
    return sql


def inspector_cards(inspector_id, school_id, today, *, to_do, upcoming, done, offset=0):
    """An inspector's list, as three lists of cards (dicts of ``INSPECTION_CARD_KEYS``)
    read by one statement:

    - to do: their open inspections (planned, in progress) whose period has begun
      (``period_start <= today``), the earliest due first, at most ``to_do``;
    - coming up: their open ones whose period has not begun, the earliest first, at most
      ``upcoming``;
    - done: those of their school (``school_id``; any, when None) no longer open, latest
      period first, ``done`` of them from ``offset`` (a page of the list).

    Each list is ordered as the ORM's selectors order it (``safety.selectors``:
    ``inspections_to_do``, ``inspections_upcoming``, ``inspections_done``), ties by id."""
    from django.db import connection

    params = {
        "inspector": inspector_id,
        "school": school_id,
        "today": today,
        "planned": InspectionStatus.PLANNED,
        "draft": InspectionStatus.DRAFT,
        "to_do": to_do,
        "upcoming": upcoming,
        "done": done,
        "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(_inspector_cards_sql(connection, school_id is not None), params)
        fetched = cursor.fetchall()
    fields = _card_fields()
    converters = converters_for(connection, fields)
    lists = ([], [], [])
    for part, _n, *values in fetched:
        lists[part].append(
            dict(
                zip(
                    INSPECTION_CARD_KEYS,
                    convert(values, fields, converters, connection),
                    strict=True,
                )
            )
        )
    return lists


# The answers of an inspection, as the page in progress needs them to find its kept
# items (``safety.views.inspections.InspectionPage``) and count its progress.
_ANSWER_COLUMNS = (
    ("a", "id", "pk"),
    ("a", "item_id", "item_id"),
    ("a", "text", "text"),
    ("a", "area", "area"),
    ("a", "outcome", "outcome"),
    ("a", "note", "note"),
    ("a", "photo", "photo"),
    ("a", "room_id", "room_id"),
    ("a", "location", "location"),
    ("a", "hazard_level", "hazard_level"),
    ("a", "hazard_id", "hazard_id"),
    ("a", "recorded_at", "recorded_at"),
    ("c", "guidance", "item__guidance"),
)
ANSWER_KEYS = tuple(key for _alias, _column, key in _ANSWER_COLUMNS)
_ANSWER_SQL: dict[str, str] = {}


def _answer_fields():
    from safety.models import ChecklistItem, InspectionResult

    models = {"a": InspectionResult, "c": ChecklistItem}
    return [models[alias]._meta.get_field(column) for alias, column, _key in _ANSWER_COLUMNS]


def inspection_answers(inspection_id):
    """The results of the inspection ``inspection_id`` in checklist order (``sort_order``,
    then id), as dicts of ``ANSWER_KEYS`` (with their item's guidance): one statement,
    plain values."""
    from django.db import connection

    from safety.models import ChecklistItem, InspectionResult

    sql = _ANSWER_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        result = InspectionResult._meta
        columns = ", ".join(
            f"{alias}.{q(field.column)}"
            for (alias, _column, _key), field in zip(_ANSWER_COLUMNS, _answer_fields(), strict=True)
        )
        sql = _ANSWER_SQL[connection.vendor] = (
            f"SELECT {columns} FROM {q(result.db_table)} a "  # noqa: S608
            f"JOIN {q(ChecklistItem._meta.db_table)} c "
            f"ON c.{q('id')} = a.{q(result.get_field('item').column)} "
            f"WHERE a.{q(result.get_field('inspection').column)} = %s "
            f"ORDER BY a.{q(result.get_field('sort_order').column)}, a.{q('id')}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [inspection_id])
        fetched = cursor.fetchall()
    fields = _answer_fields()
    converters = converters_for(connection, fields)
    return [
        dict(zip(ANSWER_KEYS, convert(values, fields, converters, connection), strict=True))
        for values in fetched
    ]


# One inspection for its page, with its checklist, inspector, room and building, by one
# statement (the ORM's four joins took several times longer to build than to run), made
# into model instances as the ORM would (``from_db``, through the same converters).
_INSPECTION_PAGE_SQL: dict[str, str] = {}


def _inspection_page_models():
    from django.contrib.auth import get_user_model

    from logistics.models import Building, Room
    from safety.models import ChecklistTemplate

    return (
        ("i", Inspection),
        ("t", ChecklistTemplate),
        ("u", get_user_model()),
        ("r", Room),
        ("b", Building),
    )


def inspection_with_parts(pk, using="default"):
    """The inspection ``pk`` with its ``template``, ``inspector`` and ``room`` (with its
    ``building``) set, or None: ``Inspection.objects.select_related("template",
    "inspector", "room__building").get(pk=pk)`` in one statement. Who may see it is the
    caller's business (``safety.selectors.inspection_opens``)."""
    from django.db import connections

    connection = connections[using]
    models = _inspection_page_models()
    sql = _INSPECTION_PAGE_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        inspection = Inspection._meta
        room = models[3][1]._meta
        columns = ", ".join(
            f"{alias}.{q(f.column)}" for alias, model in models for f in model._meta.concrete_fields
        )

        def table(alias):
            return q(dict(models)[alias]._meta.db_table)

        sql = _INSPECTION_PAGE_SQL[connection.vendor] = (
            f"SELECT {columns} FROM {table('i')} i "  # noqa: S608
            f"JOIN {table('t')} t ON t.{q('id')} = i.{q(inspection.get_field('template').column)} "
            f"JOIN {table('u')} u ON u.{q('id')} = i.{q(inspection.get_field('inspector').column)} "
            f"LEFT JOIN {table('r')} r ON r.{q('id')} = i.{q(inspection.get_field('room').column)} "
            f"LEFT JOIN {table('b')} b ON b.{q('id')} = r.{q(room.get_field('building').column)} "
            f"WHERE i.{q('id')} = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = {}
    start = 0
    for alias, model in models:
        fields = model._meta.concrete_fields
        values = row[start : start + len(fields)]
        start += len(fields)
        if values[0] is None:  # no room (and so no building)
            instances[alias] = None
            continue
        values = convert(values, fields, converters_for(connection, fields), connection)
        instances[alias] = model.from_db(using, [f.attname for f in fields], values)
    inspection = instances["i"]
    cache = inspection._state.fields_cache
    cache["template"], cache["inspector"], cache["room"] = (
        instances["t"],
        instances["u"],
        instances["r"],
    )
    if instances["r"] is not None:
        instances["r"]._state.fields_cache["building"] = instances["b"]
    return inspection


# Hazards (detail) -------------------------------------------------------------------------
#
# A hazard's page reads the hazard with its room and building, department, the people who
# found, rectify, rectified and checked it, its inspection and checklist, the checklist
# item it came from and its plan with the plan's responsible person: twelve relations the
# ORM took ~15 ms to build and compile into one statement the database runs in well under
# one; then its photos, its arrangements and its status log, a statement each. Here all of
# them are ONE statement, written once per vendor from the models' own names: a UNION ALL
# of four selects, each row saying which (``k``) and where it sorts (``o1``, ``o2``), each
# select filling its own columns and NULL the others'. The rows are made into the model
# instances ``select_related`` and ``prefetch_related`` would give (each related row cached
# on its parent, None for a missing one; the photos and arrangements cached as
# ``hazard.photos.all()`` and ``hazard.deferrals.all()``).

# (alias, model, parent alias, relation on the parent): a forward foreign key of the
# parent, or (``plan``) the reverse one-to-one of the hazard.
_HAZARD_JOINS = (
    ("r", "logistics.Room", "h", "room"),
    ("b", "logistics.Building", "r", "building"),
    ("d", "logistics.Department", "h", "department"),
    ("rp", "logistics.User", "h", "responsible_person"),
    ("fb", "logistics.User", "h", "found_by"),
    ("rb", "logistics.User", "h", "rectified_by"),
    ("vb", "logistics.User", "h", "verified_by"),
    ("i", "safety.Inspection", "h", "inspection"),
    ("t", "safety.ChecklistTemplate", "i", "template"),
    ("si", "safety.ChecklistItem", "h", "source_item"),
    ("pl", "safety.RectificationPlan", "h", "plan"),
    ("pp", "logistics.User", "pl", "responsible_person"),
)
_HAZARD_SCHOOL_JOINS = (
    ("s", "logistics.School", "h", "school"),
    ("sd", "logistics.District", "s", "district"),
)
_HAZARD_SQL: dict[tuple, tuple] = {}


def _joined_select(connection, base_alias, base_model, joins):
    """``(columns, from clause, parts)`` of a select of ``base_model`` (as
    ``base_alias``) with the rows ``joins`` name LEFT JOINed: every concrete column of
    each; ``parts``: ``(alias, model, parent alias, relation, fields)`` in the columns'
    order, the base first (its parent and relation None)."""
    from django.apps import apps

    q = connection.ops.quote_name
    models = {base_alias: base_model}
    parts = [(base_alias, base_model, None, None, tuple(base_model._meta.concrete_fields))]
    clause = f"{q(base_model._meta.db_table)} {base_alias}"
    for alias, label, parent, relation in joins:
        model = apps.get_model(label)
        models[alias] = model
        field = models[parent]._meta.get_field(relation)
        if field.concrete:  # a foreign key of the parent
            on = f"{alias}.{q(model._meta.pk.column)} = {parent}.{q(field.column)}"
        else:  # the reverse of a one-to-one to the parent
            on = f"{alias}.{q(field.field.column)} = {parent}.{q(models[parent]._meta.pk.column)}"
        clause += f" LEFT JOIN {q(model._meta.db_table)} {alias} ON {on}"
        parts.append((alias, model, parent, relation, tuple(model._meta.concrete_fields)))
    columns = [
        f"{alias}.{q(field.column)}" for alias, _m, _p, _r, fields in parts for field in fields
    ]
    return columns, clause, parts


def _instances(using, parts, values):
    """The model instances of one row's converted ``values`` of a ``_joined_select``
    (the base's, each related one cached on its parent; None for a row not there)."""
    found, start = {}, 0
    for alias, model, parent, relation, fields in parts:
        own = values[start : start + len(fields)]
        start += len(fields)
        instance = None
        if own[fields.index(model._meta.pk)] is not None:
            instance = model.from_db(using, [f.attname for f in fields], own)
        found[alias] = instance
        holder = found.get(parent)
        if holder is not None:
            holder._state.fields_cache[relation] = instance
            field = type(holder)._meta.get_field(relation)
            if not field.concrete and instance is not None:  # a reverse one-to-one
                instance._state.fields_cache[field.field.name] = holder
    return found[parts[0][0]]


def _hazard_statement(connection, with_school):
    """``(sql, sections)`` of ``hazard_page``; each section ``(parts, columns, start,
    converters)``, ``start`` the index of its first column in a row."""
    key = (connection.vendor, connection.alias, with_school)
    found = _HAZARD_SQL.get(key)
    if found is not None:
        return found
    from logistics.models import StatusChange
    from safety.models import HazardDeferral, HazardPhoto

    q = connection.ops.quote_name

    def column(model, name):
        return q(model._meta.get_field(name).column)

    joins = _HAZARD_JOINS + (_HAZARD_SCHOOL_JOINS if with_school else ())
    # (model, joins, where, the order's two columns)
    selects = (
        (
            Hazard,
            joins,
            f"h.{q(Hazard._meta.pk.column)} = %s AND h.{column(Hazard, 'school')} = %s",
            None,
        ),
        (
            HazardPhoto,
            (),
            f"c.{column(HazardPhoto, 'hazard')} = %s",
            (f"c.{column(HazardPhoto, 'created_at')}", f"c.{q('id')}"),
        ),
        (
            HazardDeferral,
            (("cb", "logistics.User", "c", "created_by"),),
            f"c.{column(HazardDeferral, 'hazard')} = %s",
            (f"c.{column(HazardDeferral, 'created_at')}", f"c.{q('id')}"),
        ),
        (
            StatusChange,
            (("a", "logistics.User", "c", "actor"),),
            f"c.{column(StatusChange, 'content_type')} = %s "
            f"AND c.{column(StatusChange, 'object_id')} = %s",
            (f"c.{column(StatusChange, 'at')}", f"c.{q('id')}"),
        ),
    )
    built = [
        _joined_select(connection, "h" if model is Hazard else "c", model, joins)
        for model, joins, _w, _o in selects
    ]
    # Each select's NULLs typed as the columns they stand for (PostgreSQL matches the
    # types of a UNION's columns a pair of selects at a time).
    every = [
        f"CAST(NULL AS {field.db_type(connection)})"
        for _c, _cl, parts in built
        for *_rest, fields in parts
        for field in fields
    ]
    stamp = Hazard._meta.get_field("found_at").db_type(connection)
    typed_order = (
        f"CAST(NULL AS {stamp})",
        f"CAST(NULL AS {Hazard._meta.pk.rel_db_type(connection)})",
    )
    branches, sections, start = [], [], 3
    for k, ((columns, clause, parts), (_m, _j, where, order)) in enumerate(
        zip(built, selects, strict=True)
    ):
        own = start - 3
        listed = ", ".join(
            [
                str(k),
                *(order or typed_order),
                *every[:own],
                *columns,
                *every[own + len(columns) :],
            ]
        )
        branches.append(f"SELECT {listed} FROM {clause} WHERE {where}")  # noqa: S608
        fields = [field for *_rest, fields in parts for field in fields]
        # The converters are handed each field's column, as the ORM hands them its
        # expressions (SQLite's for decimals reads the expression's ``output_field``).
        cols = [field.cached_col for field in fields]
        sections.append((parts, cols, start, converters_for(connection, fields)))
        start += len(columns)
    sql = " UNION ALL ".join(branches) + " ORDER BY 1, 2, 3"
    found = _HAZARD_SQL[key] = (sql, sections)
    return found


def _prefetched(hazard, name, rows):
    """``rows`` cached as ``hazard.<name>.all()`` (as ``prefetch_related`` caches them),
    each with its hazard."""
    relation = type(hazard)._meta.get_field(name)
    for row in rows:
        row._state.fields_cache[relation.field.name] = hazard
    queryset = getattr(hazard, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(hazard, "_prefetched_objects_cache"):
        hazard._prefetched_objects_cache = {}
    hazard._prefetched_objects_cache[relation.cache_name] = queryset


def hazard_page(pk, school_id, *, with_school=False):
    """The hazard ``pk`` of the school ``school_id`` as ``selectors.hazard_detail``
    reads it (its relations cached, its photos and arrangements prefetched, in their
    order; ``with_school``: its school and district too) and its status log as
    ``logistics.selectors.status_history`` reads it (a list, each change with its actor
    and content type), in one statement; ``(None, [])`` for no such hazard."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    try:
        pk, school_id = int(pk), int(school_id)
    except (TypeError, ValueError):
        return None, []
    sql, sections = _hazard_statement(connection, with_school)
    content_type = ContentType.objects.get_for_model(Hazard)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, school_id, pk, pk, content_type.pk, pk])
        rows = cursor.fetchall()
    if not rows or rows[0][0] != 0:
        return None, []
    found = ([], [], [], [])
    for row in rows:
        parts, columns, start, converters = sections[row[0]]
        values = convert(row[start : start + len(columns)], columns, converters, connection)
        found[row[0]].append(_instances(connection.alias, parts, values))
    (hazard,), photos, deferrals, history = found
    _prefetched(hazard, "photos", photos)
    _prefetched(hazard, "deferrals", deferrals)
    for change in history:
        change._state.fields_cache["content_type"] = content_type
    return hazard, history
