"""Hand-written SQL of the documents: the list of semester summaries.

Why not the ORM here: the summary page reads the school's semesters with each one's
draft (and who saved it last) and its number of documents in one statement; the ORM took
longer to build and compile that statement (a filtered relation, a subquery, eight
annotations) than the database to run it, on a page opened daily. The statement is
written once per process and database vendor from the models' own table and column names
(quoted) and takes only parameters; ``tests/documents/test_sql.py`` checks it against its
ORM equivalent, on PostgreSQL and SQLite.
"""

from django.contrib.auth import get_user_model

from logistics.common.rawsql import convert, converters_for
from logistics.documents.models import Document, SummaryDraft
from logistics.models import Semester

_SQL: dict[tuple[str, bool], tuple] = {}

_DRAFT = ("id", "revision", "updated_at", "updated_by")
_BY = ("name", "first_name", "last_name", "username")


def _summary_semesters_sql(connection, any_school):
    """The statement and the fields of its columns (for the ORM's converters)."""
    found = _SQL.get((connection.vendor, any_school))
    if found is not None:
        return found
    q = connection.ops.quote_name
    semester, draft, document = Semester._meta, SummaryDraft._meta, Document._meta
    user = get_user_model()._meta
    fields = list(semester.concrete_fields)
    fields += [draft.get_field(name) for name in _DRAFT]
    fields += [user.get_field(name) for name in _BY]
    columns = [f"s.{q(f.column)}" for f in semester.concrete_fields]
    columns.append(
        f"COALESCE((SELECT COUNT(*) FROM {q(document.db_table)} d "  # noqa: S608
        f"WHERE d.{q('kind')} = %s AND d.{q('semester_id')} = s.{q('id')}"
        + ("" if any_school else f" AND d.{q('school_id')} = %s")
        + "), 0)"
    )
    columns += [f"dr.{q(draft.get_field(name).column)}" for name in _DRAFT]
    columns += [f"u.{q(user.get_field(name).column)}" for name in _BY]
    sql = (
        f"SELECT {', '.join(columns)} FROM {q(semester.db_table)} s "  # noqa: S608
        f"LEFT JOIN {q(draft.db_table)} dr ON dr.{q('semester_id')} = s.{q('id')} "
        f"AND dr.{q('school_id')} = %s "
        f"LEFT JOIN {q(user.db_table)} u ON u.{q('id')} = dr.{q('updated_by_id')} "
        f"WHERE s.{q('school_id')} = %s "
        f"ORDER BY s.{q('is_current')} DESC, s.{q('start_date')} DESC"
    )
    # (the count's column, between the semester's and the draft's, needs no converter)
    found = (sql, fields, converters_for(connection, fields))
    _SQL[(connection.vendor, any_school)] = found
    return found


def summary_semester_rows(connection, school_id, kind_key, *, any_school=False):
    """``(semester, document count, draft or None, who saved the draft or None)`` for
    each semester of ``school_id``, current first, then the latest: the draft's
    ``(id, revision, updated_at, updated_by_id)`` and the saver's ``(name, first_name,
    last_name, username)``. The documents counted are the school's of the kind
    (``any_school``: every school's, as a superuser reads them)."""
    sql, fields, converters = _summary_semesters_sql(connection, any_school)
    semester_fields = len(Semester._meta.concrete_fields)
    params = [kind_key] + ([] if any_school else [school_id]) + [school_id, school_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        semester_values = row[:semester_fields]
        count = row[semester_fields]
        rest = row[semester_fields + 1 :]
        values = convert((*semester_values, *rest), fields, converters, connection)
        semester = Semester.from_db(
            connection.alias,
            [f.attname for f in Semester._meta.concrete_fields],
            values[:semester_fields],
        )
        draft = values[semester_fields : semester_fields + len(_DRAFT)]
        by = values[semester_fields + len(_DRAFT) :]
        out.append(
            (
                semester,
                int(count or 0),
                tuple(draft) if draft[0] is not None else None,
                tuple(by) if draft[3] is not None else None,
            )
        )
    return out
