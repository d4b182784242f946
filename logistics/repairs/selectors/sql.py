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

import functools

from logistics.common.rawsql import convert, converters_for
from logistics.models import Building, Room, StatusChange, User
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


# --- A ticket's page ------------------------------------------------------------------------
# The ticket's page reads the ticket with its category, room, building and people, its
# photos, the materials used and its status history. Through the ORM that was a seven-table
# query with two subqueries (who may see it) compiled on every request, three more
# queries for the parts and a hundred model fields made into instances; here it is one
# statement on PostgreSQL (the parts as JSON arrays of their columns, decoded by each
# field's ``to_python``: numbers as text, times in ISO form), and one per part elsewhere.

# What the page shows of the ticket's relations: (table alias, model field, key — the
# ORM's ``values()`` name of the same column). The ticket's own columns come first: all of
# them, by their ``attname`` (the page's steps read the ticket as a model).
_PAGE_RELATED = (
    ("c", "name", "category__name"),
    ("r", "number", "room__number"),
    ("r", "name", "room__name"),
    ("r", "building_id", "room__building_id"),
    ("b", "name", "room__building__name"),
    ("a", "name", "assignee__name"),
    ("a", "first_name", "assignee__first_name"),
    ("a", "last_name", "assignee__last_name"),
    ("a", "username", "assignee__username"),
    ("a", "phone", "assignee__phone"),
    ("q", "name", "requester__name"),
    ("q", "first_name", "requester__first_name"),
    ("q", "last_name", "requester__last_name"),
    ("q", "username", "requester__username"),
    ("q", "phone", "requester__phone"),
)
# Who made each change of the history: (alias, field, key), the change's own columns first.
_ACTOR_COLUMNS = (
    ("u", "name", "actor__name"),
    ("u", "first_name", "actor__first_name"),
    ("u", "last_name", "actor__last_name"),
    ("u", "username", "actor__username"),
)
_PAGE_MODELS = {"c": RepairCategory, "r": Room, "b": Building, "a": User, "q": User, "u": User}


def _own_columns(model, alias):
    return tuple((alias, f.attname, f.attname) for f in model._meta.concrete_fields)


@functools.cache
def _page_spec():
    """The page's parts: name → (model, alias, columns, the column that names the
    ticket, ORDER BY fields, joins)."""
    from logistics.repairs.models import TicketMaterial, TicketPhoto

    return {
        "ticket": (Ticket, "t", (*_own_columns(Ticket, "t"), *_PAGE_RELATED), "id", (), ""),
        "photos": (
            TicketPhoto,
            "p",
            _own_columns(TicketPhoto, "p"),
            "ticket_id",
            ("created_at", "id"),
            "",
        ),
        "materials": (
            TicketMaterial,
            "m",
            _own_columns(TicketMaterial, "m"),
            "ticket_id",
            ("added_at", "id"),
            "",
        ),
        "history": (
            StatusChange,
            "s",
            (*_own_columns(StatusChange, "s"), *_ACTOR_COLUMNS),
            "object_id",
            ("at", "id"),
            "u",
        ),
    }


PAGE_PARTS = ("photos", "materials", "history")


@functools.cache
def page_keys(part):
    """The keys of a row of ``part`` ("ticket", "photos", "materials", "history")."""
    return tuple(key for _alias, _column, key in _page_spec()[part][2])


@functools.cache
def _page_fields(part):
    model, alias, spec = _page_spec()[part][:3]
    models = {**_PAGE_MODELS, alias: model}
    return [models[a]._meta.get_field(column) for a, column, _key in spec]


def _page_sql(connection, part):
    """The statement of ``part``: the ticket's (on PostgreSQL with the other parts as JSON
    arrays), or a part's own (elsewhere), each of one ticket (and, for the history, its
    content type) as parameters."""
    key = (connection.vendor, "page", part)
    sql = _SQL.get(key)
    if sql is not None:
        return sql
    q = connection.ops.quote_name
    spec = _page_spec()
    columns = spec[part][2]
    fields = _page_fields(part)

    def column_list(columns, fields, *, as_json=False):
        out = []
        for (a, _column, _key), field in zip(columns, fields, strict=True):
            name = f"{a}.{q(field.column)}"
            if as_json and field.get_internal_type() == "DecimalField":
                name += "::text"  # exact, not a JSON number read as a float
            out.append(name)
        return ", ".join(out)

    def where(part, ticket):
        """The part's rows of the ticket ``ticket`` (a column or a placeholder)."""
        p_model, p_alias, _columns, p_ticket = spec[part][:4]
        clause = f"{p_alias}.{q(p_ticket)} = {ticket}"
        if p_model is StatusChange:
            clause = f"{p_alias}.{q('content_type_id')} = %s AND {clause}"
        return clause

    def source(part):
        p_model, p_alias, _columns, _ticket, _order, p_join = spec[part]
        sql = f"{q(p_model._meta.db_table)} {p_alias}"
        if p_join:
            sql += (
                f" LEFT JOIN {q(User._meta.db_table)} {p_join}"
                f" ON {p_join}.{q('id')} = {p_alias}.{q('actor_id')}"
            )
        return sql

    def ordering(part):
        p_alias, order = spec[part][1], spec[part][4]
        return ", ".join(f"{p_alias}.{q(name)}" for name in order)

    if part == "ticket":
        joins = (
            f"LEFT JOIN {q(RepairCategory._meta.db_table)} c ON c.{q('id')} = t.{q('category_id')} "
            f"JOIN {q(Room._meta.db_table)} r ON r.{q('id')} = t.{q('room_id')} "
            f"JOIN {q(Building._meta.db_table)} b ON b.{q('id')} = r.{q('building_id')} "
            f"LEFT JOIN {q(User._meta.db_table)} a ON a.{q('id')} = t.{q('assignee_id')} "
            f"JOIN {q(User._meta.db_table)} q ON q.{q('id')} = t.{q('requester_id')}"
        )
        select = column_list(columns, fields)
        if connection.vendor == "postgresql":
            for name in PAGE_PARTS:
                inner = column_list(spec[name][2], _page_fields(name), as_json=True)
                select += (
                    f", (SELECT json_agg(json_build_array({inner}) ORDER BY {ordering(name)})"  # noqa: S608
                    f" FROM {source(name)} WHERE {where(name, 't.' + q('id'))})"
                )
        table = q(Ticket._meta.db_table)
        sql = f"SELECT {select} FROM {table} t {joins} WHERE t.{q('id')} = %s"  # noqa: S608
    else:
        sql = (
            f"SELECT {column_list(columns, fields)} FROM {source(part)}"  # noqa: S608
            f" WHERE {where(part, '%s')} ORDER BY {ordering(part)}"
        )
    _SQL[key] = sql
    return sql


