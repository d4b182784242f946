"""``manage.py render_summary``: the first school's current semester by default, a chosen
school and semester, and clear errors for what does not exist."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from tests import factories


@pytest.fixture
def school():
    school = factories.SchoolFactory(code="demo")
    factories.SemesterFactory(
        school=school,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2027, 1, 31),
        is_current=True,
    )
    return school


@pytest.mark.django_db
def test_renders_the_current_semester_of_the_first_school(school, tmp_path, capsys):
    out = tmp_path / "summary.pdf"
    call_command("render_summary", output=str(out))
    assert out.read_bytes()[:5] == b"%PDF-"
    assert school.name in capsys.readouterr().out


@pytest.mark.django_db
def test_a_chosen_school_and_semester(school, tmp_path):
    older = factories.SemesterFactory(
        school=school,
        academic_year=2025,
        term=2,
        start_date=datetime.date(2026, 2, 20),
        end_date=datetime.date(2026, 7, 10),
        is_current=False,
    )
    out = tmp_path / "older.pdf"
    call_command("render_summary", output=str(out), school="demo", semester=older.pk)
    assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"school": "nowhere"}, "No active school"),
        ({"semester": 999999}, "has no semester"),
    ],
)
def test_clear_errors(school, tmp_path, options, message):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("render_summary", output=str(out), **options)
    assert not out.exists()


@pytest.mark.django_db
def test_no_school_or_no_current_semester(tmp_path):
    with pytest.raises(CommandError, match="no school yet"):
        call_command("render_summary", output=str(tmp_path / "x.pdf"))
    bare = factories.SchoolFactory(code="bare")
    with pytest.raises(CommandError, match="no current semester"):
        call_command("render_summary", output=str(tmp_path / "x.pdf"))
    factories.SemesterFactory(school=bare, is_current=True)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("render_summary", output=str(tmp_path / "missing" / "x.pdf"))
