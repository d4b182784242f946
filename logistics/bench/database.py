"""The bench's own PostgreSQL database: never the developer's.

Every bench command first checks that ``DATABASE_URL`` names a PostgreSQL database whose
name contains ``bench`` (``make bench`` points it at ``houqin_bench``). The database is
created when missing and dropped whole by ``bench_data --reset``; what was generated in
it (sizes, generators) is kept as the database's comment, so a later app's generator
joining the registry makes ``bench_data --if-missing`` rebuild it.
"""

import json

import psycopg
from django.core.management.base import CommandError
from django.db import connection, connections
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/houqin_bench"


def settings_dict():
    return connection.settings_dict


def check_bench_database():
    """Refuse anything but a PostgreSQL database named for the bench."""
    settings = settings_dict()
    name = settings.get("NAME") or ""
    if not settings["ENGINE"].endswith("postgresql") or "bench" not in name:
        raise CommandError(
            "The benchmark runs only on its own PostgreSQL database, whose name contains "
            f"'bench' (this one: {settings['ENGINE'].rsplit('.', 1)[-1]} {name!r}). "
            f"Use `make bench`, or DATABASE_URL={DEFAULT_URL}."
        )
    return name


def _maintenance():
    settings = settings_dict()
    try:
        return _connect(settings)
    except psycopg.OperationalError as exc:
        raise CommandError(
            f"PostgreSQL at {settings.get('HOST')}:{settings.get('PORT')} did not answer: {exc}"
        ) from None


def _connect(settings):
    return psycopg.connect(
        dbname="postgres",
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        autocommit=True,
        connect_timeout=5,
    )


def ensure_database(*, reset=False):
    """Create the bench database if missing (drop it first with ``reset``); True if new."""
    name = check_bench_database()
    connections.close_all()
    with _maintenance() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    return False


def read_meta() -> dict:
    """What was generated in this database (empty when nothing was)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        (comment,) = cursor.fetchone()
    try:
        meta = json.loads(comment or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) and meta.get("houqin_bench") else {}


def write_meta(meta: dict):
    text = json.dumps({"houqin_bench": 1, **meta}, sort_keys=True)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}")
            .format(sql.Identifier(settings_dict()["NAME"]), sql.Literal(text))
            .as_string(cursor.cursor.connection)
        )
