"""Filters of the repair lists (django-filter)."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.choices import Role, Trade
from logistics.common.fields import DateFilter
from logistics.common.filters import SearchFilterSet, yes_no_filter
from logistics.models import Building, Room, User
from logistics.repairs.choices import DamageCause, TicketStatus, Urgency
from logistics.repairs.models import DispatchRule, Ticket
from logistics.repairs.selectors.tickets import overdue_q


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TicketStatus.choices, empty_label=_("All")
    )
    trade = django_filters.ChoiceFilter(
        label=_("Trade"), choices=Trade.choices, empty_label=_("All")
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="room__building",
        queryset=Building.objects.none(),
        empty_label=_("All"),
    )
    room = django_filters.ModelChoiceFilter(
        label=_("Room"), queryset=Room.objects.none(), widget=forms.HiddenInput
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Technician"), queryset=User.objects.none(), empty_label=_("All")
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Urgency.choices, empty_label=_("All")
    )
    cause = django_filters.ChoiceFilter(
        label=_("Cause"), choices=DamageCause.choices, empty_label=_("All")
    )
    filed_from = DateFilter(
        label=_("Filed from"),
        field_name="created_at",
        method="filed_from_filter",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    filed_to = DateFilter(
        label=_("Filed until"),
        field_name="created_at",
        method="filed_to_filter",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="overdue_filter",
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Ticket
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        school = user.school_id
        self.filters["building"].queryset = Building.objects.for_school(school)
        self.filters["room"].queryset = Room.objects.for_school(school)
        self.filters["assignee"].queryset = User.objects.filter(
            school_id=school, groups__name=Role.TECHNICIAN
        ).distinct()

    def search(self, queryset, name, value):
        value = value.strip().lstrip("#")
        condition = Q(description__icontains=value) | Q(room__number__icontains=value)
        if value.isdigit():
            condition |= Q(pk=int(value))
        return queryset.filter(condition)

    @staticmethod
    def _start_of(day):
        return timezone.make_aware(datetime.combine(day, time.min))

    def filed_from_filter(self, queryset, name, value):
        return queryset.filter(created_at__gte=self._start_of(value))

    def filed_to_filter(self, queryset, name, value):
        return queryset.filter(created_at__lt=self._start_of(value) + timedelta(days=1))

    def overdue_filter(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class RepairCategoryFilter(SearchFilterSet):
    search_fields = ("name",)
    trade = django_filters.ChoiceFilter(
        label=_("Trade"), choices=Trade.choices, empty_label=_("All")
    )
    is_active = yes_no_filter(_("In use"))


class MaterialFilter(SearchFilterSet):
    search_fields = ("name", "spec")
    trade = django_filters.ChoiceFilter(
        label=_("Trade"), choices=Trade.choices, empty_label=_("All")
    )
    is_active = yes_no_filter(_("In use"))


class DispatchRuleFilter(django_filters.FilterSet):
    trade = django_filters.ChoiceFilter(
        label=_("Trade"), choices=Trade.choices, empty_label=_("All")
    )
    is_active = yes_no_filter(_("In use"))

    class Meta:
        model = DispatchRule
        fields = []
