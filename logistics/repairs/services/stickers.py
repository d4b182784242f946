"""QR stickers for repair filing: one per room in use, a printable A4 sheet per building
(or one of its floors).

Each sticker's QR code opens ``/r/<room>/`` (``ticket_room_link``) on ``SITE_URL``: the
filing form with the room already chosen. The code is a vector SVG (segno) embedded as a
``data:`` URI, so the PDF stays sharp at any print size and nothing is fetched.

A sheet grows with the building (a 2,000-room building is 167 pages and takes tens of
seconds), so it is a printed document (``logistics.documents.services.documents``) of kind
``repair_stickers``, made by the Celery task: ``sticker_sheet_request`` asks for it, its
page shows the progress and the download. The kind's choices are the building and the
floor (``{"building": id, "floor": n or None}``), so two buildings' sheets are two
documents; its period is the day it is asked for.

A sheet prints the rooms' numbers, names and links, which can change: its fingerprint
(``sticker_fingerprint``) is a digest of everything printed — the school's and the
building's names, each room in use (id, floor, number, name), ``SITE_URL`` and the
template. Asking again while nothing of that changed gives the sheet already made (no
second render); a room renamed, added or retired, a building renamed or a new address
makes a fresh version.
"""

import functools
import hashlib
import json
import re
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.models import Building, Room

COLUMNS = 3
ROWS = 4
PER_PAGE = COLUMNS * ROWS
TEMPLATE = "repairs/stickers_pdf.html"
KIND = "repair_stickers"
FLOOR_MIN, FLOOR_MAX = -20, 200
# Progress while the QR codes are drawn (the document's run goes from 5% to 40% here).
QR_PROGRESS_EVERY = 100


@dataclass(frozen=True)
class Sticker:
    room_id: int
    floor: int
    number: str
    name: str
    url: str  # what the QR code encodes (and what is printed under it)
    qr: str  # data:image/svg+xml URI of the QR code


def room_link(room) -> str:
    """The absolute short link of a room, as its sticker's QR code encodes it."""
    return settings.SITE_URL.rstrip("/") + reverse("ticket_room_link", args=[room.pk])


def qr_svg_data_uri(text: str) -> str:
    """A QR code (never a Micro QR, which phones do not read) of ``text``, as a scalable
    SVG ``data:`` URI with the standard four-module quiet zone."""
    code = segno.make_qr(text, error="m")
    return code.svg_data_uri(border=4, omitsize=True, dark="#000", light="#fff")


def _natural_key(number: str):
    """``"9" < "10" < "10A"``: digits compare as numbers."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", number)
        if part
    ]


def sticker_buildings(school):
    """The school's buildings in use, each with ``room_count`` (rooms in use), by name."""
    return (
        Building.objects.for_school(school)
        .filter(is_active=True)
        .annotate(room_count=Count("rooms", filter=Q(rooms__is_active=True)))
        .order_by("name", "pk")
    )


def _rooms(building, floor=None):
    rooms = Room.objects.filter(building=building, is_active=True)
    if floor is not None:
        rooms = rooms.filter(floor=floor)
    return rooms


def building_stickers(building, *, floor=None, progress=None) -> list[Sticker]:
    """The stickers of ``building``'s rooms in use (only ``floor`` if given), ordered by
    floor and room number. ``progress(percent, stage)`` is told every
    ``QR_PROGRESS_EVERY`` rooms (from 5% to 40%)."""
    rooms = sorted(
        _rooms(building, floor).only("pk", "floor", "number", "name"),
        key=lambda room: (room.floor, _natural_key(room.number), room.number),
    )
    stickers = []
    for index, room in enumerate(rooms):
        if progress is not None and index % QR_PROGRESS_EVERY == 0:
            progress(
                5 + 35 * index // len(rooms),
                _("Drawing the QR codes: %(done)s of %(total)s")
                % {"done": index, "total": len(rooms)},
            )
        url = room_link(room)
        stickers.append(
            Sticker(
                room_id=room.pk,
                floor=room.floor,
                number=room.number,
                name=room.name,
                url=url,
                qr=qr_svg_data_uri(url),
            )
        )
    return stickers


def sticker_pages(stickers) -> list[list[list[Sticker | None]]]:
    """Pages of ``ROWS`` rows of ``COLUMNS`` stickers; the last row padded with None."""
    pages = []
    for start in range(0, len(stickers), PER_PAGE):
        chunk = list(stickers[start : start + PER_PAGE])
        rows = [chunk[i : i + COLUMNS] for i in range(0, len(chunk), COLUMNS)]
        rows[-1] += [None] * (COLUMNS - len(rows[-1]))
        pages.append(rows)
    return pages


def sticker_title(building, *, floor=None) -> str:
    if floor is None:
        return _("Repair QR stickers: %(building)s") % {"building": building.name}
    return _("Repair QR stickers: %(building)s, floor %(floor)s") % {
        "building": building.name,
        "floor": floor,
    }


def sticker_filenames(building, *, floor=None) -> tuple[str, str]:
    """(the file name in the user's language, an ASCII fallback)."""
    parts = [building.school.name, building.name]
    ascii_name = f"qr-stickers-building-{building.pk}"
    if floor is not None:
        parts.append(floor_label(floor))
        ascii_name += f"-floor-{floor}"
    parts.append(_("QR stickers"))
    return "-".join(parts) + ".pdf", ascii_name + ".pdf"


