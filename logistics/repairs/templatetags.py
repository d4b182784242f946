"""Rendering of the repair ticket list's rows and of the tickets' cards (my requests,
the technician's queue) in Python: one pass over plain values,
labels looked up once per page, text escaped with the standard library's ``escape``
(the same five characters as Django's) — the list's cost must not grow with per-cell
template or lazy-string work."""

from html import escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from logistics.choices import Trade
from logistics.repairs.choices import TicketStatus, Urgency

register = template.Library()

ROW, ROW_LATE = "<tr>", '<tr class="ticket-overdue">'


@register.simple_tag
def ticket_rows(rows):
    statuses = {value: escape(str(label)) for value, label in TicketStatus.choices}
    colors = TicketStatus.colors()
    trades = {value: escape(str(label)) for value, label in Trade.choices}
    # (gettext outside the f-strings: xgettext does not look inside them)
    overdue_label = escape(gettext("Overdue"))
    urgent_label = escape(str(Urgency.URGENT.label))
    unassigned_label = escape(pgettext("repair", "Not assigned"))
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
            f'<td><span class="badge text-bg-{colors.get(status, "secondary")}">'
            f"{statuses.get(status, escape(status))}</span>{overdue if late else ''}</td>"
            f"<td>{assignee}</td>"
            f"<td>{escape(row['requester__name'] or row['requester__username'])}</td></tr>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped


def _labels():
    """The labels and colours a ticket's card shows, looked up once a page."""
    return {
        "statuses": {value: escape(str(label)) for value, label in TicketStatus.choices},
        "colors": TicketStatus.colors(),
        "trades": {value: escape(str(label)) for value, label in Trade.choices},
        "urgent": (
            f' · <span class="text-{Urgency.URGENT.color}">'
            f"{escape(str(Urgency.URGENT.label))}</span>"
        ),
        "detail": escape(reverse("ticket_detail", args=[0])[: -len("0/")]),
    }


def _what(card, labels):
    """A card's trade, category and urgency line (its inner text)."""
    category = card["category__name"]
    return (
        f"{labels['trades'].get(card['trade'], escape(card['trade']))}"
        f"{' · ' + escape(category) if category is not None else ''}"
        f"{labels['urgent'] if card['urgency'] == Urgency.URGENT else ''}"
    )


