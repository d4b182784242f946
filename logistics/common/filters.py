"""What every list's filters share: a free-text search over named fields, and a
yes/no choice that leaves "all" the default."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def yes_no_filter(label):
    """A filter on a boolean field whose empty choice reads "All", not "Unknown"."""
    return django_filters.BooleanFilter(
        label=label,
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )


class SearchFilterSet(django_filters.FilterSet):
    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("Search"), method="search")

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)
