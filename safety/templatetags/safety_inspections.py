"""Inspection cards (the inspector's list: to do, coming up, done) drawn in Python: one
pass over the inspections' plain values, labels looked up once per page, text escaped with the
standard library's ``escape`` (the same five characters as Django's). The markup is the
one a card's template drew a card at a time; its cost must not grow with per-card
template or lazy-string work."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from logistics.common.choices import DEFAULT_COLOR
from safety.choices import InspectionKind, InspectionStatus, SafetyArea

register = template.Library()


_LABELS = {}


def _labels(choices):
    """``{value: escaped label}`` of ``choices`` in the active language, made once per
    language and process (the labels are the code's own)."""
    key = (choices, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: escape(str(label)) for value, label in choices.choices}
    return labels


@register.simple_tag
def inspection_cards(cards):
    """The cards (``<a>``s, each followed by a new line) of inspections read as plain
    values (``safety.selectors.inspection_card_lists``: with ``period_label``,
    ``room_label`` and ``is_overdue``)."""
    kinds, areas, statuses = _labels(InspectionKind), _labels(SafetyArea), _labels(InspectionStatus)
    colors = InspectionStatus.colors()
    overdue_label = escape(gettext("Overdue"))
    overdue = (
        f' · <span class="text-danger fw-semibold" data-testid="overdue">{overdue_label}</span>'
    )
    detail = escape(reverse("safety_inspection_detail", args=[0])[: -len("0/")])
    html = []
    for card in cards:
        late = card["is_overdue"]
        kind, area, status = card["kind"], card["area"], card["status"]
        where = ""
        if card["room_id"]:
            where = f" · {escape(card['room_label'])}"
        elif card["location"]:
            where = f" · {escape(card['location'])}"
        html.append(
            f'<a href="{detail}{card["pk"]}/" class="list-group-item list-group-item-action '
            f'inspection-card{" inspection-overdue" if late else ""}" '
            f'data-testid="inspection-card">\n'
            f'  <div class="d-flex w-100 justify-content-between gap-2">\n'
            f'    <strong class="text-truncate">{escape(card["template__name"])}</strong>\n'
            f'    <span class="badge text-bg-{colors.get(status, DEFAULT_COLOR)} '
            f'align-self-start">{statuses.get(status, escape(status))}</span>\n'
            f"  </div>\n"
            f'  <div class="small">{kinds.get(kind, escape(kind))}'
            f"{f' · {areas.get(area, escape(area))}' if area else ''}{where}</div>\n"
            f'  <div class="small text-muted">{escape(card["period_label"])}'
            f"{overdue if late else ''}</div>\n"
            f"</a>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped
