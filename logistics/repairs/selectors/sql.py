"""Hand-written SQL of the repairs pages: the ticket list's rows, and the cards of a
requester's tickets and of a technician's queue.

Why not the ORM here: the list is the office's most read page, measured against a bare
one-query page. Its rows join a ticket to its category, room, building, assignee and
requester; the ORM took longer to build and compile that five-join query (and to make
model instances of it) than the database to run it. The statement is written once per
page size from the models' own table and column names (quoted), takes only the ids as
parameters and hands its values through the converters the ORM applies
(``logistics.common.rawsql``). ``tests/repairs/test_sql.py`` checks it against the ORM's
``values()`` of the same columns, on PostgreSQL and SQLite. The cards (my requests, the
technician's queue) read the same way for the same reason: a page of twenty tickets made
a hundred model instances of five joined tables to show a dozen values each.
"""

from logistics.common.rawsql import convert, converters_for
from logistics.models import Building, Room, User
from logistics.repairs.models import RepairCategory, Ticket

# The list's columns: (table alias, model field, key in the row — the ORM's ``values()``
# name of the same column).
_ROW_COLUMNS = (
    ("t", "id", "pk"),
    ("t", "created_at", "created_at"),
    ("t", "status", "status"),
    ("t", "trade", "trade"),
    ("t", "urgency", "urgency"),
    ("t", "started_at", "started_at"),
    ("t", "respond_by", "respond_by"),
    ("t", "complete_by", "complete_by"),
    ("t", "assignee_id", "assignee_id"),
    ("c", "name", "category__name"),
    ("r", "number", "room__number"),
    ("b", "name", "room__building__name"),
    ("a", "name", "assignee__name"),
    ("a", "username", "assignee__username"),
    ("q", "name", "requester__name"),
    ("q", "username", "requester__username"),
)
# The cards' columns (``ticket_cards``): what a ticket's card and a queue's row show.
_CARD_COLUMNS = (
    ("t", "id", "pk"),
    ("t", "created_at", "created_at"),
    ("t", "status", "status"),
    ("t", "trade", "trade"),
    ("t", "urgency", "urgency"),
    ("t", "started_at", "started_at"),
    ("t", "respond_by", "respond_by"),
    ("t", "complete_by", "complete_by"),
    ("t", "description", "description"),
    ("c", "name", "category__name"),
    ("r", "number", "room__number"),
    ("b", "name", "room__building__name"),
)
_COLUMNS = {"row": _ROW_COLUMNS, "card": _CARD_COLUMNS}
_SQL: dict[tuple[str, str, str], str] = {}


def _fields(kind):
    models = {"t": Ticket, "c": RepairCategory, "r": Room, "b": Building, "a": User, "q": User}
    return [models[alias]._meta.get_field(column) for alias, column, _key in _COLUMNS[kind]]


def _row_sql(connection, source, kind="row"):
    """The statement for the tickets of ``source``: ``"ids"`` (a list of ids as
    parameters, ``{placeholders}`` left to fill) or ``"page"`` (PostgreSQL: the ids come
    from the page's own query, ``{ids}``, in its order, in the same statement), reading
    the columns of ``kind`` (``"row"``: the list's, ``"card"``: the cards')."""
    key = (connection.vendor, source, kind)
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        spec = _COLUMNS[kind]
        aliases = {alias for alias, _column, _key in spec}
        columns = ", ".join(
            f"{alias}.{q(field.column)}"
            for (alias, _column, _key), field in zip(spec, _fields(kind), strict=True)
        )
        joins = (
            f"LEFT JOIN {q(RepairCategory._meta.db_table)} c ON c.{q('id')} = t.{q('category_id')} "
            f"JOIN {q(Room._meta.db_table)} r ON r.{q('id')} = t.{q('room_id')} "
            f"JOIN {q(Building._meta.db_table)} b ON b.{q('id')} = r.{q('building_id')} "
        )
        if "a" in aliases:
            joins += f"LEFT JOIN {q(User._meta.db_table)} a ON a.{q('id')} = t.{q('assignee_id')} "
        if "q" in aliases:
            joins += f"JOIN {q(User._meta.db_table)} q ON q.{q('id')} = t.{q('requester_id')} "
        if source == "page":
            sql = (
                f"SELECT {columns} FROM unnest(ARRAY({{ids}})) WITH ORDINALITY AS p(id, n) "  # noqa: S608
                f"JOIN {q(Ticket._meta.db_table)} t ON t.{q('id')} = p.id {joins}"
                "ORDER BY p.n"
            )
        else:
            sql = (
                f"SELECT {columns} FROM {q(Ticket._meta.db_table)} t {joins}"  # noqa: S608
                f"WHERE t.{q('id')} IN ({{placeholders}})"
            )
        _SQL[key] = sql
    return sql


