"""The room picker every form that names a place uses (a repair, a hazard): the
school's buildings in use, a building's floors and rooms, and a room from an address
(a QR sticker's link), never another school's or a retired one."""

from logistics.common.ids import as_floor, as_id
from logistics.models import Building, Room


def filing_buildings(school):
    return Building.objects.filter(school=school, is_active=True).order_by("name")


def filing_rooms(school, building_id, floor=None):
    building_id = as_id(getattr(building_id, "pk", building_id))
    if building_id is None:
        return Room.objects.none()
    rooms = Room.objects.filter(
        building_id=building_id, building__school=school, is_active=True
    ).order_by("floor", "number")
    if floor not in (None, ""):
        floor = as_floor(floor)
        rooms = rooms.filter(floor=floor) if floor is not None else rooms.none()
    return rooms


def filing_floors(school, building_id):
    building_id = as_id(getattr(building_id, "pk", building_id))
    if building_id is None:
        return []
    return list(
        Room.objects.filter(building_id=building_id, building__school=school, is_active=True)
        .order_by("floor")
        .values_list("floor", flat=True)
        .distinct()
    )


def room_for_filing(school, room_id):
    """A room of ``school`` in use, with its building, or None (a foreign or retired room)."""
    room_id = as_id(room_id)
    if room_id is None:
        return None
    try:
        return Room.objects.select_related("building").get(
            pk=room_id, building__school=school, is_active=True
        )
    except (Room.DoesNotExist, ValueError, TypeError):
        return None
