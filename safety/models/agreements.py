"""Safety responsibility agreements (安全责任状) signed with the school's people."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.common.models import SchoolOwned, school_field
from logistics.common.submissions import OnceSubmitted
from safety.choices import AgreementKind


class SafetyAgreement(OnceSubmitted, SchoolOwned):
    """A signed responsibility agreement of one person for one academic year.

    ``year`` is the academic year it covers, as ``Semester.academic_year`` (2026 means
    2026~2027). A person signs each kind once a year; a wrong entry is retired
    (``is_active``), not deleted.
    """

    school = school_field("safety_agreements", db_index=False)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_agreements",
        verbose_name=_("signed by"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(
        _("academic year"), help_text=_("The year it starts in: 2026 means 2026~2027.")
    )
    signed_on = models.DateField(_("signed on"))
    # The scanned copy: a cleaned picture or a checked PDF, stored under safety/.
    file = models.CharField(_("scanned copy"), max_length=200, blank=True)
    file_type = models.CharField(_("file type"), max_length=50, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    is_active = models.BooleanField(_("valid"), default=True)
    retired_reason = models.CharField(_("withdrawn because"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("safety responsibility agreement")
        verbose_name_plural = _("safety responsibility agreements")
        ordering = ["-year", "signer__username", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["signer", "kind", "year"],
                condition=Q(is_active=True),
                name="safety_safetyagreement_unique_per_year",
                violation_error_message=_(
                    "This person already has this agreement for this academic year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="safety_safetyagreement_year_range",
                violation_error_message=_("Enter an academic year between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(file="") | ~Q(file_type=""),
                name="safety_safetyagreement_file_type",
                violation_error_message=_("A scanned copy needs its file type."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "year"], name="safety_agreement_school_year"),
            models.Index(fields=["file"], condition=~Q(file=""), name="safety_agreement_file"),
        ]

    def __str__(self):
        return f"{self.title} · {self.signer} · {self.year}"

    @property
    def year_label(self):
        return f"{self.year}~{self.year + 1}"

    @property
    def is_pdf(self):
        return self.file_type == "application/pdf"

    @property
    def file_url(self):
        from django.urls import reverse

        return reverse("protected_media", args=[self.file]) if self.file else ""
