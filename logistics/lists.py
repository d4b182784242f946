"""The core's lists as their address asks (filters, sort): the one reading that each
list page and its export share. Lists sit beside the filters they apply, above the
selectors that give their rows."""

from logistics.common.listing import listing
from logistics.filters import PersonFilter, RoomFilter
from logistics.selectors import person_list, room_list

ROOM_SORT_FIELDS = {
    "building": "building__name",
    "floor": "floor",
    "number": "number",
    "name": "name",
    "kind": "kind",
}
ROOM_DEFAULT_SORT = ("building__name", "floor", "number")


def room_table(user, params):
    """The rooms list and its export (rooms.xlsx): the school's rooms filtered and sorted
    as ``params`` (the address) asks, as a ``Listing``."""
    return listing(
        room_list(user),
        params,
        filterset_class=RoomFilter,
        filterset_kwargs={"user": user},
        sort_fields=ROOM_SORT_FIELDS,
        default_sort=ROOM_DEFAULT_SORT,
    )


PERSON_SORT_FIELDS = {"username": "username", "name": "name", "department": "department__name"}
PERSON_DEFAULT_SORT = ("username",)


def person_table(user, params):
    """The people list and its export (people.xlsx): the school's people filtered and
    sorted as ``params`` (the address) asks, as a ``Listing``."""
    return listing(
        person_list(user),
        params,
        filterset_class=PersonFilter,
        filterset_kwargs={"user": user},
        sort_fields=PERSON_SORT_FIELDS,
        default_sort=PERSON_DEFAULT_SORT,
    )
