"""Rendering of the repair ticket list's rows in Python: one pass over plain values,
labels looked up once per page (the list's cost must not grow with per-cell templates)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from logistics.choices import TICKET_STATUS_COLORS, TicketStatus, Trade, Urgency

register = template.Library()


@register.simple_tag
def ticket_rows(rows):
    statuses = {value: str(label) for value, label in TicketStatus.choices}
    trades = {value: str(label) for value, label in Trade.choices}
    overdue = format_html(' <span class="badge text-bg-danger">{}</span>', gettext("Overdue"))
    urgent = format_html(
        ' <i class="bi bi-exclamation-triangle-fill text-danger" aria-label="{}"></i>',
        Urgency.URGENT.label,
    )
    unassigned = format_html('<span class="text-muted">{}</span>', gettext("Not assigned"))
    detail = reverse("ticket_detail", args=[0])[: -len("0/")]
    localtime = timezone.localtime
    overdue_row = mark_safe(' class="ticket-overdue"')  # noqa: S308 - a constant

    def cells(row):
        category = row["category__name"]
        return (
            overdue_row if row["is_overdue"] else "",
            detail,
            row["pk"],
            row["pk"],
            urgent if row["urgency"] == Urgency.URGENT else "",
            localtime(row["created_at"]).strftime("%Y-%m-%d %H:%M"),
            row["room__building__name"],
            row["room__number"],
            trades.get(row["trade"], row["trade"]),
            f" · {category}" if category else "",
            TICKET_STATUS_COLORS.get(row["status"], "secondary"),
            statuses.get(row["status"], row["status"]),
            overdue if row["is_overdue"] else "",
            (row["assignee__name"] or row["assignee__username"])
            if row["assignee_id"]
            else unassigned,
            row["requester__name"] or row["requester__username"],
        )

    return format_html_join(
        "",
        '<tr{}><td><a href="{}{}/">#{}</a>{}</td><td>{}</td><td>{} {}</td><td>{}{}</td>'
        '<td><span class="badge text-bg-{}">{}</span>{}</td><td>{}</td><td>{}</td></tr>',
        (cells(row) for row in rows),
    )
