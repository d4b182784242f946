"""Hand-written SQL of the core: what every signed-in request reads before its page.

Why not the ORM here: these run on every request of every signed-in page, and the ORM
takes longer to build and compile them than the database to run them. Each statement is
written once per process from the models' own table and column names (quoted) and takes
only parameters; ``tests/core/test_sql.py`` checks each against its ORM equivalent, on
PostgreSQL and SQLite.
"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import EmptyResultSet
from django.db import connection as default_connection
from django.db import connections
from django.db.models import QuerySet

from logistics.common.rawsql import convert, converters_for
from logistics.models import Building, Department, Notification, Room, School

_USER_SQL: dict[str, str] = {}


def _signed_in_user_sql(connection):
    """One statement for the user, their school, their role names and their unread
    notification count: what every signed-in page needs before its own content. Written
    out once per database vendor (the ORM would rebuild and compile it per request);
    only model names, quoted, go into the text; the id is a parameter."""
    sql = _USER_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        user_model = get_user_model()
        user, school = user_model._meta, School._meta
        groups = user_model.groups.through._meta
        group = groups.get_field("group").related_model._meta
        aggregate = (
            "string_agg({}, ',')"
            if connection.vendor == "postgresql"
            else ("group_concat({}, ',')")
        )
        columns = [f"u.{q(f.column)}" for f in user.concrete_fields]
        columns += [f"s.{q(f.column)}" for f in school.concrete_fields]
        columns.append(
            f"(SELECT {aggregate.format('g.' + q('name'))} FROM {q(groups.db_table)} m "  # noqa: S608
            f"JOIN {q(group.db_table)} g ON g.{q('id')} = m.{q('group_id')} "
            f"WHERE m.{q('user_id')} = u.{q('id')})"
        )
        columns.append(
            f"(SELECT COUNT(*) FROM {q(Notification._meta.db_table)} n "  # noqa: S608
            f"WHERE n.{q('recipient_id')} = u.{q('id')} AND n.{q('read_at')} IS NULL)"
        )
        sql = (
            f"SELECT {', '.join(columns)} FROM {q(user.db_table)} u "  # noqa: S608
            f"LEFT JOIN {q(school.db_table)} s ON s.{q('id')} = u.{q('school_id')} "
            f"WHERE u.{q('id')} = %s"
        )
        _USER_SQL[connection.vendor] = sql
    return sql


def signed_in_user_row(connection, user_id):
    """The row of ``_signed_in_user_sql`` for ``user_id``: the user's columns, their
    school's (NULLs without one), their role names joined by commas, their unread
    notification count; None for no such user."""
    with connection.cursor() as cursor:
        cursor.execute(_signed_in_user_sql(connection), [user_id])
        return cursor.fetchone()


_SESSION_SQL: dict[str, str] = {}


def session_data(connection, session_key, now):
    """The encoded data of the session ``session_key`` unless it expired by ``now``, or
    None: ``Session.objects.get(session_key=…, expire_date__gt=now).session_data``."""
    sql = _SESSION_SQL.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        opts = Session._meta
        sql = _SESSION_SQL[connection.vendor] = (
            f"SELECT {q(opts.get_field('session_data').column)} "  # noqa: S608 - quoted names
            f"FROM {q(opts.db_table)} "
            f"WHERE {q(opts.get_field('session_key').column)} = %s "
            f"AND {q(opts.get_field('expire_date').column)} > %s"
        )
    expire = Session._meta.get_field("expire_date")
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_key, expire.get_db_prep_value(now, connection)])
        row = cursor.fetchone()
    return None if row is None else row[0]


# --- The set-up lists' rows (people, rooms) ------------------------------------------------
#
# Why not the ORM here: a list page is measured against a bare one-query page of fifty
# rows. The ORM built the people's page from three statements (the people with their
# departments, then their roles and their trades, prefetched) and made a model instance
# of each row and of each role to show a handful of values. Each statement below reads
# one page's rows with what they show, as plain values, in one statement: on PostgreSQL
# the page's own query (its ids, in its order) runs inside it (``unnest … WITH
# ORDINALITY``), elsewhere the ids are read first and the rows by ``IN``.
# ``tests/core/test_sql.py`` checks each against the ORM's ``values()``.

# (table alias, model, field, key in the row: the ORM's ``values()`` name of the column)
_PERSON_COLUMNS = (
    ("u", "user", "id", "pk"),
    ("u", "user", "username", "username"),
    ("u", "user", "name", "name"),
    ("u", "user", "phone", "phone"),
    ("u", "user", "is_active", "is_active"),
    ("d", "department", "name", "department__name"),
)
_ROOM_COLUMNS = (
    ("r", "room", "id", "pk"),
    ("b", "building", "name", "building__name"),
    ("r", "room", "floor", "floor"),
    ("r", "room", "number", "number"),
    ("r", "room", "name", "name"),
    ("r", "room", "kind", "kind"),
    ("r", "room", "is_active", "is_active"),
)
_LIST_SQL: dict[tuple[str, str, str], str] = {}


def _list_models():
    return {"user": get_user_model(), "department": Department, "room": Room, "building": Building}


def _list_fields(kind):
    models = _list_models()
    spec = _PERSON_COLUMNS if kind == "people" else _ROOM_COLUMNS
    return [models[model]._meta.get_field(name) for _alias, model, name, _key in spec]


def _list_sql(connection, kind, source):
    """The statement of ``kind`` (``"people"``, ``"rooms"``) for ``source``: ``"page"``
    (PostgreSQL; the page's query in ``{ids}``) or ``"ids"`` (``{placeholders}``)."""
    key = (connection.vendor, kind, source)
    sql = _LIST_SQL.get(key)
    if sql is not None:
        return sql
    q = connection.ops.quote_name
    models = _list_models()
    spec = _PERSON_COLUMNS if kind == "people" else _ROOM_COLUMNS
    columns = [
        f"{alias}.{q(field.column)}"
        for (alias, *_rest), field in zip(spec, _list_fields(kind), strict=True)
    ]
    if kind == "people":
        user = models["user"]._meta
        groups = user.get_field("groups").remote_field.through._meta
        group = user.get_field("groups").related_model._meta
        aggregate = (
            "string_agg({}, ',')" if connection.vendor == "postgresql" else "group_concat({}, ',')"
        )
        columns.append(
            f"(SELECT {aggregate.format('g.' + q(group.get_field('name').column))} "  # noqa: S608
            f"FROM {q(groups.db_table)} m "
            f"JOIN {q(group.db_table)} g "
            f"ON g.{q(group.pk.column)} = m.{q(groups.get_field('group').column)} "
            f"WHERE m.{q(groups.get_field('user').column)} = u.{q(user.pk.column)})"
        )
        table, alias, pk = user.db_table, "u", user.pk.column
        department = models["department"]._meta
        joins = (
            f"LEFT JOIN {q(department.db_table)} d "
            f"ON d.{q(department.pk.column)} = u.{q(user.get_field('department').column)}"
        )
    else:
        room, building = models["room"]._meta, models["building"]._meta
        table, alias, pk = room.db_table, "r", room.pk.column
        joins = (
            f"JOIN {q(building.db_table)} b "
            f"ON b.{q(building.pk.column)} = r.{q(room.get_field('building').column)}"
        )
    if source == "page":
        sql = (
            f"SELECT {', '.join(columns)} "  # noqa: S608 - quoted names only
            "FROM unnest(ARRAY({ids})) WITH ORDINALITY AS p(id, n) "
            f"JOIN {q(table)} {alias} ON {alias}.{q(pk)} = p.id {joins} ORDER BY p.n"
        )
    else:
        sql = (
            f"SELECT {', '.join(columns)} FROM {q(table)} {alias} {joins} "  # noqa: S608
            f"WHERE {alias}.{q(pk)} IN ({{placeholders}})"
        )
    _LIST_SQL[key] = sql
    return sql


def _list_rows(kind, ids):
    if isinstance(ids, QuerySet) and connections[ids.db].vendor == "postgresql":
        connection = connections[ids.db]
        try:
            inner, params = ids.query.get_compiler(using=ids.db).as_sql()
        except EmptyResultSet:  # a query that can match nothing (``none()``)
            return []
        with connection.cursor() as cursor:
            cursor.execute(_list_sql(connection, kind, "page").replace("{ids}", inner), params)
            fetched = cursor.fetchall()
        order = None
    else:
        connection = default_connection
        order = list(ids)
        if not order:
            return []
        statement = _list_sql(connection, kind, "ids").replace(
            "{placeholders}", ", ".join(["%s"] * len(order))
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, order)
            fetched = cursor.fetchall()
    fields = _list_fields(kind)
    keys = [key for *_rest, key in (_PERSON_COLUMNS if kind == "people" else _ROOM_COLUMNS)]
    converters = converters_for(connection, fields)
    rows = []
    for values in fetched:
        row = dict(
            zip(keys, convert(values[: len(fields)], fields, converters, connection), strict=True)
        )
        if kind == "people":
            names = values[len(fields)]
            row["role_names"] = frozenset(names.split(",")) if names else frozenset()
        rows.append(row)
    if order is None:
        return rows
    by_id = {row["pk"]: row for row in rows}
    return [by_id[pk] for pk in order if pk in by_id]


PERSON_ROW_KEYS = (*(key for *_rest, key in _PERSON_COLUMNS), "role_names")
ROOM_ROW_KEYS = tuple(key for *_rest, key in _ROOM_COLUMNS)


def person_rows(ids):
    """The people ``ids`` as dicts of ``PERSON_ROW_KEYS`` (their department's name and
    the names of their roles, a frozenset, with them), in the order of ``ids``: one
    statement, as plain values. ``ids`` is a list, or a query of user ids (a list's page:
    ``values_list("pk")`` sliced), which on PostgreSQL runs inside the same statement."""
    return _list_rows("people", ids)


def room_rows(ids):
    """The rooms ``ids`` as dicts of ``ROOM_ROW_KEYS`` (their building's name with
    them), in the order of ``ids``: one statement, as ``person_rows`` reads people."""
    return _list_rows("rooms", ids)
