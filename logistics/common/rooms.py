"""The room picker every form that names a place uses (a repair, a hazard): the
school's buildings in use, a building's floors and rooms, and a room from an address
(a QR sticker's link), never another school's or a retired one; the form's three fields
(``room_picker_fields``), how they depend on each other (``RoomPicker``) and the htmx
answer that reloads the floors and rooms of a chosen building (``room_fields``), with
their markup in ``templates/includes/room_picker.html``."""

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def room_picker_fields(*, required=True):
    """The building, floor and room fields of a form, in that order:
    ``building, floor, room = room_picker_fields()`` in the form's body."""
    return (
        forms.ModelChoiceField(
            label=gettext_lazy("Building"),
            queryset=Building.objects.none(),
            required=required,
            empty_label=gettext_lazy("- Select -"),
        ),
        forms.TypedChoiceField(
            label=gettext_lazy("Floor"), coerce=int, required=False, empty_value=None
        ),
        forms.ModelChoiceField(
            label=gettext_lazy("Room"),
            queryset=Room.objects.none(),
            required=required,
            empty_label=gettext_lazy("- Select -"),
        ),
    )


def _room_label(room):
    return f"{room.number} {room.name}".strip() if room.name else room.number


class RoomPicker:
    """A form with ``room_picker_fields``: the school's buildings, the chosen building's
    floors and rooms (of the chosen floor), and an htmx reload of both when the building
    or the floor changes (``rooms_url_name``: a view answering with ``room_fields``)."""

    rooms_url_name = ""

    def picked(self, name):
        """What the form holds for ``name`` (its data when bound, else its initial)."""
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        return getattr(value, "pk", value)

    def room_picker(self, school):
        fields = self.fields
        fields["building"].queryset = filing_buildings(school)
        building = as_id(self.picked("building"))
        floor = as_floor(self.picked("floor"))
        floors = filing_floors(school, building) if building else []
        fields["floor"].choices = [("", _("All floors"))] + [
            (f, _("Floor %(floor)s") % {"floor": f}) for f in floors
        ]
        rooms = Room.objects.none()
        if building:
            rooms = filing_rooms(school, building, floor if floor in floors else None)
        fields["room"].queryset = rooms
        fields["room"].label_from_instance = _room_label
        cascade = {
            "hx-get": reverse(self.rooms_url_name),
            "hx-target": "#room-fields",
            "hx-swap": "outerHTML",
            "hx-include": "#id_building, #id_floor",
        }
        fields["building"].widget.attrs.update(cascade)
        fields["floor"].widget.attrs.update(cascade)

    def clean_room_in_building(self, cleaned):
        """A room of another building than the chosen one is an error on the room; True
        when the two agree (or either is missing)."""
        room, building = cleaned.get("room"), cleaned.get("building")
        if room is not None and building is not None and room.building_id != building.pk:
            self.add_error("room", _("This room is not in the chosen building."))
            return False
        return True


def room_fields(request, form_class):
    """htmx: the floor and room fields of ``form_class`` for the chosen building (and the
    chosen floor, unless the building is what changed)."""
    data = {"building": request.GET.get("building", "")}
    if getattr(request, "htmx", None) and request.htmx.trigger_name != "building":
        data["floor"] = request.GET.get("floor", "")
    form = form_class(initial=data, school=request.user.school)
    return render(request, "includes/room_picker.html#room-fields", {"form": form})
