"""Choice lists of campus safety: areas, inspection kinds and frequencies, outcomes, hazard
levels and statuses (with their badge colours), drills and responsibility agreements."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.choices import ColoredChoices


class SafetyArea(models.TextChoices):
    """What a checklist item looks at; the category of a hazard found there."""

    FIRE = "fire", _("Fire safety")
    ELECTRICAL = "electrical", _("Electrical safety")
    GAS = "gas", _("Gas")
    BUILDINGS = "buildings", _("School buildings")
    CANTEEN = "canteen", _("Canteen")
    SECURITY_SYSTEMS = "security_systems", _("Perimeter alarms and CCTV")
    GATE = "gate", _("School gate")
    TRAFFIC = "traffic", _("Traffic")
    SURROUNDINGS = "surroundings", _("Within 200 m of the campus")
    LABS = "labs", _("Laboratories and hazardous chemicals")
    SPORTS = "sports", _("Sports grounds and equipment")
    DORMITORY = "dormitory", _("Dormitories")
    OTHER = "other", _("Other")


class InspectionKind(models.TextChoices):
    """The inspection regime (日巡视制, 月检查制, 专项问题集中检查制, 开学安全大检查)."""

    DAILY = "daily", _("Daily patrol")
    WEEKLY = "weekly", _("Weekly check")
    MONTHLY = "monthly", _("Monthly check (leadership group)")
    TERM = "term", _("Start-of-term full inspection")
    SPECIAL = "special", _("Special inspection")


class Frequency(models.TextChoices):
    """How often a schedule asks for an inspection: one per day, ISO week (Monday to
    Sunday), calendar month, or semester."""

    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    TERM = "term", _("Once per term")


class InspectionStatus(ColoredChoices):
    """The life of an inspection; changed only by ``safety.services``."""

    PLANNED = "planned", "warning", _("To do")
    DRAFT = "draft", "primary", pgettext_lazy("inspection", "In progress")
    SUBMITTED = "submitted", "success", _("Submitted")
    CANCELLED = "cancelled", "light", pgettext_lazy("inspection", "Cancelled")


# Statuses of an inspection still to be done (its due time is running).
OPEN_INSPECTION_STATUSES = (InspectionStatus.PLANNED, InspectionStatus.DRAFT)


class Outcome(ColoredChoices):
    """The answer to one checklist item ("" while unanswered)."""

    OK = "ok", "success", _("OK")
    HAZARD = "hazard", "danger", _("Hazard")
    NOT_APPLICABLE = "na", "secondary", _("Not applicable")


class HazardLevel(ColoredChoices):
    GENERAL = "general", "secondary", _("General")
    MAJOR = "major", "danger", _("Major")


class HazardStatus(ColoredChoices):
    """The life of a hazard (隐患); changed only by ``safety.services``.

    reported → rectifying → awaiting_check → closed (销号); a rejected check goes back to
    rectifying. A report that is a duplicate or no hazard at all is withdrawn (kept, not
    counted in the rectification rate).
    """

    REPORTED = "reported", "warning", pgettext_lazy("hazard", "Reported")
    RECTIFYING = "rectifying", "primary", _("Being rectified")
    AWAITING_CHECK = "awaiting_check", "info", _("Awaiting check")
    CLOSED = "closed", "success", pgettext_lazy("hazard", "Closed")
    WITHDRAWN = "withdrawn", "light", _("Withdrawn")


# Hazards that still need work (their deadline is running).
OPEN_HAZARD_STATUSES = (HazardStatus.REPORTED, HazardStatus.RECTIFYING)
# Hazards not yet closed or withdrawn.
UNRESOLVED_HAZARD_STATUSES = (*OPEN_HAZARD_STATUSES, HazardStatus.AWAITING_CHECK)


class HazardPhotoKind(models.TextChoices):
    FOUND = "found", _("As found")
    RECTIFIED = "rectified", _("After rectification")


class DrillKind(models.TextChoices):
    FIRE_EVACUATION = "fire_evacuation", _("Fire evacuation")
    ANTI_TERROR = "anti_terror", _("Anti-terrorism and violence")
    EARTHQUAKE = "earthquake", _("Earthquake")
    DROWNING = "drowning", _("Drowning prevention")
    FOOD_SAFETY = "food_safety", _("Food safety")
    STAMPEDE = "stampede", _("Crowd crush prevention")
    TRAFFIC = "traffic", _("Traffic safety")
    OTHER = "other", _("Other")


class AgreementKind(models.TextChoices):
    """The responsibility agreements (安全责任状/责任书) a school signs with its people."""

    STAFF = "staff", _("Staff safety responsibility agreement")
    HEAD_TEACHER = "head_teacher", _("Head teacher safety responsibility agreement")
    DEPARTMENT = "department", _("Department safety responsibility agreement")
    FIRE = "fire", _("Fire safety responsibility agreement")
    SCHOOL_BUS = "school_bus", _("School bus driver safety responsibility agreement")
    CANTEEN = "canteen", _("Canteen food safety responsibility agreement")
    OTHER = "other", _("Other")


# Bootstrap Icons of the areas (filters, checklist headings).
AREA_ICONS = {
    SafetyArea.FIRE: "bi-fire",
    SafetyArea.ELECTRICAL: "bi-lightning-charge",
    SafetyArea.GAS: "bi-cloud-haze2",
    SafetyArea.BUILDINGS: "bi-building",
    SafetyArea.CANTEEN: "bi-egg-fried",
    SafetyArea.SECURITY_SYSTEMS: "bi-camera-video",
    SafetyArea.GATE: "bi-door-open",
    SafetyArea.TRAFFIC: "bi-sign-stop",
    SafetyArea.SURROUNDINGS: "bi-geo-alt",
    SafetyArea.LABS: "bi-eyedropper",
    SafetyArea.SPORTS: "bi-dribbble",
    SafetyArea.DORMITORY: "bi-house-door",
    SafetyArea.OTHER: "bi-three-dots",
}
