"""QR stickers for repair filing: one per room in use, a printable A4 sheet per building.

Each sticker's QR code opens ``/r/<room>/`` (``ticket_room_link``) on ``SITE_URL``: the
filing form with the room already chosen. The code is a vector SVG (segno) embedded as a
``data:`` URI, so the PDF stays sharp at any print size and nothing is fetched.
"""

import re
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from logistics.models import Building, Room
from logistics.pdf import render_pdf

COLUMNS = 3
ROWS = 4
PER_PAGE = COLUMNS * ROWS
TEMPLATE = "repairs/stickers_pdf.html"


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


def building_stickers(building, *, floor=None) -> list[Sticker]:
    """The stickers of ``building``'s rooms in use (only ``floor`` if given), ordered by
    floor and room number."""
    rooms = Room.objects.filter(building=building, is_active=True)
    if floor is not None:
        rooms = rooms.filter(floor=floor)
    rooms = sorted(
        rooms.only("pk", "floor", "number", "name"),
        key=lambda room: (room.floor, _natural_key(room.number), room.number),
    )
    stickers = []
    for room in rooms:
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
        parts.append(f"B{-floor}" if floor < 0 else f"{floor}F")  # 3F, B1: as on the signs
        ascii_name += f"-floor-{floor}"
    parts.append(_("QR stickers"))
    return "-".join(parts) + ".pdf", ascii_name + ".pdf"


def sticker_sheet_pdf(building, stickers, *, floor=None, timeout=None) -> bytes:
    """The A4 sheet(s) of ``stickers`` (from ``building_stickers``) as PDF bytes."""
    context = {
        "school": building.school,
        "building": building,
        "floor": floor,
        "title": sticker_title(building, floor=floor),
        "pages": sticker_pages(stickers),
        "count": len(stickers),
    }
    return render_pdf(TEMPLATE, context, timeout=timeout)
