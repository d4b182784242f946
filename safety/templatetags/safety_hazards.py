"""A hazard's page drawn in Python where the template did the most work per row: its
timeline (``{% hazard_history_items history %}``), one pass over the status log with
each label looked up once and text escaped with the standard library's ``escape`` (the
same five characters as Django's). The markup is the one ``safety/hazards/history.html``
drew a change at a time (``tests/safety/test_pages_hazards.py`` holds that template and
checks the two agree)."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _note(text):
    """``text|linebreaksbr``."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


@register.simple_tag
def hazard_history_items(history):
    """The ``<li>``s of a hazard's timeline for the changes ``history`` (oldest first)."""
    # (gettext outside the f-strings: xgettext does not look inside them)
    field_labels = {
        "level": gettext("Level:"),
        "responsible_person": gettext("Responsible:"),
        "deadline": gettext("Deadline:"),
    }
    topics = {
        "plan": gettext("Rectification plan"),
        "found_again": gettext("Found again"),
    }
    said = gettext("%(actor)s:")
    system = None
    labels = {}

    def label(change, value):
        key = (change.field, value)
        found = labels.get(key)
        if found is None:
            found = labels[key] = escape(str(change._label(value)))
        return found

    localtime = timezone.localtime
    html = []
    for change in history:
        field = change.field
        actor = change.actor.display_name if change.actor is not None else ""
        if not actor:
            if system is None:
                system = gettext("system")
            actor = system
        if field in topics:
            what = f"<strong>{escape(topics[field])}</strong>\n      "
        else:
            before = f"{label(change, change.from_status)} → " if change.from_status else ""
            what = (
                f"\n        {escape(field_labels.get(field, ''))}\n        "
                f"{before}<strong>{label(change, change.to_status)}</strong>\n      "
            )
        note = f'<div class="text-muted">{_note(change.note)}</div>' if change.note else ""
        html.append(
            f'\n    <li class="list-group-item px-0" data-field="{escape(field)}">\n'
            f'      <span class="text-muted">{localtime(change.at):%Y-%m-%d %H:%M}</span>\n'
            f"      {said % {'actor': escape(actor)}}\n"
            f"      {what}\n"
            f"      {note}\n"
            "    </li>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped
