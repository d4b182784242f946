"""Rendering of the repair ticket list's rows in Python: one pass over plain values,
labels looked up once per page, text escaped with the standard library's ``escape``
(the same five characters as Django's) — the list's cost must not grow with per-cell
template or lazy-string work."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from logistics.choices import TICKET_STATUS_COLORS, TicketStatus, Trade, Urgency

register = template.Library()

ROW, ROW_LATE = "<tr>", '<tr class="ticket-overdue">'


@register.simple_tag
def ticket_rows(rows):
    statuses = {value: escape(str(label)) for value, label in TicketStatus.choices}
    trades = {value: escape(str(label)) for value, label in Trade.choices}
    # (gettext outside the f-strings: xgettext does not look inside them)
    overdue_label = escape(gettext("Overdue"))
    urgent_label = escape(str(Urgency.URGENT.label))
    unassigned_label = escape(gettext("Not assigned"))
    overdue = f' <span class="badge text-bg-danger">{overdue_label}</span>'
    urgent = (
        f' <i class="bi bi-exclamation-triangle-fill text-danger" aria-label="{urgent_label}"></i>'
    )
    unassigned = f'<span class="text-muted">{unassigned_label}</span>'
    detail = escape(reverse("ticket_detail", args=[0])[: -len("0/")])
    localtime = timezone.localtime
    html = []
    for row in rows:
        pk, late, status = row["pk"], row["is_overdue"], row["status"]
        category = row["category__name"]
        assignee = (
            escape(row["assignee__name"] or row["assignee__username"])
            if row["assignee_id"]
            else unassigned
        )
        html.append(
            (ROW_LATE if late else ROW) + f'<td><a href="{detail}{pk}/">#{pk}</a>'
            f"{urgent if row['urgency'] == Urgency.URGENT else ''}</td>"
            f"<td>{localtime(row['created_at']):%Y-%m-%d %H:%M}</td>"
            f"<td>{escape(row['room__building__name'])} {escape(row['room__number'])}</td>"
            f"<td>{trades.get(row['trade'], escape(row['trade']))}"
            f"{' · ' + escape(category) if category else ''}</td>"
            f'<td><span class="badge text-bg-{TICKET_STATUS_COLORS.get(status, "secondary")}">'
            f"{statuses.get(status, escape(status))}</span>{overdue if late else ''}</td>"
            f"<td>{assignee}</td>"
            f"<td>{escape(row['requester__name'] or row['requester__username'])}</td></tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped
