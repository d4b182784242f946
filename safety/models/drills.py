"""Emergency drills (应急演练): fire evacuation, anti-terrorism, earthquake …"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.common.models import SchoolOwned, school_field
from logistics.common.submissions import OnceSubmitted
from logistics.models.media import StoredImage
from safety.choices import DrillKind


class Drill(OnceSubmitted, SchoolOwned):
    school = school_field("safety_drills", db_index=False)
    kind = models.CharField(_("kind of drill"), max_length=30, choices=DrillKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    held_on = models.DateField(_("held on"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"))
    evacuation_seconds = models.PositiveIntegerField(
        _("evacuation time (seconds)"),
        null=True,
        blank=True,
        help_text=_("From the alarm until everyone is at the assembly point."),
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1),
                name="safety_drill_participants",
                violation_error_message=_("A drill has at least one participant."),
            ),
            models.CheckConstraint(
                condition=Q(evacuation_seconds__isnull=True) | Q(evacuation_seconds__gte=1),
                name="safety_drill_evacuation_positive",
                violation_error_message=_("The evacuation time must be more than zero."),
            ),
        ]
        indexes = [models.Index(fields=["school", "held_on"], name="safety_drill_school_held")]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"

    @property
    def display_title(self):
        return str(self)


class DrillPhoto(StoredImage):
    drill = models.ForeignKey(
        Drill, on_delete=models.PROTECT, related_name="photos", verbose_name=_("drill")
    )

    school_path = "drill__school"

    class Meta:
        verbose_name = _("drill photo")
        verbose_name_plural = _("drill photos")
        ordering = ["drill", "created_at", "pk"]
