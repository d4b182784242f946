"""The Python-rendered <select> equals Django's own widget rendering."""

import pytest
from django.test.html import parse_html

from logistics.filters import RoomFilter
from logistics.forms import RoomForm
from logistics.models import Room
from logistics.templatetags.houqin import bs
from tests import factories


def django_rendering(bound_field):
    css = "form-select is-invalid" if bound_field.errors else "form-select"
    return bound_field.as_widget(attrs={"class": css})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{}, {"kind": "lab", "building": ""}, {"kind": "<script>", "floor": "x"}]
)
def test_select_matches_django_widget_markup(data, school, general_affairs):
    building = factories.BuildingFactory(school=school, name="求真楼 & <实验>")
    form = RoomForm(data={**data, "building": data.get("building", building.pk)}, school=school)
    form.is_valid()
    for name in ("building", "kind"):
        assert parse_html(str(bs(form[name]))) == parse_html(django_rendering(form[name]))
    filters = RoomFilter(data or None, queryset=Room.objects.none(), user=general_affairs)
    for name in ("building", "kind", "is_active"):
        field = filters.form[name]
        assert parse_html(str(bs(field))) == parse_html(django_rendering(field))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{}, {"q": 'a "quoted" <b>', "filed_from": "2026-09-01"}, {"filed_to": "not a date"}],
)
def test_inputs_match_django_widget_markup(data, general_affairs):
    from logistics.repairs.filters import TicketFilter
    from logistics.repairs.models import Ticket

    filters = TicketFilter(data or None, queryset=Ticket.objects.none(), user=general_affairs)
    filters.form.is_valid()
    for name in ("q", "filed_from", "filed_to"):
        field = filters.form[name]
        css = "form-control is-invalid" if field.errors else "form-control"
        expected = field.as_widget(attrs={"class": css})
        assert parse_html(str(bs(field))) == parse_html(expected), name
