"""Dates anyone can type: far out of range, impossible or not dates at all, in every
address and form. Each is a form error or an ignored filter, never a 500
(``OverflowError`` from a day added to 9999-12-31, or 0001-01-01 00:00 turned to UTC)."""

import datetime
import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import logistics
import safety
from logistics.choices import Role
from logistics.common.dates import plausible_date
from logistics.common.fields import DateField, DateTimeField, ModelMultipleChoiceField
from safety.choices import HazardLevel, SafetyArea
from safety.models import Hazard
from safety.services.common import as_date
from tests import factories

BAD_DATES = ["0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "1899-12-31", "abc", "-1"]
DATE_PARAMS = [
    "start",
    "end",
    "filed_from",
    "filed_to",
    "found_from",
    "found_to",
    "period_from",
    "period_to",
    "deadline_from",
    "deadline_to",
    "month",
    "held_from",
    "held_to",
    "date",
    "day",
]


def project_modules():
    for package in (logistics, safety):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in info.name or info.name.endswith(("bench.runner", "tests")):
                continue
            try:
                yield importlib.import_module(info.name)
            except ImportError:  # pragma: no cover - optional modules
                continue


def project_classes(base):
    seen = set()
    for module in project_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            ours = cls.__module__.startswith(("logistics.", "safety."))
            if issubclass(cls, base) and ours and cls not in seen:
                seen.add(cls)
                yield cls


def test_every_form_and_filter_of_the_project_uses_the_bounded_date_fields():
    plain = []
    forms_seen = filters_seen = 0
    for form in project_classes(forms.BaseForm):
        forms_seen += 1
        for name, field in getattr(form, "base_fields", {}).items():
            bounded = DateTimeField if isinstance(field, forms.DateTimeField) else DateField
            if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(
                field, bounded
            ):
                plain.append(f"{form.__module__}.{form.__name__}.{name}")
            if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(
                field, ModelMultipleChoiceField
            ):
                plain.append(f"{form.__module__}.{form.__name__}.{name}")
    for filterset in project_classes(django_filters.FilterSet):
        filters_seen += 1
        for name, declared in filterset.base_filters.items():
            if issubclass(declared.field_class, forms.DateField) and not issubclass(
                declared.field_class, DateField
            ):
                plain.append(f"{filterset.__module__}.{filterset.__name__}.{name}")
    assert forms_seen > 20 and filters_seen >= 3
    assert plain == []


def test_services_refuse_dates_out_of_range():
    assert as_date("2026-09-01", "deadline") == datetime.date(2026, 9, 1)
    for value in ("9999-12-31", "0001-01-01", datetime.date(9999, 12, 31)):
        with pytest.raises(Exception) as refused:
            as_date(value, "deadline")
        assert refused.type.__name__ == "ValidationError"
        assert "deadline" in refused.value.message_dict
    assert plausible_date(datetime.date(2199, 12, 31)) == datetime.date(2199, 12, 31)


def get_pages():
    """Every GET page of the portal that takes no argument in its path."""
    names = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, prefix)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and not pattern.pattern.regex.groups
                and pattern.name not in names
            ):
                names.append(pattern.name)

    walk(get_resolver().url_patterns)
    skip = {"logout", "set_language", "login"}
    return [n for n in names if n not in skip and not n.startswith(("admin", "bench"))]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.GENERAL_AFFAIRS, Role.SAFETY_OFFICER, Role.PRINCIPAL])
def test_no_page_fails_on_bad_dates_in_its_address(client, school, make_user, role):
    from django.urls import reverse

    factories.SemesterFactory(school=school, is_current=True)
    factories.TicketFactory(school=school)
    client.force_login(make_user(role, school))
    failures = []
    pages = get_pages()
    assert {"ticket_list", "ticket_stats", "safety_rate", "safety_hazard_list"} <= set(pages)
    for name in pages:
        url = reverse(name)
        for value in BAD_DATES:
            query = "&".join(f"{p}={value}" for p in DATE_PARAMS) + "&filters=1"
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append((name, value, response.status_code))
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/repairs/stats/?start=9999-12-31&end=9999-12-31",
        "/repairs/stats/?start=0001-01-01&end=0001-01-02",
        "/safety/rate/?start=9999-12-31&end=9999-12-31",
        "/safety/hazards/?found_from=0001-01-01&found_to=9999-12-31",
        "/repairs/?filed_from=0001-01-01&filed_to=9999-12-31&filters=1",
        "/dashboard/?start=9999-12-31&end=9999-12-31",
    ],
)
def test_the_reported_addresses_say_what_is_wrong(client, school, make_user, url):
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    response = client.get(url)
    assert response.status_code == 200
    assert "1900-01-01" in response.content.decode()  # the range, in the form's error


@pytest.mark.django_db
@pytest.mark.parametrize("found_at", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-13-01T00:00"])
def test_reporting_a_hazard_found_at_an_impossible_time_is_a_form_error(
    client, school, make_user, found_at
):
    import uuid

    client.force_login(make_user(Role.SAFETY_OFFICER, school))
    response = client.post(
        "/safety/hazards/new/",
        {
            "category": SafetyArea.FIRE,
            "level": HazardLevel.GENERAL,
            "description": "灭火器过期",
            "location": "一楼走廊",
            "found_at": found_at,
            "submission_key": str(uuid.uuid4()),
            "photos": [factories.photo_upload()],
        },
    )
    assert response.status_code == 200
    assert "found_at" in response.context["form"].errors
    assert not Hazard.objects.exists()


@pytest.mark.django_db
def test_a_semester_far_in_the_future_is_a_form_error(client, school, make_user):
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    response = client.post(
        "/setup/semesters/new/",
        {
            "academic_year": 2026,
            "term": "first",
            "start_date": "9999-01-01",
            "end_date": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert timezone.localdate()  # the page rendered with the form and its errors
