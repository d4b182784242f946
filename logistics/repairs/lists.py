"""General affairs' ticket list as its address asks: the one reading of the filters and
the sort that the list page and its export (repairs.xlsx) share."""

from logistics.common.listing import listing, sort_fields_of
from logistics.repairs import columns
from logistics.repairs.filters import TicketFilter
from logistics.repairs.selectors.tickets import ticket_ids, ticket_list

SORT_FIELDS = sort_fields_of(columns.PAGE)


def ticket_table(user, params, *, export=False):
    """The school's tickets filtered and sorted as ``params`` (the address) asks, as a
    ``Listing``.

    The filter set is built only when the address asks for a filter (or for the filter
    panel): the plain list, the page opened most, does not pay for it.

    For the page, the rows are the bare tickets, whose ids a page reads (its rows are then
    read by ``tickets.ticket_rows``), and the count is the school's counter, kept when
    tickets are filed, for the whole list, or a count of the ids without their order. For
    the export (``export=True``) the rows are the tickets with their room, category and
    people and ``is_overdue``, as ``columns.EXPORT`` reads them."""
    tickets = ticket_list(user) if export else ticket_ids(user)
    asked = "filters" in params or any(params.get(key) for key in TicketFilter.base_filters)
    found = listing(
        tickets,
        params,
        filterset_class=TicketFilter if asked else None,
        filterset_kwargs={"user": user},
        sort_fields=SORT_FIELDS,
        default_sort=columns.DEFAULT_SORT,
    )
    if not export:
        school = user.school
        if found.filterset is None and school is not None:
            found.count = school.ticket_count
        else:
            found.count = found.rows.order_by().count
    return found
