"""The hazard ledger's rows drawn in Python: one pass over plain values
(``safety.lists.PAGE_ROW_FIELDS``), labels looked up once per page, text escaped with the
standard library's ``escape`` (the same five characters as Django's). The markup is the
one the ledger's template drew a row at a time; its cost must not grow with per-cell
template or lazy-string work."""

import unicodedata
from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext

from logistics.common.choices import DEFAULT_COLOR
from safety.choices import HazardLevel, HazardStatus, SafetyArea

register = template.Library()


def _labels(choices):
    return {value: escape(str(label)) for value, label in choices.choices}


def _where(row):
    """``Hazard.where`` of a row: its room (``Room.__str__``) and the place in words."""
    room = ""
    if row["room_id"]:
        room = f"{row['room__building__name']} {row['room__number']}"
        if row["room__name"]:
            room = f"{room} {row['room__name']}"
    return " · ".join(part for part in (room, row["location"]) if part)


def _short(text, length=60):
    """``Truncator(text).chars(length)``: the text itself when it is in NFC and no longer
    than ``length`` (what ``chars`` returns then, without its lazy object and walk)."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(length)


def _person(row):
    """``User.display_name`` of the row's responsible person."""
    first, last = row["responsible_person__first_name"], row["responsible_person__last_name"]
    return (
        row["responsible_person__name"]
        or f"{first} {last}".strip()
        or row["responsible_person__username"]
    )


@register.simple_tag
def hazard_rows(rows):
    """The ``<tr>``s of the ledger's page for ``rows`` (dicts of ``PAGE_ROW_FIELDS``)."""
    areas, levels, statuses = _labels(SafetyArea), _labels(HazardLevel), _labels(HazardStatus)
    level_colors, status_colors = HazardLevel.colors(), HazardStatus.colors()
    # (gettext outside the f-strings: xgettext does not look inside them)
    overdue_label = escape(gettext("Overdue"))
    unassigned_label = escape(pgettext("hazard", "Not assigned"))
    deferred_label = escape(gettext("Deferred"))
    overdue = f' <span class="badge text-bg-danger">{overdue_label}</span>'
    unassigned = f'<span class="text-muted">{unassigned_label}</span>'
    deferred = (
        f' <i class="bi bi-calendar-plus text-warning" title="{deferred_label}" '
        f'aria-label="{deferred_label}"></i>'
    )
    detail = escape(reverse("safety_hazard_detail", args=[0])[: -len("0/")])
    zone = timezone.get_current_timezone()
    html = []
    for row in rows:
        pk, late = row["pk"], row["is_overdue"]
        level, status, category = row["level"], row["status"], row["category"]
        url = f"{detail}{pk}/"
        if row["responsible_person_id"]:
            person = escape(_person(row))
            if row["department__name"]:
                person += f'<div class="small text-muted">{escape(row["department__name"])}</div>'
        else:
            person = unassigned
        deadline = row["deadline"]
        html.append(
            f"<tr{' class="table-danger" data-overdue="1"' if late else ''}>"
            f'<td class="text-nowrap"><a href="{url}">#{pk}</a></td>'
            f'<td class="text-nowrap">{row["found_at"].astimezone(zone):%Y-%m-%d %H:%M}</td>'
            f'<td><a class="text-reset text-decoration-none" href="{url}">'
            f"{escape(_where(row))}</a>"
            f'<div class="small text-muted">'
            f"{escape(_short(row['description']))}</div></td>"
            f'<td class="d-none d-md-table-cell">{areas.get(category, escape(category))}</td>'
            f'<td><span class="badge text-bg-{level_colors.get(level, DEFAULT_COLOR)}">'
            f"{levels.get(level, escape(level))}</span></td>"
            f'<td class="text-nowrap"><span class="badge text-bg-'
            f'{status_colors.get(status, DEFAULT_COLOR)}">'
            f"{statuses.get(status, escape(status))}</span>{overdue if late else ''}</td>"
            f'<td class="d-none d-md-table-cell">{person}</td>'
            f'<td class="text-nowrap">{f"{deadline:%Y-%m-%d}" if deadline else "—"}'
            f"{deferred if row['deferral_count'] else ''}</td></tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped
