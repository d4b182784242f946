"""A list's rows as its address asks for them: filtered and sorted.

A list page and its export read their rows through the same selector (``<app>/selectors``),
which builds on ``listing`` here, so the export has the very rows of the page, in the
same order, and neither view re-derives them.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass
class Listing:
    """The rows of a list (filtered and sorted, not yet paginated), the filter set that
    filtered them (None when the list was not filtered: its form feeds the page's filter
    panel and chips), the sort in force (``?sort=``; "" for the default), and, where the
    selector knows it more cheaply than by counting the rows, their number (or a
    callable giving it: ``logistics.common.pagination.CountedPaginator``)."""

    rows: QuerySet
    filterset: Any = None
    sort: str = ""
    count: Any = None


def sort_fields_of(columns):
    """``{sort key: field}`` of a list's sortable columns (``Column.sort``)."""
    return {column.key: column.sort for column in columns if column.sort}


def sorted_by(queryset, key, fields, default_sort=()):
    """``(queryset, key in force)``: sorted by the field ``key`` names in ``fields``
    (``-key``: descending; ties by primary key), else by ``default_sort`` (key "")."""
    name = key.lstrip("-")
    if name in fields:
        field = fields[name]
        return queryset.order_by(f"-{field}" if key.startswith("-") else field, "pk"), key
    if default_sort:
        return queryset.order_by(*default_sort), ""
    return queryset, ""


def listing(
    queryset,
    params,
    *,
    filterset_class=None,
    filterset_kwargs=None,
    sort_fields=None,
    default_sort=(),
):
    """``queryset`` filtered by ``filterset_class`` (bound to ``params``, or unbound when
    there are none) and sorted by ``params["sort"]``, as a ``Listing``."""
    filterset = None
    if filterset_class is not None:
        filterset = filterset_class(params or None, queryset=queryset, **(filterset_kwargs or {}))
        queryset = filterset.qs
    rows, sort = sorted_by(queryset, params.get("sort", ""), sort_fields or {}, default_sort)
    return Listing(rows, filterset, sort)
