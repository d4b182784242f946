"""The columns of general affairs' ticket list, declared once for its page and its export.

A column both show (room, trade, status, technician, requester) is one ``Column``: its
header, the page's sort (``sort``) and the export's cell (``value``, read from a ticket
of ``lists.ticket_table(..., export=True)``). The page's own cells are
rendered from plain values (``logistics.repairs.templatetags``): the busiest page of the
office pays for no per-cell call.
"""

from django.utils.translation import gettext_lazy, pgettext_lazy

from logistics.common.spreadsheets import Column, time_cell, yes_no_cell

ROOM = Column(
    "room", gettext_lazy("Room"), value=lambda t: t.room.number, sort="room__building__name"
)
TRADE = Column("trade", gettext_lazy("Trade"), value=lambda t: t.get_trade_display(), sort="trade")
STATUS = Column(
    "status", gettext_lazy("Status"), value=lambda t: t.get_status_display(), sort="status"
)
TECHNICIAN = Column(
    "assignee",
    gettext_lazy("Technician"),
    value=lambda t: t.assignee.display_name if t.assignee else "",
    sort="assignee__name",
)
REQUESTER = Column("requester", gettext_lazy("Requester"), value=lambda t: t.requester.display_name)

# The page: a ticket's number and when it was filed, where, what, how far, who.
PAGE = [
    Column("number", "#", sort="pk"),
    Column("filed", gettext_lazy("Filed"), sort="created_at"),
    ROOM,
    TRADE,
    STATUS,
    TECHNICIAN,
    REQUESTER,
]
DEFAULT_SORT = ("-created_at", "-pk")

# The export (repairs.xlsx): every field of the ticket general affairs reports on.
EXPORT = [
    Column("number", gettext_lazy("Number"), value=lambda t: t.pk),
    Column("filed", gettext_lazy("Filed at"), value=lambda t: time_cell(t.created_at)),
    Column("building", gettext_lazy("Building"), value=lambda t: t.room.building.name),
    ROOM,
    TRADE,
    Column(
        "category",
        gettext_lazy("Category"),
        value=lambda t: t.category.name if t.category else "",
    ),
    Column("urgency", gettext_lazy("Urgency"), value=lambda t: t.get_urgency_display()),
    STATUS,
    Column("description", gettext_lazy("What is wrong"), value=lambda t: t.description),
    REQUESTER,
    TECHNICIAN,
    Column(
        "started", pgettext_lazy("repair", "Started at"), value=lambda t: time_cell(t.started_at)
    ),
    Column("done", pgettext_lazy("repair", "Finished at"), value=lambda t: time_cell(t.done_at)),
    Column("closed", gettext_lazy("Closed at"), value=lambda t: time_cell(t.closed_at)),
    Column("overdue", gettext_lazy("Overdue"), value=lambda t: yes_no_cell(t.is_overdue)),
    Column("cause", gettext_lazy("Cause"), value=lambda t: t.get_cause_display()),
    Column("rating", gettext_lazy("Rating"), value=lambda t: t.rating or ""),
    Column("comment", gettext_lazy("Comment"), value=lambda t: t.rating_comment),
]
