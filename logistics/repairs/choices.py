"""The repair tickets' choices: statuses (with their colours), urgency, damage cause,
photo kind, and the trades' icons."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.choices import Trade
from logistics.common.choices import ColoredChoices


class TicketStatus(ColoredChoices):
    """The life of a repair ticket; changed only by ``logistics.repairs.services``.
    (Value, badge colour, label.)"""

    SUBMITTED = "submitted", "warning", _("Awaiting dispatch")
    ASSIGNED = "assigned", "info", _("Assigned")
    IN_PROGRESS = "in_progress", "primary", _("In progress")
    ON_HOLD = "on_hold", "secondary", _("On hold")
    DONE = "done", "success", _("Awaiting confirmation")
    CLOSED = "closed", "dark", _("Closed")
    CANCELLED = "cancelled", "light", _("Cancelled")


# Statuses in which a ticket still needs work (its service levels are running).
OPEN_TICKET_STATUSES = (
    TicketStatus.SUBMITTED,
    TicketStatus.ASSIGNED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.ON_HOLD,
)


class Urgency(ColoredChoices):
    URGENT = "urgent", "danger", _("Urgent")
    NORMAL = "normal", "secondary", _("Normal")


class DamageCause(models.TextChoices):
    WEAR = "wear", _("Normal wear")
    DAMAGE = "damage", _("Damage by a person")
    DISASTER = "disaster", _("Natural disaster")


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Reported")
    COMPLETION = "completion", _("Completed")


# Bootstrap Icons of the trades (the filing form's buttons).
TRADE_ICONS = {
    Trade.PLUMBING: "bi-droplet",
    Trade.ELECTRICAL: "bi-lightning-charge",
    Trade.CARPENTRY: "bi-hammer",
    Trade.AIR_CONDITIONING: "bi-snow",
    Trade.NETWORK: "bi-wifi",
    Trade.GENERAL: "bi-tools",
}