def ticket_page(pk):
    """The ticket ``pk`` and its parts as plain values, or None when there is none:
    ``(ticket, {"photos": [...], "materials": [...], "history": [...]})``, each a dict
    (or list of dicts, in the page's order) of ``page_keys(part)``. One statement on
    PostgreSQL, one per part elsewhere; whoever may see it is the caller's question."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    content_type = ContentType.objects.get_for_model(Ticket).pk
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(_page_sql(connection, "ticket"), [content_type, pk] if postgres else [pk])
        found = cursor.fetchone()
        if found is None:
            return None
        size = len(_page_spec()["ticket"][2])
        ticket = _page_rows(connection, "ticket", [found[:size]])[0]
        parts = {}
        for number, name in enumerate(PAGE_PARTS):
            if postgres:
                parts[name] = _json_rows(name, found[size + number] or ())
            else:
                params = [content_type, pk] if name == "history" else [pk]
                cursor.execute(_page_sql(connection, name), params)
                parts[name] = _page_rows(connection, name, cursor.fetchall())
    return ticket, parts


def _page_rows(connection, part, fetched):
    fields = _page_fields(part)
    keys = page_keys(part)
    converters = converters_for(connection, fields)
    # Each converter is handed the column, as the ORM does (SQLite's decimals ask it for
    # its output field).
    columns = [field.cached_col for field in fields]
    return [
        dict(zip(keys, convert(values, columns, converters, connection), strict=True))
        for values in fetched
    ]


def _json_rows(part, arrays):
    """Rows read as JSON arrays: each value through its field's ``to_python`` (a time in
    ISO form, a number given as text, a UUID)."""
    fields = _page_fields(part)
    keys = page_keys(part)
    return [
        {
            key: None if value is None else field.to_python(value)
            for key, field, value in zip(keys, fields, values, strict=True)
        }
        for values in arrays
    ]


# --- A technician's queue -----------------------------------------------------------------
# The queue's two lists of ids, written here once instead of compiled by the ORM on every
# request (``selectors.technician_queue`` and ``tickets_to_take``, whose SQL they are):
# their tickets still open, urgent first then the oldest; the tickets of their trades that
# wait for a technician, as many as ``limit``.


def _queue_ids_sql(connection):
    key = (connection.vendor, "queue", "ids")
    found = _SQL.get(key)
    if found is None:
        from logistics.models import TechnicianTrade

        q = connection.ops.quote_name
        ticket = q(Ticket._meta.db_table)
        order = f"ORDER BY {q('urgency')} DESC, {q('created_at')} ASC"
        mine = (
            f"SELECT {q('id')} FROM {ticket} WHERE {q('assignee_id')} = %s "  # noqa: S608
            f"AND {q('status')} = ANY(%s) {order}"
        )
        take = (
            f"SELECT {q('id')} FROM {ticket} WHERE {q('school_id')} = %s "  # noqa: S608
            f"AND {q('status')} = %s AND {q('assignee_id')} IS NULL "
            f"AND {q('trade')} IN (SELECT {q('trade')} FROM {q(TechnicianTrade._meta.db_table)} "
            f"WHERE {q('user_id')} = %s) {order} LIMIT %s"
        )
        found = _SQL[key] = (mine, take)
    return found


def queue_card_lists(user, open_statuses, waiting_status, limit):
    """A technician's queue on PostgreSQL: the cards of their open tickets and of those
    to take (``ticket_card_lists`` of ``selectors.technician_queue`` and of
    ``tickets_to_take`` sliced to ``limit``), in one statement with no query compiled."""
    from django.db import connection

    mine, take = _queue_ids_sql(connection)
    parts = []
    for number, ids in enumerate((mine, take)):
        part = _row_sql(connection, "page", "card").replace("{ids}", ids)
        part = part.removesuffix("ORDER BY p.n").replace("SELECT ", f"SELECT {number}, p.n, ", 1)
        parts.append(f"({part})")
    params = [
        user.pk,
        [str(s) for s in open_statuses],
        user.school_id,
        str(waiting_status),
        user.pk,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2", params)
        fetched = cursor.fetchall()
    lists = [[], []]
    for number, _n, *values in fetched:
        lists[number].append(values)
    return [_rows(connection, rows, None, "card") for rows in lists]
