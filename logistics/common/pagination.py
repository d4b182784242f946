"""A paginator told how many rows its list has.

Django's ``Paginator`` counts by asking the list (``object_list.count()``): for a
queryset, a ``COUNT(*)`` over the list's own query, joins and ordering included. A list
that knows its size more cheaply (a counter kept up to date elsewhere, or a count of the
bare ids) says so here instead of overwriting the paginator's cached ``count`` through
its ``__dict__``, which leans on ``count`` being a ``cached_property``.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A ``Paginator`` whose ``count`` is given: a number, or a callable returning it
    (asked once, when the count is first needed). The rows of a page are still sliced
    from ``object_list``."""

    def __init__(self, object_list, per_page, *args, count, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.known_count = count

    @cached_property
    def count(self):
        count = self.known_count
        return count() if callable(count) else count
