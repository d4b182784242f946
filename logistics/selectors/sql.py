"""Hand-written SQL of the core: what every signed-in request reads before its page.

Why not the ORM here: these run on every request of every signed-in page, and the ORM
takes longer to build and compile them than the database to run them. Each statement is
written once per process from the models' own table and column names (quoted) and takes
only parameters; ``tests/core/test_sql.py`` checks each against its ORM equivalent, on
PostgreSQL and SQLite.
"""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from logistics.models import Notification, School

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
