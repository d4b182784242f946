"""The ``bs`` filter renders selects and simple inputs in Python (a filter bar has several
and Django's widget templates made up half its cost): its markup must be the markup
Django's own templates give for the same bound field."""

import datetime

import pytest
from django import forms
from django.test.html import parse_html

from logistics.models import Building
from logistics.templatetags.houqin import _input, _select, bs
from tests.factories import BuildingFactory, SchoolFactory


class Everything(forms.Form):
    text = forms.CharField(required=False, max_length=20)
    needed = forms.CharField(max_length=5, help_text="x")
    day = forms.DateField(required=False)
    number = forms.IntegerField(required=False, min_value=1)
    email = forms.EmailField(required=False)
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "A & a"), ("b", "<B>")], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("Trades", [("1", "One"), ("2", "Two")]), ("x", "X")],
        required=False,
    )
    numbers = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int)
    building = forms.ModelChoiceField(queryset=Building.objects.all(), required=False)


def _same(fast, field, attrs):
    assert parse_html(str(fast)) == parse_html(str(field.as_widget(attrs=attrs)))


DATA = [
    {},
    {"text": 'a"b<c>', "needed": "", "day": "2026-09-01", "number": "3", "plain": "a"},
    {"plain": "b", "grouped": "2", "numbers": "2", "email": "x@y.cn", "number": "oops"},
    {"plain": "zzz", "grouped": "x", "day": "not a day"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("attrs", [{}, {"class": "form-select"}, {"class": "x is-invalid"}])
def test_fast_widgets_render_as_django_does(data, attrs):
    school = SchoolFactory()
    first = BuildingFactory(school=school, name="教学楼 & 1")
    BuildingFactory(school=school, name="实验楼")
    form = Everything(data or None, initial={"day": datetime.date(2026, 3, 1)})
    if data.get("building") is None and data:
        data["building"] = str(first.pk)
    form.is_valid() if data else None
    for field in form:
        widget = type(field.field.widget)
        if widget is forms.Select:
            _same(_select(field, dict(attrs)), field, dict(attrs))
        elif widget in (forms.TextInput, forms.DateInput, forms.NumberInput, forms.EmailInput):
            _same(_input(field, dict(attrs)), field, dict(attrs))


@pytest.mark.django_db
def test_bs_takes_the_fast_path_for_selects_and_inputs(monkeypatch):
    calls = []
    monkeypatch.setattr(
        forms.BoundField, "as_widget", lambda self, *a, **k: calls.append(self.name) or ""
    )
    form = Everything()
    for name in ("text", "day", "number", "email", "plain", "grouped", "building"):
        bs(form[name])
    assert calls == ["grouped"]  # option groups go through Django's templates


@pytest.mark.django_db
def test_a_model_select_costs_one_query(django_assert_num_queries):
    school = SchoolFactory()
    BuildingFactory(school=school)
    BuildingFactory(school=school)
    form = Everything()
    with django_assert_num_queries(1):  # the rows, without a COUNT first
        bs(form["building"])
