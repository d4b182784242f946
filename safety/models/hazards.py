"""Hazards (隐患台账) and their rectification: photos, plans for major hazards, deferrals.

A hazard belongs to its school directly (one indexed column scopes every list and every
statistic). Its status changes only through ``safety.services``, which records each
change (who, when, from, to, note) in the status log; the constraints below hold the
invariants the database can check on its own.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.models import SchoolOwned, SchoolScoped, school_field
from logistics.models.media import StoredImage
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    HazardLevel,
    HazardPhotoKind,
    HazardStatus,
    SafetyArea,
)


class Hazard(SchoolOwned):
    # The foreign keys leading an index of their own (see Meta.indexes) need no other.
    school = school_field("safety_hazards", db_index=False)
    level = models.CharField(
        _("level"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=HazardStatus.choices, default=HazardStatus.REPORTED
    )
    category = models.CharField(_("category"), max_length=30, choices=SafetyArea.choices)
    description = models.TextField(_("description"), max_length=2000)
    room = models.ForeignKey(
        "logistics.Room",
        on_delete=models.PROTECT,
        related_name="safety_hazards",
        null=True,
        blank=True,
        verbose_name=_("room"),
    )
    location = models.CharField(
        _("where"), max_length=200, blank=True, help_text=_("E.g. east stairs, 2nd floor.")
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_hazards_found",
        verbose_name=_("found by"),
        db_index=False,
    )
    found_at = models.DateTimeField(_("found at"))
    inspection = models.ForeignKey(
        "safety.Inspection",
        on_delete=models.PROTECT,
        related_name="hazards",
        null=True,
        blank=True,
        verbose_name=_("found in inspection"),
    )
    source_item = models.ForeignKey(
        "safety.ChecklistItem",
        on_delete=models.PROTECT,
        related_name="hazards",
        null=True,
        blank=True,
        verbose_name=_("checklist item"),
        db_index=False,
    )
    # Who rectifies it, by when (set by general affairs: ``hazard_assign``).
    department = models.ForeignKey(
        "logistics.Department",
        on_delete=models.PROTECT,
        related_name="safety_hazards",
        null=True,
        blank=True,
        verbose_name=_("responsible department"),
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_hazards_responsible",
        null=True,
        blank=True,
        verbose_name=_("responsible person"),
        db_index=False,
    )
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    assigned_at = models.DateTimeField(
        pgettext_lazy("hazard", "assigned at"), null=True, blank=True
    )
    deferral_count = models.PositiveSmallIntegerField(_("times deferred"), default=0)
    # The rectification, as submitted for the check.
    rectification_note = models.TextField(_("what was done"), max_length=2000, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("rectified by"),
    )
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    # The check (复查): who closed it, or why it was sent back (the latest reason).
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("checked by"),
    )
    verified_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_note = models.CharField(_("check remarks"), max_length=500, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("hazard", "closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The report form's one-time key: a double submit (a double tap, a resend after a
    # lost answer) reports one hazard; two different reports never merge.
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_at", "-pk"]
        permissions = [
            ("assign_hazard", _("Can assign hazards, set and defer deadlines")),
            ("verify_hazard", _("Can check rectified hazards and close them")),
            ("view_rectification_rate", _("Can view the rectification rate")),
            ("print_hazard_report", _("Can print the written report of a major hazard")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["found_by", "submission_key"],
                name="safety_hazard_unique_submission",
                violation_error_message=_("This form has already been submitted."),
            ),
            models.CheckConstraint(
                condition=Q(room__isnull=False) | ~Q(location=""),
                name="safety_hazard_where",
                violation_error_message=_("Say where the hazard is: a room or a place."),
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        HazardStatus.RECTIFYING,
                        HazardStatus.AWAITING_CHECK,
                        HazardStatus.CLOSED,
                    ]
                )
                | Q(responsible_person__isnull=False, deadline__isnull=False),
                name="safety_hazard_assigned_when_rectifying",
                violation_error_message=_(
                    "A hazard being rectified needs a responsible person and a deadline."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[HazardStatus.AWAITING_CHECK, HazardStatus.CLOSED])
                | (
                    Q(rectified_by__isnull=False, rectified_at__isnull=False)
                    & ~Q(rectification_note="")
                ),
                name="safety_hazard_rectified_when_checked",
                violation_error_message=_("Say what was done to rectify the hazard."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status=HazardStatus.CLOSED, closed_at__isnull=False, verified_by__isnull=False
                )
                | (~Q(status=HazardStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="safety_hazard_closed_at_when_closed",
                violation_error_message=_(
                    "A closed hazard needs the time it was closed and who checked it; an open "
                    "one has no closing time."
                ),
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True)
                | Q(rectified_by__isnull=True)
                | ~Q(verified_by=F("rectified_by")),
                name="safety_hazard_checker_not_rectifier",
                violation_error_message=_(
                    "The rectification must be checked by someone other than its rectifier."
                ),
            ),
        ]
        indexes = [
            # The ledger's order; what the rate's figures read of each hazard is included,
            # so that they are read from the index alone (PostgreSQL).
            models.Index(
                fields=["school", "-found_at", "-id"],
                include=[
                    "status",
                    "level",
                    "category",
                    "closed_at",
                    "deadline",
                    "deferral_count",
                    "department",
                    "room",
                    "inspection",
                ],
                name="safety_hazard_school_found",
            ),
            models.Index(
                fields=["school", "status", "deadline"], name="safety_hazard_school_status"
            ),
            models.Index(fields=["responsible_person", "status"], name="safety_hazard_responsible"),
            models.Index(fields=["found_by", "-found_at"], name="safety_hazard_found_by"),
            # The overdue reminder's scan across schools: only hazards still to be rectified.
            models.Index(
                fields=["deadline"],
                condition=Q(status__in=[*OPEN_HAZARD_STATUSES]),
                name="safety_hazard_open_deadline",
            ),
            # Linking a repeated finding to the open hazard of the same checklist item.
            models.Index(
                fields=["source_item", "room"],
                condition=Q(source_item__isnull=False),
                name="safety_hazard_source_item",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()} · {self.where}"

    @property
    def where(self):
        parts = [str(self.room) if self.room_id else "", self.location]
        return " · ".join(p for p in parts if p)

    @property
    def status_color(self):
        return HazardStatus.color_of(self.status)

    @property
    def level_color(self):
        return HazardLevel.color_of(self.level)

    @property
    def is_open(self):
        return self.status in OPEN_HAZARD_STATUSES

    @property
    def is_closed(self):
        return self.status == HazardStatus.CLOSED

    @property
    def is_sent_back(self):
        """Being rectified again: its check sent the rectification back (with a reason)."""
        return self.status == HazardStatus.RECTIFYING and self.verified_by_id is not None

    def is_overdue(self, today):
        """Still to be rectified (reported or being rectified) after its deadline (the
        rule of ``safety.overdue``)."""
        from safety.overdue import hazard_overdue

        return hazard_overdue(self.status, self.deadline, today)


class HazardPhoto(StoredImage):
    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="photos", verbose_name=_("hazard")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HazardPhotoKind.choices)

    school_path = "hazard__school"

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard", "created_at", "pk"]


class RectificationPlan(SchoolScoped):
    """The plan a major hazard (重大隐患) needs before its rectification starts: measures,
    funding, who and by when, and what keeps people safe meanwhile."""

    hazard = models.OneToOneField(
        Hazard, on_delete=models.PROTECT, related_name="plan", verbose_name=_("hazard")
    )
    measures = models.TextField(_("rectification measures"), max_length=4000)
    funding = models.DecimalField(
        _("funding (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    deadline = models.DateField(_("complete by"))
    interim_measures = models.TextField(_("interim safety measures"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    school_path = "hazard__school"

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        ordering = ["hazard"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding__gte=0),
                name="safety_rectificationplan_funding_not_negative",
                violation_error_message=_("The funding cannot be negative."),
            ),
        ]

    def __str__(self):
        return str(self.hazard)


class HazardDeferral(SchoolScoped):
    """An 整改安排: a hazard that cannot be fixed now gets a later deadline, with the reason
    (and what is done meanwhile)."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="deferrals", verbose_name=_("hazard")
    )
    reason = models.TextField(_("why it cannot be rectified now"), max_length=2000)
    previous_deadline = models.DateField(_("previous deadline"), null=True, blank=True)
    new_deadline = models.DateField(_("new deadline"))
    interim_measures = models.TextField(_("interim safety measures"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("arranged by"),
    )
    created_at = models.DateTimeField(_("arranged at"), auto_now_add=True)

    school_path = "hazard__school"

    class Meta:
        verbose_name = _("rectification arrangement")
        verbose_name_plural = _("rectification arrangements")
        ordering = ["hazard", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(previous_deadline__isnull=True)
                | Q(new_deadline__gt=F("previous_deadline")),
                name="safety_hazarddeferral_later_deadline",
                violation_error_message=_("The new deadline must be later than the previous one."),
            ),
        ]

    def __str__(self):
        return f"{self.hazard} → {self.new_deadline:%Y-%m-%d}"
