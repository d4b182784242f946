"""Checklists (检查表) and the schedules that say who inspects what, how often.

A template is a list of items, each looking at one safety area (消防, 用电 …) with guidance
on how to check it. Items are retired (``is_active``), never deleted: past inspections
keep a copy of the item's text and area in their results.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from logistics.common.models import SchoolOwned, SchoolScoped, school_field
from logistics.common.submissions import OnceSubmitted
from safety.choices import Frequency, InspectionKind, SafetyArea


class ChecklistTemplate(OnceSubmitted, SchoolOwned):
    school = school_field("safety_checklists", db_index=False)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of inspection"), max_length=20, choices=InspectionKind.choices)
    area = models.CharField(
        _("area"),
        max_length=30,
        choices=SafetyArea.choices,
        blank=True,
        help_text=_("For a checklist of one area only (a special inspection); else empty."),
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    # Set on the checklists ``checklists_load_defaults`` creates, so loading twice adds
    # nothing; empty on the school's own.
    default_key = models.SlugField(_("default set key"), max_length=50, blank=True, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["school", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                name="safety_checklisttemplate_unique_name",
                violation_error_message=_("This school already has a checklist with this name."),
            ),
            models.UniqueConstraint(
                fields=["school", "default_key"],
                condition=~Q(default_key=""),
                name="safety_checklisttemplate_unique_default",
                violation_error_message=_("This default checklist is already loaded."),
            ),
        ]

    def __str__(self):
        return self.name


class ChecklistItem(OnceSubmitted, SchoolScoped):
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("checklist"),
    )
    area = models.CharField(_("area"), max_length=30, choices=SafetyArea.choices)
    text = models.CharField(_("what to check"), max_length=200)
    guidance = models.TextField(_("how to check"), max_length=2000, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    school_path = "template__school"

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "text"],
                condition=Q(is_active=True),
                name="safety_checklistitem_unique_text",
                violation_error_message=_("This checklist already has this item."),
            ),
        ]

    def __str__(self):
        return self.text


class InspectionSchedule(OnceSubmitted, SchoolOwned):
    """Who inspects with which checklist, how often; the tick creates each period's
    inspection (``safety.services.inspections_plan``)."""

    school = school_field("safety_schedules", db_index=False)
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="schedules",
        verbose_name=_("checklist"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_schedules",
        verbose_name=_("inspector"),
    )
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    area = models.CharField(
        _("area"),
        max_length=30,
        choices=SafetyArea.choices,
        blank=True,
        help_text=_("Only the checklist's items of this area; empty for all of them."),
    )
    rooms = models.ManyToManyField(
        "logistics.Room",
        related_name="safety_schedules",
        blank=True,
        verbose_name=_("rooms"),
        help_text=_("The rooms to inspect; empty for wherever the checklist applies."),
    )
    scope_note = models.CharField(
        _("where"), max_length=200, blank=True, help_text=_("E.g. teaching building, floors 1–3.")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection schedule")
        verbose_name_plural = _("inspection schedules")
        ordering = ["school", "frequency", "template__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="safety_inspectionschedule_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "is_active"], name="safety_schedule_school_active"),
        ]

    def __str__(self):
        return f"{self.template} · {self.get_frequency_display()} · {self.inspector}"
