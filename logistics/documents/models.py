"""Printed documents made from the records: the semester work summary (后勤工作总结) and
the reports the apps declare (``document_kinds`` in their ``documents.py``).

``SummaryDraft`` holds what general affairs writes for a semester (the opening, each
section's narrative, problems, next term's plans) with named placeholders that are
filled from the records when the PDF is made. ``Document`` is one generated PDF: its
kind, school, period, version, who asked and when, and the state of its generation
(queued → running → done | failed) with a progress the page shows.

What a document is of: its kind, school and period, its ``params`` (the kind's own
choices, e.g. the building and floor of a QR sticker sheet, normalised by the kind so
that equal choices are equal JSON) and its ``language``. Versions are numbered within
that identity, and one of them at most is being made at a time. ``fingerprint`` is a
digest of the records a kind's document was made from (for kinds that declare one): a
request whose records still give the same digest is answered with the ready version,
any change gives a new one (``logistics.documents.services.documents``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.choices import ColoredChoices
from logistics.common.models import SchoolOwned, school_field


def default_language():
    """A document is printed in the portal's language unless asked for in another."""
    return settings.LANGUAGE_CODE


class SummaryDraft(SchoolOwned):
    """The text of a semester's summary; saved as it is typed."""

    school = school_field("summary_drafts")
    semester = models.ForeignKey(
        "logistics.Semester",
        on_delete=models.PROTECT,
        related_name="summary_drafts",
        verbose_name=_("semester"),
    )
    # {"opening": str, "problems": str, "plans": str, "sections": {section key: str}}
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("updated by"),
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("summary draft")
        verbose_name_plural = _("summary drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "semester"],
                name="logistics_summarydraft_one_per_semester",
                violation_error_message=_("This semester already has a summary."),
            )
        ]

    def __str__(self):
        return f"{self.school} · {self.semester}"

    def text(self, part, section=None):
        if section is not None:
            return (self.texts.get("sections") or {}).get(section, "")
        return self.texts.get(part, "")


class DocumentStatus(ColoredChoices):
    QUEUED = "queued", "secondary", _("Queued")
    RUNNING = "running", "info", _("Being made")
    DONE = "done", "success", _("Ready")
    FAILED = "failed", "danger", pgettext_lazy("document", "Failed")


# What a document is of; its versions are numbered within it.
IDENTITY = ["kind", "school", "period_start", "period_end", "params", "language"]


class Document(SchoolOwned):
    """One generated PDF of a kind, a school and a period (and the kind's own choices)."""

    kind = models.CharField(_("kind"), max_length=50)
    school = school_field("documents")
    semester = models.ForeignKey(
        "logistics.Semester",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        verbose_name=_("semester"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The kind's own choices ({} for most kinds), normalised by the kind: part of what the
    # document is of, as are its period and language.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=15, default=default_language)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(
        pgettext_lazy("document", "started at"), null=True, blank=True
    )
    finished_at = models.DateTimeField(
        pgettext_lazy("document", "finished at"), null=True, blank=True
    )
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("document", "attempts"), default=0)
    file = models.FileField(_("file"), upload_to="documents/", blank=True, max_length=300)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # A digest of the records it was made from (kinds that declare one): see the module.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=[*IDENTITY, "version"],
                name="logistics_document_unique_version",
                violation_error_message=_("This version of the document already exists."),
            ),
            # One generation at a time per kind, school, period, choices and language: a
            # second request joins the running one.
            models.UniqueConstraint(
                fields=IDENTITY,
                condition=Q(status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING]),
                name="logistics_document_one_in_progress",
                violation_error_message=_("This document is already being made."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="logistics_document_progress_percent",
                violation_error_message=_("The progress is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="logistics_document_period_ordered",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "kind", "-requested_at"], name="document_school_kind"),
        ]

    def __str__(self):
        return f"{self.kind} {self.period_start}–{self.period_end} v{self.version}"

    @property
    def in_progress(self):
        return self.status in (DocumentStatus.QUEUED, DocumentStatus.RUNNING)

    @property
    def is_done(self):
        return self.status == DocumentStatus.DONE

    @property
    def is_failed(self):
        return self.status == DocumentStatus.FAILED

    @property
    def status_color(self):
        return DocumentStatus.color_of(self.status)
