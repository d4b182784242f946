"""Filters of the safety lists (django-filter): the hazard ledger (隐患台账)."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.fields import DateFilter
from logistics.common.filters import yes_no_filter
from logistics.models import Building, Department, User
from safety.choices import HazardLevel, HazardStatus, SafetyArea
from safety.models import Hazard
from safety.overdue import hazard_overdue_q

MINE_CHOICES = [
    ("rectify", _("I am responsible for")),
    ("reported", _("I reported")),
    ("check", _("I may check")),
]


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class HazardFilter(django_filters.FilterSet):
    """The ledger's filters. The choices of departments, buildings and people are of the
    user's school only: another school's id is not a valid choice (the form is invalid
    and the filter is ignored)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=HazardStatus.choices, empty_label=_("All")
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=HazardLevel.choices, empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=SafetyArea.choices, empty_label=_("All")
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="room__building",
        queryset=Building.objects.none(),
        empty_label=_("All"),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        empty_label=_("All"),
    )
    responsible_person = django_filters.ModelChoiceFilter(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        empty_label=_("All"),
    )
    found_from = DateFilter(
        label=_("Found from"),
        method="found_from_filter",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    found_to = DateFilter(
        label=_("Found until"),
        method="found_to_filter",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="overdue_filter",
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )
    deferred = yes_no_filter(_("Deferred"))
    mine = django_filters.ChoiceFilter(
        label=_("Mine"),
        choices=MINE_CHOICES,
        empty_label=_("All"),
        method="mine_filter",
    )

    class Meta:
        model = Hazard
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        school = user.school_id
        self.filters["building"].queryset = Building.objects.for_school(school).order_by("name")
        self.filters["department"].queryset = Department.objects.for_school(school).order_by("name")
        # Everyone of the school who is (or was) responsible for a hazard: a short list.
        # Asked as EXISTS, one index probe a person, not a DISTINCT over the school's
        # hazards joined to their people (70 ms with 10,000 hazards).
        self.filters["responsible_person"].queryset = User.objects.filter(
            Exists(Hazard.objects.filter(responsible_person=OuterRef("pk"))),
            school_id=school,
        ).order_by("name", "username")
        self.filters["deferred"].method = "deferred_filter"

    def search(self, queryset, name, value):
        value = value.strip().lstrip("#")
        if not value:
            return queryset
        condition = (
            Q(description__icontains=value)
            | Q(location__icontains=value)
            | Q(room__number__icontains=value)
            | Q(room__building__name__icontains=value)
        )
        if value.isdigit():
            condition |= Q(pk=int(value))
        return queryset.filter(condition)

    def found_from_filter(self, queryset, name, value):
        return queryset.filter(found_at__gte=_start_of(value))

    def found_to_filter(self, queryset, name, value):
        return queryset.filter(found_at__lt=_start_of(value) + timedelta(days=1))

    def overdue_filter(self, queryset, name, value):
        if value is None:
            return queryset
        condition = hazard_overdue_q(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def deferred_filter(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(deferral_count__gt=0) if value else queryset.filter(deferral_count=0)

    def mine_filter(self, queryset, name, value):
        user = self.user
        if value == "rectify":
            return queryset.filter(responsible_person=user)
        if value == "reported":
            return queryset.filter(found_by=user)
        if value == "check":
            if not user.has_perm("safety.verify_hazard"):
                return queryset.none()
            return (
                queryset.filter(status=HazardStatus.AWAITING_CHECK)
                .exclude(rectified_by=user)
                .exclude(responsible_person=user)
            )
        return queryset
