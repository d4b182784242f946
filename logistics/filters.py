"""Filters of the set-up lists (django-filter); ``q`` searches the obvious text fields."""

import django_filters
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.choices import Role, RoomKind
from logistics.common.filters import SearchFilterSet, yes_no_filter
from logistics.models import Building, Department


class CampusFilter(SearchFilterSet):
    search_fields = ("name", "address")


class BuildingFilter(SearchFilterSet):
    search_fields = ("name", "code")
    is_active = yes_no_filter(_("In use"))


class DepartmentFilter(SearchFilterSet):
    search_fields = ("name",)


class SemesterFilter(SearchFilterSet):
    search_fields = ("academic_year",)


class RoomFilter(SearchFilterSet):
    search_fields = ("number", "name", "building__name")
    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.none(), label=_("Building"), empty_label=_("All")
    )
    floor = django_filters.NumberFilter(label=_("Floor"))
    kind = django_filters.ChoiceFilter(
        choices=RoomKind.choices, label=_("Kind"), empty_label=_("All")
    )
    is_active = yes_no_filter(_("In use"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["building"].queryset = Building.objects.for_user(user)


class PersonFilter(SearchFilterSet):
    search_fields = ("username", "name", "phone", "email")
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.none(), label=_("Department"), empty_label=_("All")
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, label=_("Role"), method="filter_role", empty_label=_("All")
    )
    is_active = yes_no_filter(pgettext_lazy("person", "Active"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.for_user(user)

    def filter_role(self, queryset, name, value):
        # A role's group is one (its name is unique) and a person holds it at most
        # once: no row comes twice, so no DISTINCT (the page reads its ids alone).
        return queryset.filter(groups__in=Group.objects.filter(name=value))
