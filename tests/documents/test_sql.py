"""The documents' hand-written SQL (logistics/documents/selectors/sql.py) against the
ORM statement it stands for, on PostgreSQL and SQLite."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from logistics.choices import Role, Term
from logistics.documents.models import Document, DocumentStatus, SummaryDraft
from logistics.documents.selectors import SUMMARY_KIND, summary_semesters
from logistics.documents.selectors.sql import summary_semester_rows
from logistics.models import Semester
from tests import factories


def _orm(school_id, kind, any_school):
    documents = Document.objects.filter(kind=kind, semester=OuterRef("pk"))
    if not any_school:
        documents = documents.filter(school_id=school_id)
    documents = documents.order_by().values("semester").annotate(n=Count("pk")).values("n")
    return list(
        Semester.objects.filter(school_id=school_id)
        .annotate(
            draft=FilteredRelation(
                "summary_drafts", condition=Q(summary_drafts__school_id=school_id)
            ),
            document_count=Coalesce(Subquery(documents, output_field=IntegerField()), Value(0)),
            d_id=F("draft__id"),
            d_revision=F("draft__revision"),
            d_updated_at=F("draft__updated_at"),
            d_by=F("draft__updated_by_id"),
            u_name=F("draft__updated_by__name"),
            u_first=F("draft__updated_by__first_name"),
            u_last=F("draft__updated_by__last_name"),
            u_username=F("draft__updated_by__username"),
        )
        .order_by("-is_current", "-start_date")
    )


def _document(school, term, version):
    return Document.objects.create(
        kind=SUMMARY_KIND,
        school=school,
        semester=term,
        period_start=term.start_date,
        period_end=term.end_date,
        version=version,
        status=DocumentStatus.DONE,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("any_school", [False, True])
def test_summary_semesters_are_the_orm_s(school, other_school, any_school):
    old = factories.SemesterFactory(
        school=school,
        academic_year=2024,
        term=Term.FIRST,
        is_current=False,
        start_date=datetime.date(2024, 9, 1),
        end_date=datetime.date(2025, 1, 20),
    )
    now = factories.SemesterFactory(
        school=school,
        academic_year=2024,
        term=Term.SECOND,
        is_current=True,
        start_date=datetime.date(2025, 2, 17),
        end_date=datetime.date(2025, 7, 10),
    )
    bare = factories.SemesterFactory(
        school=school,
        academic_year=2023,
        term=Term.FIRST,
        is_current=False,
        start_date=datetime.date(2023, 9, 1),
        end_date=datetime.date(2024, 1, 20),
    )
    saver = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school, name="王老师")
    SummaryDraft.objects.create(
        school=school, semester=now, texts={"opening": "一"}, updated_by=saver, revision=3
    )
    SummaryDraft.objects.create(school=school, semester=old, texts={}, updated_by=None)
    for version in (1, 2):
        _document(school, now, version)
    _document(school, old, 1)
    rows = summary_semester_rows(connection, school.pk, SUMMARY_KIND, any_school=any_school)
    orm = _orm(school.pk, SUMMARY_KIND, any_school)
    assert [s.pk for s, *_ in rows] == [s.pk for s in orm] == [now.pk, old.pk, bare.pk]
    for (semester, count, draft, by), expected in zip(rows, orm, strict=True):
        assert [getattr(semester, f.attname) for f in Semester._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in Semester._meta.concrete_fields
        ]
        assert count == expected.document_count
        assert draft == (
            None
            if expected.d_id is None
            else (expected.d_id, expected.d_revision, expected.d_updated_at, expected.d_by)
        )
        assert by == (
            None
            if expected.d_by is None
            else (expected.u_name, expected.u_first, expected.u_last, expected.u_username)
        )
    # Another kind counts nothing; another school's semesters are not listed.
    assert {c for _s, c, *_ in summary_semester_rows(connection, school.pk, "other")} == {0}
    assert summary_semester_rows(connection, other_school.pk, SUMMARY_KIND) == []


@pytest.mark.django_db
def test_summary_semesters_read_in_one_statement(school, django_assert_num_queries):
    term = factories.SemesterFactory(school=school, is_current=True)
    saver = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school, name="李老师")
    SummaryDraft.objects.create(
        school=school, semester=term, texts={}, updated_by=saver, revision=2
    )
    _document(school, term, 1)
    with django_assert_num_queries(1):
        (semester,) = summary_semesters(saver, SUMMARY_KIND)
        assert semester.document_count == 1
        assert semester.draft.revision == 2 and semester.draft.updated_by.display_name == "李老师"
