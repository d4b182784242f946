"""The repair tickets' choices: statuses (with their colours), urgency, damage cause,
photo kind, and the trades' icons."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.choices import Trade


class TicketStatus(models.TextChoices):
    """The life of a repair ticket; changed only by ``logistics.services.repairs``."""

    SUBMITTED = "submitted", _("Awaiting dispatch")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", _("Awaiting confirmation")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which a ticket still needs work (its service levels are running).
OPEN_TICKET_STATUSES = (
    TicketStatus.SUBMITTED,
    TicketStatus.ASSIGNED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.ON_HOLD,
)


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")


class DamageCause(models.TextChoices):
    WEAR = "wear", _("Normal wear")
    DAMAGE = "damage", _("Damage by a person")
    DISASTER = "disaster", _("Natural disaster")


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Reported")
    COMPLETION = "completion", _("Completed")


# Bootstrap colours of the ticket statuses (badges, list rows).
TICKET_STATUS_COLORS = {
    TicketStatus.SUBMITTED: "warning",
    TicketStatus.ASSIGNED: "info",
    TicketStatus.IN_PROGRESS: "primary",
    TicketStatus.ON_HOLD: "secondary",
    TicketStatus.DONE: "success",
    TicketStatus.CLOSED: "dark",
    TicketStatus.CANCELLED: "light",
}


# Bootstrap Icons of the trades (the filing form's buttons).
TRADE_ICONS = {
    Trade.PLUMBING: "bi-droplet",
    Trade.ELECTRICAL: "bi-lightning-charge",
    Trade.CARPENTRY: "bi-hammer",
    Trade.AIR_CONDITIONING: "bi-snow",
    Trade.NETWORK: "bi-wifi",
    Trade.GENERAL: "bi-tools",
}
