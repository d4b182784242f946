"""The core's lists as their address asks (filters, sort): the one reading that each
list page and its export share. Lists sit beside the filters they apply, above the
selectors that give their rows."""

from logistics.common.listing import listing
from logistics.filters import PersonFilter, RoomFilter
from logistics.selectors import (
    person_count,
    person_ids,
    person_list,
    room_count,
    room_ids,
    room_list,
)

ROOM_SORT_FIELDS = {
    "building": "building__name",
    "floor": "floor",
    "number": "number",
    "name": "name",
    "kind": "kind",
}
ROOM_DEFAULT_SORT = ("building__name", "floor", "number")


def _filtered(filterset_class, params):
    """Does the address ask for a filter (a filter's key with a value)?"""
    return any(params.get(key) for key in filterset_class.base_filters)


def _counted(found, filterset_class, params, count):
    """``found`` with its count: the list's whole size (``count``, kept under the
    school's figures stamp) when the address asks for no filter, else a count of the
    filtered ids, without their order."""
    if _filtered(filterset_class, params):
        found.count = found.rows.order_by().count
    else:
        found.count = count
    return found


def room_table(user, params, *, export=False):
    """The rooms list and its export (rooms.xlsx): the school's rooms filtered and sorted
    as ``params`` (the address) asks, as a ``Listing``. The filter set is made only when
    the address asks for a filter: the plain list, the page opened most, does not pay for
    it (its filter fields are kept: ``views.setup``). For the page (not ``export``),
    the rows are the bare rooms, whose ids a page reads (its rows are then read by
    ``selectors.room_rows``), and the count comes with them."""
    found = listing(
        room_list(user) if export else room_ids(user),
        params,
        filterset_class=RoomFilter if _filtered(RoomFilter, params) else None,
        filterset_kwargs={"user": user},
        sort_fields=ROOM_SORT_FIELDS,
        default_sort=ROOM_DEFAULT_SORT,
    )
    if export:
        return found
    return _counted(found, RoomFilter, params, lambda: room_count(user))


PERSON_SORT_FIELDS = {"username": "username", "name": "name", "department": "department__name"}
PERSON_DEFAULT_SORT = ("username",)


def person_table(user, params, *, export=False):
    """The people list and its export (people.xlsx): the school's people filtered and
    sorted as ``params`` (the address) asks, as a ``Listing``; for the page, as
    ``room_table`` reads the rooms (rows: ``selectors.person_rows``)."""
    found = listing(
        person_list(user) if export else person_ids(user),
        params,
        filterset_class=PersonFilter if _filtered(PersonFilter, params) else None,
        filterset_kwargs={"user": user},
        sort_fields=PERSON_SORT_FIELDS,
        default_sort=PERSON_DEFAULT_SORT,
    )
    if export:
        return found
    return _counted(found, PersonFilter, params, lambda: person_count(user))