TICKET_ROW_KEYS = tuple(key for _alias, _column, key in _ROW_COLUMNS)
TICKET_CARD_KEYS = tuple(key for _alias, _column, key in _CARD_COLUMNS)


def ticket_rows(ids):
    """The tickets ``ids`` as dicts of ``TICKET_ROW_KEYS``, in the order of ``ids``
    (ids of no ticket left out), with their room, category and people: one statement,
    as plain values (no model instances), whatever the number of tickets.

    ``ids`` is a list, or a query of ticket ids (a list's page: ``values_list("pk")``
    sliced). On PostgreSQL that query runs inside the same statement, which keeps its
    order (``unnest … WITH ORDINALITY``): one round trip for the page, not two."""
    return _read(ids, "row")


def ticket_cards(ids):
    """The tickets ``ids`` as dicts of ``TICKET_CARD_KEYS`` (a card's values), as
    ``ticket_rows`` reads the list's: one statement, in the order of ``ids``."""
    return _read(ids, "card")


def ticket_card_lists(*queries):
    """The cards of several lists of tickets (a technician's queue: theirs, and those to
    take), each as ``ticket_cards`` reads one, in one statement on PostgreSQL: the lists'
    parts joined by ``UNION ALL``, each keeping its own order (``WITH ORDINALITY``), and
    ordered by part and position. Elsewhere (SQLite), one statement per list."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections
    from django.db.models import QuerySet

    db = queries[0].db if queries and isinstance(queries[0], QuerySet) else None
    if db is None or connections[db].vendor != "postgresql":
        return [_read(ids, "card") for ids in queries]
    connection = connections[db]
    parts, params = [], []
    for number, ids in enumerate(queries):
        try:
            inner, inner_params = ids.query.get_compiler(using=db).as_sql()
        except EmptyResultSet:  # a list that can match nothing
            continue
        part = _row_sql(connection, "page", "card").replace("{ids}", inner)
        # Each part: its number and position first, without its own ORDER BY.
        part = part.removesuffix("ORDER BY p.n").replace("SELECT ", f"SELECT {number}, p.n, ", 1)
        parts.append(f"({part})")
        params.extend(inner_params)
    lists = [[] for _ids in queries]
    if not parts:
        return lists
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2", params)
        fetched = cursor.fetchall()
    for number, _n, *values in fetched:
        lists[number].append(values)
    return [_rows(connection, rows, None, "card") for rows in lists]


def _read(ids, kind):
    from django.core.exceptions import EmptyResultSet
    from django.db import connections
    from django.db.models import QuerySet

    if isinstance(ids, QuerySet) and connections[ids.db].vendor == "postgresql":
        connection = connections[ids.db]
        try:
            inner, params = ids.query.get_compiler(using=ids.db).as_sql()
        except EmptyResultSet:  # a query that can match nothing (``none()``)
            return []
        statement = _row_sql(connection, "page", kind).replace("{ids}", inner)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            fetched = cursor.fetchall()
        return _rows(connection, fetched, None, kind)
    from django.db import connection

    ids = list(ids)
    if not ids:
        return []
    statement = _row_sql(connection, "ids", kind).replace(
        "{placeholders}", ", ".join(["%s"] * len(ids))
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, ids)
        fetched = cursor.fetchall()
    return _rows(connection, fetched, ids, kind)


def _rows(connection, fetched, ids, kind):
    """The fetched rows as dicts, in the order of ``ids`` (or as fetched: None)."""
    fields = _fields(kind)
    keys = [key for _alias, _column, key in _COLUMNS[kind]]
    converters = converters_for(connection, fields)
    rows = [
        dict(zip(keys, convert(values, fields, converters, connection), strict=True))
        for values in fetched
    ]
    if ids is None:
        return rows
    by_id = {row["pk"]: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]
