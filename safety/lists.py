"""The hazard ledger as its address asks: the one reading of the filters and the sort
that the ledger's page and its export (hazards.xlsx) share."""

from django.core.cache import cache
from django.utils import timezone

from logistics.common.listing import listing, sort_fields_of
from safety import columns
from safety.filters import HazardFilter
from safety.overdue import hazard_overdue
from safety.selectors import hazard_list, hazard_visible, sql

SORT_FIELDS = sort_fields_of(columns.PAGE)

# The values a row of the ledger's page shows (``safety.templatetags.safety_ledger``):
# plain values, not hazards with their room, building, department and people.
PAGE_ROW_FIELDS = (
    "pk",
    "found_at",
    "room_id",
    "room__number",
    "room__name",
    "room__building__name",
    "location",
    "description",
    "category",
    "level",
    "status",
    "is_overdue",
    "responsible_person_id",
    "responsible_person__name",
    "responsible_person__first_name",
    "responsible_person__last_name",
    "responsible_person__username",
    "department__name",
    "deadline",
    "deferral_count",
)
COUNT_CACHE_SECONDS = 600


def _school_count(user, rows):
    """How many hazards the whole ledger has, for one who sees all of the school's: kept
    under the school's ``figures_version`` (raised by every write to a hazard), so the
    page does not count 10,000 hazards each time it opens."""
    school = user.school
    key = f"safety:hazard-count:{school.pk}:{school.figures_version}"
    count = cache.get(key)
    if count is None:
        count = rows.order_by().count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def hazard_ledger(user, params, *, export=False):
    """The hazards ``user`` may see, filtered and sorted as ``params`` (the address)
    asks, as a ``Listing``. The filter set is built only when the address asks for a
    filter: the plain ledger, the page opened most, does not pay for it.

    For the page, the rows are the page's hazard ids (their rows, dicts of
    ``PAGE_ROW_FIELDS``, are read by ``page_rows``), and when nothing is
    filtered and ``user`` sees all of the school's hazards their count is the one kept
    under the school's stamp. For the export (``export=True``) each is a hazard with who
    found and checked it and its plan, as ``columns.EXPORT`` reads them."""
    if export:
        hazards = hazard_list(user).select_related("found_by", "verified_by", "plan")
    else:
        # The page's ids: neither the joined rows nor ``is_overdue`` (``page_rows``
        # reads and computes them; no sort or filter of the page needs the flag).
        hazards = hazard_visible(user)
    filtered = any(params.get(key) for key in HazardFilter.base_filters)
    found = listing(
        hazards,
        params,
        filterset_class=HazardFilter if filtered else None,
        filterset_kwargs={"user": user},
        sort_fields=SORT_FIELDS,
        default_sort=columns.DEFAULT_SORT,
    )
    if not export:
        if not filtered and user.school_id is not None and user.has_perm("safety.view_hazard"):
            rows = found.rows
            found.count = lambda: _school_count(user, rows)
        found.rows = found.rows.values_list("pk", flat=True)
    return found


def page_rows(ids, today=None):
    """The ledger's rows of the hazards ``ids`` (the page's ids query, or a list), in
    that order: dicts of ``PAGE_ROW_FIELDS``, ``is_overdue`` by ``safety.overdue``'s rule
    on the row's values. One statement (``sql.ledger_rows``)."""
    today = today or timezone.localdate()
    rows = sql.ledger_rows(ids)
    for row in rows:
        row["is_overdue"] = hazard_overdue(row["status"], row["deadline"], today)
    return rows
