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
