"""Choice lists of the core: room kinds, terms, roles, trades, delivery statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoomKind(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    OFFICE = "office", _("Office")
    LAB = "lab", _("Laboratory")
    DORM = "dorm", _("Dormitory room")
    CANTEEN = "canteen", _("Canteen")
    STORAGE = "storage", _("Storage")
    SPORTS = "sports", _("Sports")
    OTHER = "other", _("Other")


class Term(models.IntegerChoices):
    FIRST = 1, _("First term")
    SECOND = 2, _("Second term")


class Role(models.TextChoices):
    """Roles are auth groups named by these slugs; a data migration creates them."""

    STAFF = "staff", _("Staff")
    TECHNICIAN = "technician", _("Technician")
    GENERAL_AFFAIRS = "general_affairs", _("General affairs office")
    SAFETY_OFFICER = "safety_officer", _("Safety officer")
    CANTEEN_MANAGER = "canteen_manager", _("Canteen manager")
    DORM_MANAGER = "dorm_manager", _("Dormitory manager")
    PRINCIPAL = "principal", _("Principal")
    DISTRICT_VIEWER = "district_viewer", _("District education bureau")


class Trade(models.TextChoices):
    """The trades of the technicians (维修工种)."""

    PLUMBING = "plumbing", _("Plumbing")
    ELECTRICAL = "electrical", _("Electrical")
    CARPENTRY = "carpentry", _("Carpentry")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    NETWORK = "network", _("Network")
    GENERAL = "general", _("General maintenance")


class DeliveryStatus(models.TextChoices):
    SKIPPED = "skipped", _("Not needed")
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", pgettext_lazy("delivery", "Failed")


class WebhookKind(models.TextChoices):
    NONE = "", _("None")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class UserStatus(models.TextChoices):
    ACTIVE = "active", _("Can sign in")
    INACTIVE = "inactive", _("Left or disabled")


class AccountEvent(models.TextChoices):
    """What else is recorded in a person's history (by ``logistics.services.people``)."""

    PASSWORD_RESET = "password_reset", _("Temporary password given")
    ROLES_CHANGED = "roles_changed", _("Roles changed")


class CurrentStatus(models.TextChoices):
    """Whether a semester is its school's current one (recorded in the status log)."""

    CURRENT = "current", _("Current")
    NOT_CURRENT = "not_current", _("Not current")


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
