"""In-app notifications, their email delivery, group-chat messages and reminders.

Each is created once per de-duplication key (a unique constraint), so a repeated tick,
two beats or a redelivered task never notify twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.choices import DeliveryStatus
from logistics.common.models import SchoolOwned, school_field


class Notification(SchoolOwned):
    school = school_field("notifications", null=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    key = models.CharField(_("de-duplication key"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("email"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SKIPPED
    )
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    email_claimed_at = models.DateTimeField(_("email sending since"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="logistics_notification_unique_key",
                violation_error_message=_("This person has already been sent this notification."),
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["email_status"],
                condition=Q(email_status=DeliveryStatus.PENDING),
                name="notification_email_pending",
            ),
        ]

    def __str__(self):
        return self.title


class ChatMessage(SchoolOwned):
    """A message for the school's work-group chat robot (WeCom / DingTalk)."""

    school = school_field("chat_messages")
    key = models.CharField(_("de-duplication key"), max_length=200)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("group chat message")
        verbose_name_plural = _("group chat messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "key"],
                name="logistics_chatmessage_unique_key",
                violation_error_message=_("This message has already been sent to the group chat."),
            ),
        ]

    def __str__(self):
        return self.text[:50]


class Reminder(SchoolOwned):
    """The record that a reminder rule fired for one key (and so never fires again)."""

    school = school_field("reminders")
    rule = models.CharField(_("rule"), max_length=100)
    key = models.CharField(_("key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key"],
                name="logistics_reminder_unique_key",
                violation_error_message=_("This reminder has already been sent."),
            ),
        ]

    def __str__(self):
        return f"{self.rule}:{self.key}"
