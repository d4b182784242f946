"""An import of rooms or people from an xlsx, run as a background job.

The upload is stored under ``MEDIA_ROOT/imports/`` (no resolver is registered for that
folder, so ``protected_media`` serves it to nobody). The job goes queued → running →
done | failed, each change recorded in the status log; while it runs it shows how many
rows were checked; when it ends, how many records it created and updated, or every row's
errors (nothing is written then: all or nothing).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.common.choices import ColoredChoices
from logistics.common.models import SchoolOwned, school_field


class ImportKind(models.TextChoices):
    ROOMS = "rooms", _("Rooms")
    PEOPLE = "people", _("People")


class ImportStatus(ColoredChoices):
    QUEUED = "queued", "secondary", _("Queued")
    RUNNING = "running", "info", _("Importing")
    DONE = "done", "success", _("Imported")
    FAILED = "failed", "danger", _("Not imported")


class ImportJob(SchoolOwned):
    school = school_field("import_jobs")
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # The stored upload (a name in the default storage, under imports/) and what it was
    # called on the uploader's computer (shown, never used as a path).
    file = models.CharField(_("file"), max_length=200, unique=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    # People: the hash of the initial password typed in the form (never the password),
    # given to every new account; emptied when the job ends.
    password_hash = models.CharField(_("password hash"), max_length=256, blank=True)
    # The language of the page it was uploaded from: its messages are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    # One job per form: a second submit of the same form finds the first job.
    submission_key = models.UUIDField(_("submission key"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    # [{"row": 5, "column": "楼层", "message": "…"}, …] in row order.
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_key"],
                name="logistics_importjob_unique_submission",
                violation_error_message=_("This form has already been submitted."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values),
                name="logistics_importjob_kind_known",
                violation_error_message=_("Choose what to import: rooms or people."),
            ),
            models.CheckConstraint(
                condition=Q(rows_checked__lte=models.F("rows_total")),
                name="logistics_importjob_checked_within_total",
                violation_error_message=_("An import cannot check more rows than its file has."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ImportStatus.DONE, ImportStatus.FAILED])
                | Q(finished_at__isnull=True),
                name="logistics_importjob_finished_only_when_ended",
                violation_error_message=_("Only an import that has ended has a finishing time."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "kind", "-created_at"], name="import_job_school_kind"),
            models.Index(fields=["status", "created_at"], name="import_job_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_name or self.file}"

    @property
    def in_progress(self):
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def is_done(self):
        return self.status == ImportStatus.DONE

    @property
    def is_failed(self):
        return self.status == ImportStatus.FAILED

    @property
    def status_color(self):
        return ImportStatus.color_of(self.status)

    @property
    def stage(self):
        """What the job is doing, for its page."""
        if self.status == ImportStatus.QUEUED:
            return _("Waiting for a worker")
        if self.status != ImportStatus.RUNNING:
            return ""
        if not self.rows_total:
            return _("Reading the file")
        if self.rows_checked < self.rows_total:
            return _("Checking the rows")
        return _("Saving")

    @property
    def percent(self):
        """Rows checked, in percent of the rows (0 until they are counted)."""
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_checked * 100 // self.rows_total)
