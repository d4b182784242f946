"""The status log: every change of status of any object (who, when, from, to, note)."""

import contextlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.common.models import SchoolOwned, school_field


class StatusChange(SchoolOwned):
    school = school_field("status_changes", null=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("field"), max_length=50, default="status")
    from_status = models.CharField(_("from"), max_length=50, blank=True)
    to_status = models.CharField(_("to"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="status_change_object")]

    def __str__(self):
        return f"{self.from_label} → {self.to_label}"

    def _label(self, value):
        """The human label of a recorded status: the field's choices, else the core's."""
        from django.core.exceptions import FieldDoesNotExist

        from logistics.choices import AccountEvent, CurrentStatus, UserStatus

        labels = {
            **dict(UserStatus.choices),
            **dict(AccountEvent.choices),
            **dict(CurrentStatus.choices),
        }
        model = self.content_type.model_class()
        with contextlib.suppress(FieldDoesNotExist, AttributeError, TypeError):
            labels.update(dict(model._meta.get_field(self.field).flatchoices))
        return labels.get(value, value)

    @property
    def from_label(self):
        return self._label(self.from_status) if self.from_status else ""

    @property
    def to_label(self):
        return self._label(self.to_status)