@register.simple_tag
def ticket_cards(cards):
    """The tickets' cards (``selectors.tickets.ticket_cards``): the markup of
    ``repairs/ticket_card.html`` once a ticket, without a template include a card."""
    labels = _labels()
    statuses, colors, detail = labels["statuses"], labels["colors"], labels["detail"]
    overdue = f' · <span class="text-danger fw-semibold">{escape(gettext("Overdue"))}</span>'
    localtime = timezone.localtime
    html = []
    for card in cards:
        pk, late, status = card["pk"], card["is_overdue"], card["status"]
        urgent = card["urgency"] == Urgency.URGENT
        flag = " ticket-overdue" if late else " ticket-urgent" if urgent else ""
        html.append(
            f'<a href="{detail}{pk}/" class="list-group-item list-group-item-action '
            f'ticket-card{flag}" data-testid="ticket-card">\n'
            '  <div class="d-flex w-100 justify-content-between gap-2">\n'
            f'    <strong class="text-truncate">#{pk} {escape(card["room__building__name"])} '
            f"{escape(card['room__number'])}</strong>\n"
            f'    <span class="badge text-bg-{colors.get(status, "secondary")} '
            f'align-self-start">{statuses.get(status, escape(status))}</span>\n'
            "  </div>\n"
            f'  <div class="small">{_what(card, labels)}</div>\n'
            f'  <div class="small text-muted text-truncate">{escape(card["description"])}</div>\n'
            f'  <div class="small text-muted">{localtime(card["created_at"]):%Y-%m-%d %H:%M}'
            f"{overdue if late else ''}</div>\n</a>\n"
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped


@register.simple_tag(takes_context=True)
def tickets_to_take(context, cards):
    """The technician queue's tickets to take, each with its "Take" button: the markup of
    the loop it replaces in ``repairs/queue.html``, drawn from plain values in one pass."""
    labels = _labels()
    detail = labels["detail"]
    take = escape(reverse("ticket_action", args=[0, "take"]))
    before, after = take.split("/0/", 1)
    csrf = CsrfTokenNode().render(context)
    button = escape(gettext("Take"))
    html = []
    for card in cards:
        pk = card["pk"]
        html.append(
            '\n    <div class="list-group-item d-flex gap-2 align-items-center">\n'
            '      <div class="flex-grow-1 min-w-0">\n'
            f'        <a class="fw-semibold text-decoration-none" href="{detail}{pk}/">'
            f"#{pk} {escape(card['room__building__name'])} {escape(card['room__number'])}</a>\n"
            f'        <div class="small">{_what(card, labels)}</div>\n'
            '        <div class="small text-muted text-truncate">'
            f"{escape(card['description'])}</div>\n"
            "      </div>\n"
            f'      <form method="post" action="{before}/{pk}/{after}" data-once>{csrf}'
            '<input type="hidden" name="next" value="queue">\n'
            '        <button class="btn btn-sm btn-primary" type="submit">'
            f"{button}</button></form>\n"
            "    </div>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped


def _url(params, **changes):
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return escape("?" + query.urlencode())


@register.simple_tag(takes_context=True)
def ticket_table(context):
    """The ticket list's table, its count, rows-a-page choice and page links, in one
    pass (the markup of ``includes/pagination.html`` and ``houqin.sort_link``): the
    busiest page of the office renders a handful of template nodes, not hundreds."""
    request = context["request"]
    page = context["page_obj"]
    paginator = page.paginator
    current = context.get("current_sort", "")
    params = request.GET.copy()
    params.pop("page", None)

    heads = []
    for label, key in context["columns"]:
        label = escape(str(label))
        if not key:
            heads.append(f'<th scope="col">{label}</th>')
            continue
        if current == key:
            href, icon = _url(params, sort=f"-{key}"), ' <i class="bi bi-sort-up"></i>'
        elif current == f"-{key}":
            href, icon = _url(params, sort=key), ' <i class="bi bi-sort-down"></i>'
        else:
            href, icon = _url(params, sort=key), ""
        heads.append(
            f'<th scope="col"><a class="text-reset text-decoration-none" href="{href}">'
            f"{label}{icon}</a></th>"
        )

    count = ngettext("%(counter)s item", "%(counter)s items", paginator.count) % {
        "counter": paginator.count
    }
    rows_label = escape(gettext("Rows a page:"))
    sizes = " ".join(
        f"<strong>{size}</strong>"
        if size == paginator.per_page
        else f'<a href="{_url(params, per_page=size)}">{size}</a>'
        for size in context["page_sizes"]
    )
    nav = ""
    if paginator.num_pages > 1:
        links = []
        if page.has_previous():
            links.append(
                f'<li class="page-item"><a class="page-link" href="{_url(params, page=1)}" '
                f'aria-label="{escape(gettext("First"))}">«</a></li>'
                f'<li class="page-item"><a class="page-link" '
                f'href="{_url(params, page=page.previous_page_number())}">'
                f"{escape(gettext('Previous'))}</a></li>"
            )
        links.append(
            f'<li class="page-item active"><span class="page-link">{page.number} / '
            f"{paginator.num_pages}</span></li>"
        )
        if page.has_next():
            links.append(
                f'<li class="page-item"><a class="page-link" '
                f'href="{_url(params, page=page.next_page_number())}">'
                f"{escape(gettext('Next'))}</a></li>"
                f'<li class="page-item"><a class="page-link" '
                f'href="{_url(params, page=paginator.num_pages)}" '
                f'aria-label="{escape(gettext("Last"))}">»</a></li>'
            )
        nav = (
            f'<nav aria-label="{escape(gettext("Pages"))}" '
            'class="d-flex flex-wrap align-items-center gap-2">'
            f'<ul class="pagination pagination-sm mb-0">{"".join(links)}</ul></nav>'
        )
    return mark_safe(  # noqa: S308 - every text above is escaped
        '<div class="table-responsive"><table class="table table-sm table-hover '
        'align-middle text-nowrap"><thead class="table-light"><tr>'
        f"{''.join(heads)}</tr></thead><tbody>{ticket_rows(page.object_list)}</tbody>"
        '</table></div><div class="d-flex flex-wrap justify-content-between '
        'align-items-center gap-2"><span class="text-muted small">'
        f"{escape(count)} · {rows_label} {sizes}</span>{nav}</div>"
    )
