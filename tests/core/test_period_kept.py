"""The period picker's semesters are kept under the school's figures stamp: a write to a
semester shows at once, and the dashboard reads no semester when they are kept."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.choices import Term
from logistics.services import organisation
from tests import factories


@pytest.mark.django_db
def test_a_semester_saved_or_made_current_shows_at_once(ga_client, school, general_affairs):
    first = factories.SemesterFactory(school=school, is_current=True)
    page = ga_client.get("/dashboard/").content.decode()
    assert f'value="{first.pk}" selected' in page
    school.refresh_from_db()
    made = organisation.semester_save(
        school=school,
        actor=general_affairs,
        academic_year=2026,
        term=Term.SECOND,
        start_date=datetime.date(2027, 2, 20),
        end_date=datetime.date(2027, 7, 10),
    )
    page = ga_client.get("/dashboard/").content.decode()
    assert f'value="{made.pk}"' in page and f'value="{first.pk}" selected' in page
    organisation.semester_make_current(semester=made, actor=general_affairs)
    page = ga_client.get("/dashboard/").content.decode()
    assert f'value="{made.pk}" selected' in page


@pytest.mark.django_db
def test_kept_semesters_cost_no_query(ga_client, school):
    factories.SemesterFactory(school=school, is_current=True)
    ga_client.get("/dashboard/")
    with CaptureQueriesContext(connection) as ctx:
        assert ga_client.get("/dashboard/").status_code == 200
    assert not [q for q in ctx.captured_queries if '"logistics_semester"' in q["sql"]]
