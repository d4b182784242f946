"""Markup drawn once for each value of its inputs (logistics.common.markup)."""

import pytest
from django.utils import translation

from logistics.choices import Role
from logistics.common import markup
from tests import factories

CARD = "core/home_school.html"


@pytest.fixture(autouse=True)
def _fresh():
    markup.forget()
    yield
    markup.forget()


def _context(school, **figures):
    return (
        {"school": school, "semester": None, "semester_days_left": None}
        | {
            "buildings": 1,
            "rooms": 2,
            "departments": 3,
            "people": 4,
        }
        | figures
    )


@pytest.mark.django_db
class TestDrawn:
    def test_drawn_again_for_another_value_language_or_permission(self, school):
        office = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        principal = factories.user_with_role(Role.PRINCIPAL, school=school)
        with translation.override("zh-hans"):
            first = markup.drawn(CARD, _context(school), office)
            assert markup.drawn(CARD, _context(school), office) is first
            more = markup.drawn(CARD, _context(school, rooms=77), office)
            assert ">77<" in more and ">77<" not in first
            school.name = "改名后的学校"
            renamed = markup.drawn(CARD, _context(school), office)
            assert "改名后的学校" in renamed and "改名后的学校" not in first
            # What the principal may open is not what the office may.
            assert markup.drawn(CARD, _context(school), principal) != renamed
        with translation.override("en"):
            english = markup.drawn(CARD, _context(school), office)
        assert english != renamed

    def test_the_table_is_bounded(self, school, monkeypatch):
        monkeypatch.setattr(markup, "LIMIT", 3)
        office = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        for rooms in range(10):
            markup.drawn(CARD, _context(school, rooms=rooms), office)
        assert len(markup._drawn) == 3

    def test_a_context_that_is_not_a_value_is_drawn_each_time(self, school):
        office = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        context = _context(school) | {"later": lambda: 1}
        assert "data-testid" in markup.drawn(CARD, context, office)
        assert len(markup._drawn) == 0