def floor_label(floor) -> str:
    """3F, B1: as on the signs in the building."""
    return f"B{-floor}" if floor < 0 else f"{floor}F"


def sheet_context(building, stickers, *, floor=None) -> dict:
    """The context of ``TEMPLATE`` for ``stickers`` (from ``building_stickers``)."""
    return {
        "school": building.school,
        "building": building,
        "floor": floor,
        "title": sticker_title(building, floor=floor),
        "pages": sticker_pages(stickers),
        "count": len(stickers),
    }


# --- The sheet as a printed document ----------------------------------------------------------


def no_rooms_message(building, floor=None) -> str:
    if floor is None:
        message = _("%(building)s has no rooms in use: add its rooms first.")
    else:
        message = _("%(building)s has no rooms in use on floor %(floor)s.")
    return message % {"building": building.name, "floor": floor}


def _chosen(school, params):
    """``(building, floor)`` of the kind's choices, checked against the records now: a
    building of ``school`` in use with rooms in use (on that floor)."""
    building_id, floor = params.get("building"), params.get("floor")
    if isinstance(building_id, bool) or not isinstance(building_id, int):
        raise ValidationError(_("Choose a building."))
    if floor is not None and (
        isinstance(floor, bool)
        or not isinstance(floor, int)
        or floor == 0
        or not FLOOR_MIN <= floor <= FLOOR_MAX
    ):
        raise ValidationError(_("There is no such floor."))
    building = (
        Building.objects.for_school(school)
        .select_related("school")
        .filter(pk=building_id, is_active=True)
        .first()
    )
    if building is None:
        raise ValidationError(_("This building is not one of the school's buildings in use."))
    if not _rooms(building, floor).exists():
        raise ValidationError(no_rooms_message(building, floor))
    return building, floor


def clean_sticker_params(school, params):
    """The kind's ``clean_params``: ``{"building": id, "floor": n or None}``."""
    unknown = set(params) - {"building", "floor"}
    if unknown:
        raise ValidationError(_("This kind of document takes no such choice."))
    building, floor = _chosen(school, params)
    return {"building": building.pk, "floor": floor}


@functools.cache
def _template_digest():
    source = loader.get_template(TEMPLATE).template.source
    return hashlib.sha256(source.encode()).hexdigest()


def sticker_fingerprint(school, params) -> str:
    """A digest of everything the sheet prints (see the module's documentation)."""
    building = Building.objects.filter(school=school, pk=params.get("building")).first()
    if building is None:
        return ""  # nothing to print: the run fails with the reason
    rooms = _rooms(building, params.get("floor")).order_by("pk")
    data = {
        "site": settings.SITE_URL,
        "template": _template_digest(),
        "school": school.name,
        "building": [building.pk, building.name, building.is_active],
        "floor": params.get("floor"),
        "rooms": list(rooms.values_list("pk", "floor", "number", "name")),
    }
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def sticker_context(document, *, progress=None) -> dict:
    """The kind's context: the sheet of the document's building (and floor), from the
    records as they are now (a building retired since it was asked for fails the run
    with the reason)."""
    building, floor = _chosen(document.school, document.params)
    stickers = building_stickers(building, floor=floor, progress=progress)
    return sheet_context(building, stickers, floor=floor)


def sticker_description(building_name, floor=None) -> str:
    """What a sheet is of: "求真楼" or "求真楼 3F"."""
    if floor is None:
        return building_name
    return f"{building_name} {floor_label(floor)}"


def _building_of(document):
    return (
        Building.objects.select_related("school")
        .filter(school_id=document.school_id, pk=document.params.get("building"))
        .first()
    )


def describe(document) -> str:
    building = _building_of(document)
    name = building.name if building else f"#{document.params.get('building')}"
    return sticker_description(name, document.params.get("floor"))


def describe_many(documents):
    """Set ``description`` on each of ``documents`` (one query for their buildings)."""
    ids = {d.params.get("building") for d in documents}
    names = dict(Building.objects.filter(pk__in=ids).values_list("pk", "name"))
    for document in documents:
        building = document.params.get("building")
        document.description = sticker_description(
            names.get(building, f"#{building}"), document.params.get("floor")
        )
    return documents


def filename(document) -> str:
    building = _building_of(document)
    if building is None:
        return ascii_filename(document)
    return sticker_filenames(building, floor=document.params.get("floor"))[0]


def ascii_filename(document) -> str:
    name = f"qr-stickers-building-{document.params.get('building')}"
    if document.params.get("floor") is not None:
        name += f"-floor-{document.params['floor']}"
    return name + ".pdf"


def sticker_sheet_request(*, school, building, floor=None, actor=None, language=None):
    """Ask for the sheet of ``building`` (one ``floor``, or all): ``(document, created)``
    as ``document_request`` answers (a sheet being made is joined; the ready one is
    given while nothing printed on it changed)."""
    from logistics.documents.services.documents import document_request

    today = timezone.localdate()
    return document_request(
        kind=KIND,
        school=school,
        start=today,
        end=today,
        params={"building": building.pk, "floor": floor},
        actor=actor,
        language=language,
    )
