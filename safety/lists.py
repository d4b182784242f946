"""The hazard ledger as its address asks: the one reading of the filters and the sort
that the ledger's page and its export (hazards.xlsx) share."""

from logistics.common.listing import listing, sort_fields_of
from safety import columns
from safety.filters import HazardFilter
from safety.selectors import hazard_list

SORT_FIELDS = sort_fields_of(columns.PAGE)


def hazard_ledger(user, params, *, export=False):
    """The hazards ``user`` may see, filtered and sorted as ``params`` (the address)
    asks, as a ``Listing``. For the export (``export=True``) each comes with who checked
    it and its plan, as ``columns.EXPORT`` reads them."""
    hazards = hazard_list(user)
    if export:
        hazards = hazards.select_related("verified_by", "plan")
    return listing(
        hazards,
        params,
        filterset_class=HazardFilter,
        filterset_kwargs={"user": user},
        sort_fields=SORT_FIELDS,
        default_sort=columns.DEFAULT_SORT,
    )
