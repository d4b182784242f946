"""Inspections (检查记录) and their results, one per checklist item.

An inspection is created by the tick for a schedule's period (unique per schedule and
period start) or by hand (a special inspection). Starting it copies the checklist's
items in use into result rows (text and area kept, so later edits of the checklist do
not rewrite the record); submitting needs every row answered and turns each "hazard"
answer into a hazard.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.models import SchoolOwned, SchoolScoped, school_field
from logistics.common.submissions import OnceSubmitted
from safety.choices import (
    OPEN_INSPECTION_STATUSES,
    HazardLevel,
    InspectionKind,
    InspectionStatus,
    Outcome,
    SafetyArea,
)


class Inspection(OnceSubmitted, SchoolOwned):
    # The foreign keys leading an index or constraint of their own need no other.
    school = school_field("safety_inspections", db_index=False)
    schedule = models.ForeignKey(
        "safety.InspectionSchedule",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name=_("schedule"),
        db_index=False,
    )
    template = models.ForeignKey(
        "safety.ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("checklist"),
    )
    kind = models.CharField(_("kind of inspection"), max_length=20, choices=InspectionKind.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_inspections",
        verbose_name=_("inspector"),
        db_index=False,
    )
    area = models.CharField(
        _("area"),
        max_length=30,
        choices=SafetyArea.choices,
        blank=True,
        help_text=_("Only the checklist's items of this area; empty for all of them."),
    )
    room = models.ForeignKey(
        "logistics.Room",
        on_delete=models.PROTECT,
        related_name="safety_inspections",
        null=True,
        blank=True,
        verbose_name=_("room"),
    )
    location = models.CharField(_("where"), max_length=200, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_at = models.DateTimeField(_("due by"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    summary = models.TextField(_("remarks"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(
        pgettext_lazy("inspection", "started at"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-period_end", "-pk"]
        permissions = [("cancel_inspection", _("Can cancel inspections that were not done"))]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"],
                condition=Q(schedule__isnull=False),
                name="safety_inspection_unique_period",
                violation_error_message=_(
                    "This schedule already has an inspection for this period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="safety_inspection_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status=InspectionStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="safety_inspection_submitted_at",
                violation_error_message=_(
                    "A submitted inspection needs the time it was submitted."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status=InspectionStatus.PLANNED)
                | Q(status=InspectionStatus.CANCELLED)
                | Q(started_at__isnull=False),
                name="safety_inspection_started_at",
                violation_error_message=_("A started inspection needs the time it was started."),
            ),
        ]
        indexes = [
            # Lists (latest first) and the statistics (inspections due in a period).
            models.Index(fields=["school", "-period_end", "-id"], name="safety_insp_school_period"),
            models.Index(fields=["school", "status", "due_at"], name="safety_insp_school_status"),
            models.Index(fields=["inspector", "status", "due_at"], name="safety_insp_inspector"),
            # The reminder rules' scan across schools: only inspections still to be done.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=[*OPEN_INSPECTION_STATUSES]),
                name="safety_insp_open_due",
            ),
        ]

    def __str__(self):
        return f"{self.template.name} · {self.period_label}"

    @property
    def period_label(self):
        if self.period_start == self.period_end:
            return f"{self.period_start:%Y-%m-%d}"
        return f"{self.period_start:%Y-%m-%d} ~ {self.period_end:%Y-%m-%d}"

    @property
    def status_color(self):
        return InspectionStatus.color_of(self.status)

    @property
    def is_open(self):
        return self.status in OPEN_INSPECTION_STATUSES

    @property
    def is_planned(self):
        return self.status == InspectionStatus.PLANNED

    @property
    def is_submitted(self):
        return self.status == InspectionStatus.SUBMITTED

    def is_overdue(self, now):
        """Not done at or after its due time (the rule of ``safety.overdue``)."""
        from safety.overdue import inspection_overdue

        return inspection_overdue(self.status, self.due_at, now)


class InspectionResult(SchoolScoped):
    """The answer to one checklist item in one inspection."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="results", verbose_name=_("inspection")
    )
    item = models.ForeignKey(
        "safety.ChecklistItem",
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("checklist item"),
        db_index=False,
    )
    # Copied from the item when the inspection starts.
    area = models.CharField(_("area"), max_length=30, choices=SafetyArea.choices)
    text = models.CharField(_("what to check"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    photo = models.CharField(_("photo"), max_length=200, blank=True)
    photo_width = models.PositiveIntegerField(_("photo width"), null=True, blank=True)
    photo_height = models.PositiveIntegerField(_("photo height"), null=True, blank=True)
    room = models.ForeignKey(
        "logistics.Room",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("room"),
        help_text=_("Where the hazard is, if not the inspection's room."),
        db_index=False,
    )
    location = models.CharField(
        _("where"),
        max_length=200,
        blank=True,
        help_text=_("Where the hazard is, if no room says it."),
    )
    hazard_level = models.CharField(
        _("hazard level"), max_length=10, choices=HazardLevel.choices, blank=True
    )
    hazard = models.ForeignKey(
        "safety.Hazard",
        on_delete=models.PROTECT,
        related_name="inspection_results",
        null=True,
        blank=True,
        verbose_name=_("hazard"),
        db_index=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    school_path = "inspection__school"

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                name="safety_inspectionresult_unique_item",
                violation_error_message=_("This item is already part of the inspection."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.HAZARD) | ~Q(hazard_level=""),
                name="safety_inspectionresult_hazard_level",
                violation_error_message=_("Choose the level of the hazard."),
            ),
            models.CheckConstraint(
                condition=Q(hazard__isnull=True) | Q(outcome=Outcome.HAZARD),
                name="safety_inspectionresult_hazard_only_when_found",
                violation_error_message=_("Only an answer that found a hazard is linked to one."),
            ),
        ]
        indexes = [
            # The media check finds a photo by name among a district's million results.
            models.Index(fields=["photo"], condition=~Q(photo=""), name="safety_result_photo"),
            models.Index(
                fields=["hazard"], condition=Q(hazard__isnull=False), name="safety_result_hazard"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_answered(self):
        return bool(self.outcome)

    @property
    def is_hazard(self):
        return self.outcome == Outcome.HAZARD

    @property
    def hazard_level_color(self):
        return HazardLevel.color_of(self.hazard_level)

    @property
    def outcome_color(self):
        return Outcome.color_of(self.outcome, default="light")

    @property
    def photo_url(self):
        from django.urls import reverse

        return reverse("protected_media", args=[self.photo]) if self.photo else ""
